"""Hostile imported text in the real window: markup shows literally, hidden characters show as ⟨U+XXXX⟩.

Every field of one case carries an ``<img>`` of a large pure-red local picture plus other markup, and
bidi / zero-width characters. The window must show all of it as text: the picture never paints (a grab of
the window has no red), no raw direction-changing character reaches a widget, and every label is either
plain text or rich text built by ``ui.shell.plain.rich`` (which escapes every value).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from reviewer.clock import utcnow
from reviewer.conflicts import StandingDecision
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.models import Account, Case, Channel, Item
from reviewer.policy import PolicyPack
from reviewer.session_figures import SessionFigures
from reviewer.storage.database import Database
from reviewer.wellbeing.exposure import ExposureTotals
from reviewer.wellbeing.settings import OrgPolicy, WellbeingSettings
from reviewer.wellbeing.summary import SessionSummary
from tests.support.waiting import UI_WAIT_MS
from ui.review.override import OverrideDialog
from ui.review.queue_model import Column
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow
from ui.shell.plain import is_escaped_rich
from ui.wellbeing.break_screen import BreakScreen
from ui.wellbeing.settings_dialog import SettingsDialog
from ui.wellbeing.summary_dialog import SummaryDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HIDDEN = {"\u202e": "⟨U+202E⟩", "\u200b": "⟨U+200B⟩", "\u2066": "⟨U+2066⟩"}


def _payload(name: str, red: Path) -> str:
    """``name`` followed by bidi and zero-width characters and four kinds of markup."""
    markup = (
        f'<img src="{red.as_uri()}" width=600 height=400><b>bold</b><a href="x">link</a>'
        "<table><tr><td>cell</td></tr></table>"
    )
    return f"{name}{''.join(HIDDEN)}{markup}"


@pytest.fixture
def red_png(tmp_path: Path) -> Path:
    path = tmp_path / "red.png"
    Image.new("RGB", (1200, 800), (255, 0, 0)).save(path)
    return path


#: Every imported field of a case, by the name its payload starts with.
FIELDS = (
    "chan", "channel name", "platform", "@handle", "flag1", "flag2", "EXT", "reporter", "report line one",
    "report line two", "score", "item text", "https://x.example/", "note", "mallory",
)  # fmt: skip


def _hostile_case(db: Database, pack: PolicyPack, red: Path, fields: tuple[str, ...] = FIELDS) -> uuid.UUID:
    """One case whose ``fields`` (all by default) hold :func:`_payload`; the others hold just their name."""

    def p(name: str) -> str:
        return _payload(name, red) if name in fields else name

    with db.write() as s:
        channel = Channel(code=p("chan"), name=p("channel name"))
        account = Account(
            platform=p("platform"), handle=p("@handle"), risk_flags=[p("flag1"), p("flag2")], risk_score=0.9
        )
        s.add_all([channel, account])
        s.flush()
        case = Case(
            external_id=p("EXT"),
            channel_id=channel.id,
            account_id=account.id,
            category="violence",
            priority=1,
            sla_deadline=utcnow() + timedelta(minutes=30),
            risk_rank=100,
            reporter=p("reporter"),
            report_text=p("report line one") + "\n" + p("report line two"),
            scores={p("score"): 0.93},
        )
        s.add(case)
        s.flush()
        link = Item(
            case_id=case.id, kind="link", url=p("https://x.example/"), text=p("item text"), position=0
        )
        s.add(link)
        case_id = case.id
    earlier = ensure_reviewer(db, p("mallory"))
    record_decision(db, case_id=case_id, reviewer=earlier, action="note", note=p("note"), pack=pack)
    return case_id


def _open(db: Database, pack: PolicyPack, qtbot: QtBot, case_id: uuid.UUID) -> MainWindow:
    w = MainWindow(start_context(db, pack, backup=False))
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == case_id,
        timeout=UI_WAIT_MS,
    )
    return w


@pytest.fixture
def window(db: Database, pack: PolicyPack, qtbot: QtBot, red_png: Path) -> Iterator[MainWindow]:
    w = _open(db, pack, qtbot, _hostile_case(db, pack, red_png))
    yield w
    w.shutdown()


def _shown(label: QLabel) -> str:
    """What a reader sees in ``label``: its text, or the rendered text of a rich-text label."""
    if label.textFormat() == Qt.TextFormat.PlainText:
        return label.text()
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def _as_tooltip(text: str) -> str:
    """What a tooltip shows for ``text``: Qt renders it as HTML when it might be rich text."""
    if not QtGui.Qt.mightBeRichText(text):
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def _every_text(w: MainWindow) -> list[tuple[str, str]]:
    """(where, text) for every piece of text the window shows or would show on hover."""
    texts: list[tuple[str, str]] = [
        ("window title", w.windowTitle()),
        ("status", w.statusBar().currentMessage()),
    ]
    for label in w.findChildren(QLabel):
        texts.append((f"label {label.objectName()}", _shown(label)))
    for view in w.findChildren(QListWidget):
        for row in range(view.count()):
            item = view.item(row)
            texts.append((f"list {view.objectName()}", item.text()))
            texts.append((f"list tooltip {view.objectName()}", _as_tooltip(item.toolTip())))
    for edit in w.findChildren(QPlainTextEdit):
        texts.append((f"plain text {edit.objectName()}", edit.toPlainText()))
    for edit in w.findChildren(QTextEdit):
        texts.append((f"text {edit.objectName()}", edit.toPlainText()))
    for combo in w.findChildren(QComboBox):
        texts += [(f"combo {combo.objectName()}", combo.itemText(i)) for i in range(combo.count())]
    widget: QWidget
    for widget in w.findChildren(QWidget):
        texts.append((f"tooltip {type(widget).__name__}", _as_tooltip(widget.toolTip())))
    texts.append(("canvas", w.review.preview.canvas._message))
    model = w.review.model
    for column in Column:
        index = model.index(0, column)
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = model.data(index, role)
            if isinstance(value, str):
                if role == Qt.ItemDataRole.ToolTipRole:
                    value = _as_tooltip(value)
                texts.append((f"queue {column.name} {role.name}", value))
    return texts


def _case_panel_text(w: MainWindow) -> str:
    """Everything the case panel shows in full (one-line labels: their full text, as in the tooltip)."""
    panel = w.case_panel.panel
    labels = (panel.title, panel.reporter, panel.scores, panel.account, panel.flags)
    rows = [panel.timeline.item(r).text() for r in range(panel.timeline.count())]
    return "\n".join(
        [
            *(label.full_text() for label in labels),
            panel.report.toPlainText(),
            panel.notes.toPlainText(),
            *rows,
        ]
    )


def test_markup_shows_literally_and_hidden_characters_show_as_markers(
    window: MainWindow, qtbot: QtBot
) -> None:
    w = window
    qtbot.waitUntil(lambda: w.case_panel.context is not None, timeout=UI_WAIT_MS)
    shown = _case_panel_text(w)
    for name in (
        "EXT",
        "@handle",
        "platform",
        "flag1",
        "flag2",
        "reporter",
        "report line one",
        "mallory",
        "note",
    ):
        assert f"{name}⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩<img src=" in shown, name
    assert '<b>bold</b><a href="x">link</a><table>' in shown
    assert "EXT⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩<img src=" in w.review.preview.header.full_text()
    assert "item text⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩<img" in w.review.preview.text_view.toPlainText()
    assert "https://x.example/⟨U+202E⟩" in w.review.preview.canvas._message
    assert "EXT⟨U+202E⟩" in w.windowTitle()
    queue = {where: text for where, text in _every_text(w) if where.startswith("queue")}
    assert queue["queue ACCOUNT DisplayRole"].startswith("@handle⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩<img")
    assert "flag2⟨U+202E⟩" in queue["queue RISK ToolTipRole"]
    assert "<img" in queue["queue RISK ToolTipRole"]
    raw = [(where, text) for where, text in _every_text(w) if any(ch in text for ch in HIDDEN)]
    assert raw == []


def _red_pixels(image: QImage) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    red = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            red += c.red() > 200 and c.green() < 50 and c.blue() < 50
    return red


@pytest.mark.parametrize("fields", [FIELDS, *((f,) for f in FIELDS if f not in ("score", "note"))], ids=str)
def test_no_pixel_of_the_linked_picture_reaches_the_screen(
    db: Database, pack: PolicyPack, qtbot: QtBot, red_png: Path, fields: tuple[str, ...]
) -> None:
    """All fields hostile at once, and each alone (so no field hides another below the header's fold)."""
    w = _open(db, pack, qtbot, _hostile_case(db, pack, red_png, fields))
    try:
        red = _red_pixels(w.grab().toImage())
        assert red < 20, f"{red} red pixels: the linked picture was painted"  # it would be thousands
    finally:
        w.shutdown()


def _unsafe_labels(widget: QWidget) -> list[tuple[str, str]]:
    """Labels in ``widget`` that Qt may render as markup without ``ui.shell.plain`` having escaped it."""
    return [
        (label.objectName() or type(label.parent()).__name__, label.text()[:60])
        for label in widget.findChildren(QLabel)
        if label.textFormat() != Qt.TextFormat.PlainText and not is_escaped_rich(label)
    ]


def test_every_label_is_plain_text_or_escaped_rich_text(window: MainWindow) -> None:
    assert _unsafe_labels(window) == []


def test_the_note_dialog_names_the_case_as_plain_text(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: w.review.flow.rationale_box is not None, timeout=UI_WAIT_MS)
    box = w.review.flow.rationale_box
    assert box is not None
    texts = [_shown(label) for label in box.findChildren(QLabel)]
    assert any(t.startswith("Note on EXT⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩<img src=") for t in texts), texts
    assert _unsafe_labels(box) == []
    assert not any(ch in t for t in texts for ch in HIDDEN)
    box.reject()


def test_a_conflict_names_the_other_reviewer_as_plain_text(
    window: MainWindow, qtbot: QtBot, db: Database, pack: PolicyPack, red_png: Path
) -> None:
    w = window
    shown = w.review.selection.current
    assert shown is not None
    mallory = ensure_reviewer(db, _payload("mallory", red_png))
    later = utcnow() + timedelta(minutes=20)  # our lease has run out; mallory decides the case
    record_decision(
        db, case_id=shown.id, reviewer=mallory, action="keep", policy_code="NV-0", pack=pack, now=later
    )
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: w.review.flow.error_box is not None, timeout=UI_WAIT_MS)
    box = w.review.flow.error_box
    assert box is not None
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert "Already decided: mallory⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩<img src=" in box.text()
    assert "mallory⟨U+202E⟩" in w.statusBar().currentMessage()
    assert _unsafe_labels(box) == []
    assert not any(ch in text for _where, text in _every_text(w) for ch in HIDDEN)
    box.close()


# -- dialogs that show data: the support message (from a settings file), settings problems, an override


def test_the_support_message_is_shown_literally(qtbot: QtBot, red_png: Path) -> None:
    support = _payload("Call the team", red_png) + "\nsecond line"
    summary = SessionSummary(
        figures=SessionFigures(decided=1, actions={"keep": 1}, median_handle_s=3.0, mean_handle_s=3.0, timed=1),
        exposure=ExposureTotals(seconds=0.0, weighted=0.0, reveals=0),
        breaks=0,
        breaks_by_kind={},
        break_time=timedelta(0),
        duration=timedelta(minutes=5),
    )
    dialog = SummaryDialog(summary, support)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    assert _shown(dialog.support_label).startswith("Call the team⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩<img src=")
    assert _unsafe_labels(dialog) == []
    assert _red_pixels(dialog.grab().toImage()) < 20
    screen = BreakScreen()
    qtbot.addWidget(screen)
    screen.show_break("voluntary", "voluntary", None, support)
    assert screen.support_label.textFormat() == Qt.TextFormat.PlainText
    assert screen.support_label.text().startswith("Call the team⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩<img src=")
    assert screen.support_label.text().endswith("\nsecond line")  # a message of several lines keeps them


def test_settings_problems_and_an_override_show_data_literally(
    qtbot: QtBot, pack: PolicyPack, red_png: Path
) -> None:
    settings = WellbeingSettings(OrgPolicy(floors={}, defaults={}), {})
    settings.problems.append(_payload("display.blur_px: unreadable value", red_png))
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.problems.text().startswith("display.blur_px: unreadable value⟨U+202E⟩")
    assert _unsafe_labels(dialog) == []
    standing = StandingDecision(uuid.uuid4(), _payload("mallory", red_png), utcnow(), "keep", "NV-0")
    override = OverrideDialog(standing, pack, "violence")
    qtbot.addWidget(override)
    assert _unsafe_labels(override) == []
    assert any(
        "mallory⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩<img" in _shown(label) for label in override.findChildren(QLabel)
    )

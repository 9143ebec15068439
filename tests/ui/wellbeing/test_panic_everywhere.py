"""F12 hides everything while any prompt is open (modal dialogs included) and cancels them; Escape
cancels a prompt and panics only in the main window with no prompt open."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.demo import DemoSpec, build_demo
from reviewer.models import Decision
from reviewer.storage.database import Database
from tests.support.windows import open_window
from ui.commands import CommandPalette
from ui.shell.main_window import MainWindow
from ui.shell.plain import message_box
from ui.wellbeing.panic import open_dialogs
from ui.wellbeing.settings_dialog import SettingsDialog


@pytest.fixture
def window(db: Database, pack, qtbot: QtBot) -> Iterator[MainWindow]:
    build_demo(db, DemoSpec(cases=8, seed=4, images=4))
    w = open_window(db, pack, qtbot)
    yield w
    w.shutdown()


def in_modal(open_it: Callable[[], None], inside: Callable[[QWidget], None]) -> list[str]:
    """Run ``open_it`` (which opens a modal dialog, with exec() or open()) and ``inside(dialog)`` once it
    shows.

    Returns the class names of the dialogs seen. A dialog still open after ``inside`` is rejected so a
    failing test ends instead of hanging, and is reported as "left open".
    """
    seen: list[str] = []
    state = {"returned": False}

    def poke() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            if not state["returned"]:
                QTimer.singleShot(5, poke)  # a poll interval while exec() starts its loop
            return
        seen.append(type(dialog).__name__)
        inside(dialog)
        if dialog.isVisible():
            seen.append("left open")
            dialog.close()

    QTimer.singleShot(0, poke)
    open_it()
    if not seen and QApplication.activeModalWidget() is not None:
        poke()  # opened with open() (window-modal, not blocking): it is up already
    state["returned"] = True
    return seen


def press_in(qtbot: QtBot, dialog: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(dialog.focusWidget() or dialog, key)


def assert_blank(w: MainWindow) -> None:
    assert w.screens.current == "hidden" and w.review.preview.hidden
    assert not open_dialogs(w)
    shot = w.grab().toImage()
    samples = Counter(shot.pixel(x, y) for x in range(0, shot.width(), 3) for y in range(0, shot.height(), 3))
    dominant = samples.most_common(1)[0][1] / sum(samples.values())
    assert dominant > 0.9, dominant


def test_f12_with_settings_open_hides_everything_and_saves_nothing(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    changes: list[object] = []
    w.prefs.changed.connect(lambda *a: changes.append(a))

    def inside(dialog: QWidget) -> None:
        assert isinstance(dialog, SettingsDialog)
        press_in(qtbot, dialog, Qt.Key.Key_F12)

    seen = in_modal(lambda: w.registry.trigger("app.settings"), inside)
    assert seen == ["SettingsDialog"]
    assert_blank(w)
    assert changes == []
    # Restoring comes back to blurred content with no dialog.
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_F12)
    assert w.screens.current == "work" and w.review.preview.canvas.reveal_mode is None
    assert not open_dialogs(w)


def test_f12_with_the_note_prompt_open_writes_no_note(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    w = window

    def inside(dialog: QWidget) -> None:
        qtbot.keyClicks(dialog.focusWidget(), "half typed note")
        press_in(qtbot, dialog, Qt.Key.Key_F12)

    seen = in_modal(lambda: w.registry.trigger("decision.note"), inside)
    assert seen == ["RationaleBox"]
    assert_blank(w)
    w.ctx.tasks.wait_db_idle()
    with db.read() as s:
        assert s.execute(select(Decision)).first() is None


def test_f12_with_the_palette_open_hides_everything(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    ran: list[str] = []
    w.registry.triggered.connect(ran.append)

    def inside(dialog: QWidget) -> None:
        assert isinstance(dialog, CommandPalette)
        qtbot.keyClicks(dialog.focusWidget(), "keep")
        press_in(qtbot, dialog, Qt.Key.Key_F12)

    seen = in_modal(lambda: w.registry.trigger("app.palette"), inside)
    assert seen == ["CommandPalette"]
    assert_blank(w)
    assert "decision.keep" not in ran


@pytest.mark.parametrize("action", ["app.settings", "app.palette", "decision.note"])
def test_escape_in_a_prompt_cancels_it_and_does_not_panic(
    window: MainWindow, qtbot: QtBot, db: Database, action: str
) -> None:
    w = window

    def inside(dialog: QWidget) -> None:
        press_in(qtbot, dialog, Qt.Key.Key_Escape)

    seen = in_modal(lambda: w.registry.trigger(action), inside)
    assert len(seen) == 1, seen  # closed by Escape itself, not by the safety net
    assert w.screens.current == "work" and not w.review.preview.hidden
    w.ctx.tasks.wait_db_idle()
    with db.read() as s:
        assert s.execute(select(Decision)).first() is None


def test_escape_in_the_window_cancels_the_policy_prompt_first_then_panics(
    window: MainWindow, qtbot: QtBot
) -> None:
    w = window
    w.review.picks.act("remove")  # remove needs a policy: the pick prompt asks
    assert w.review.picks.pending_action == "remove"
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Escape)
    assert w.review.picks.pending_action is None and w.screens.current == "work"
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Escape)
    assert w.screens.current == "hidden"
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Escape)
    assert w.screens.current == "work"


def test_f12_closes_a_non_modal_message_and_hides(window: MainWindow, qtbot: QtBot) -> None:
    box = message_box(QMessageBox.Icon.Warning, "Decision NOT saved", "disk full", window)
    box.setModal(False)
    box.show()  # the non-blocking box a failed write shows
    qtbot.keyClick(box.focusWidget() or box, Qt.Key.Key_F12)
    assert not box.isVisible()
    assert_blank(window)

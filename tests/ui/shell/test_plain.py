"""ui.shell.plain: the one place where imported text is turned into something a Qt widget shows."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from ui.review.preview_pane import PreviewPane
from ui.shell.plain import (
    Lines,
    is_escaped_rich,
    make_all_plain,
    message_box,
    plain_label,
    rich,
    rich_label,
    set_rich,
    tooltip,
)

HOSTILE = '<img src="file:///x.png"><b>b</b>&amp;\u202e\u200b'


def _rendered(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()


def test_rich_escapes_every_value_and_keeps_the_template_markup() -> None:
    out = rich("<b>{name}</b> · {other}", name=HOSTILE, other=3)
    assert (
        out
        == "<b>&lt;img src=&quot;file:///x.png&quot;&gt;&lt;b&gt;b&lt;/b&gt;&amp;amp;⟨U+202E⟩⟨U+200B⟩</b> · 3"
    )
    assert _rendered(out) == '<img src="file:///x.png"><b>b</b>&amp;⟨U+202E⟩⟨U+200B⟩ · 3'


def test_a_value_is_filled_in_once_never_read_as_a_template() -> None:
    assert rich("{a}", a="{b} {0}") == "{b} {0}"


def test_one_line_values_show_their_line_breaks_and_lines_keep_them() -> None:
    assert rich("{v}", v="a\nb\tc") == "a⟨U+000A⟩b⟨U+0009⟩c"
    assert rich("{v}", v=Lines("a\nb\tc\u202e")) == "a\nb\tc⟨U+202E⟩"


def test_set_rich_marks_the_label_and_plain_labels_are_plain(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    assert not is_escaped_rich(label)
    set_rich(label, "<b>{v}</b>", v=HOSTILE)
    assert label.textFormat() == Qt.TextFormat.RichText and is_escaped_rich(label)
    assert _rendered(label.text()).startswith('<img src="file:///x.png">')
    made = rich_label("<b>Queue</b>")
    assert is_escaped_rich(made) and made.text() == "<b>Queue</b>"
    plain = plain_label(HOSTILE)
    assert plain.textFormat() == Qt.TextFormat.PlainText and not is_escaped_rich(plain)
    assert plain.text() == HOSTILE  # the caller makes imported values visible; the label shows what it gets


def test_a_tooltip_shows_markup_literally_over_several_lines() -> None:
    tip = tooltip("@h<img src=x>\u202e\nflag <b>2</b>")
    assert QtGui.Qt.mightBeRichText(tip)  # Qt renders it as HTML, so everything in it must be escaped
    assert _rendered(tip) == "@h<img src=x>⟨U+202E⟩\nflag <b>2</b>"
    assert tooltip("") == "" and tooltip(None) == ""


def test_a_message_box_shows_data_as_plain_text(qtbot: QtBot) -> None:
    box = message_box(QMessageBox.Icon.Warning, "Not saved \u202e", f"held by {HOSTILE}\nsecond line")
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == "held by " + HOSTILE.replace("\u202e\u200b", "⟨U+202E⟩⟨U+200B⟩") + "\nsecond line"
    assert box.windowTitle() == "Not saved ⟨U+202E⟩"
    box.setInformativeText("<b>later</b>")
    make_all_plain(box)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in box.findChildren(QLabel))


def test_the_duplicates_banner_escapes_the_other_case(qtbot: QtBot) -> None:
    pane = PreviewPane()
    qtbot.addWidget(pane)
    pane.set_duplicate_banner(
        "Duplicate of {external_id}, decided <b>{action}</b>", external_id=HOSTILE, action="k"
    )
    banner = pane.duplicate_banner
    assert is_escaped_rich(banner) and not banner.isHidden()
    assert _rendered(banner.text()).startswith('Duplicate of <img src="file:///x.png"><b>b</b>&amp;⟨U+202E⟩')
    pane.set_duplicate_banner(None)
    assert banner.isHidden()

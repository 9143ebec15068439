"""The one way text reaches the screen: plain-text labels, and rich text only through :func:`rich`.

Imported strings (handles, ids, flags, report texts, urls, notes, policy text, the support message) are
hostile. Qt's default ``AutoText`` renders any string that looks like markup as HTML, so an
``<img src="file:///…">`` in a risk flag would paint a local picture, unblurred. Therefore:

- a label is made with :func:`plain_label` (or :func:`make_plain`): ``Qt.TextFormat.PlainText``, shown
  exactly as given (pass imported values through :func:`reviewer.display.visible` first);
- where part of a label must be bold, :func:`set_rich` fills a trusted template whose every value is
  made visible and HTML-escaped, and marks the label so a test can check that every rich-text label in
  the window came through here (:func:`is_escaped_rich`);
- tooltips are rich-text-detected by Qt too: :func:`tooltip` turns any text into escaped HTML;
- message boxes that show data are made with :func:`message_box` (plain text).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from reviewer.display import visible
from ui.accessibility.names import name_on_show

#: Dynamic property set on every label whose rich text was built by :func:`set_rich`.
ESCAPED_RICH = "escapedRichText"


class Lines(str):
    """A value for :func:`rich` that may hold several lines (a report text): newlines and tabs are kept."""


def escape(value: object) -> str:
    """``value`` as text, hidden characters made visible, then HTML-escaped."""
    text = str(value)
    return html.escape(visible(text, multiline=isinstance(value, Lines)))


def rich(template: str, /, **values: object) -> str:
    """``template`` (trusted markup with ``{name}`` fields) filled with escaped, visible ``values``."""
    return template.format(**{name: escape(value) for name, value in values.items()})


def set_rich(label: QLabel, template: str, /, **values: object) -> None:
    """Show ``template`` filled by :func:`rich` in ``label`` as rich text, and mark the label."""
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setProperty(ESCAPED_RICH, True)
    label.setText(rich(template, **values))


def is_escaped_rich(label: QLabel) -> bool:
    """Whether ``label``'s rich text was built by :func:`set_rich`."""
    return bool(label.property(ESCAPED_RICH))


def make_plain(label: QLabel) -> QLabel:
    """``label`` set to show its text as plain text, never as markup; returned for chaining."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def make_all_plain(widget: QWidget) -> None:
    """Every label inside ``widget`` (a dialog Qt builds, such as ``QInputDialog``) set to plain text."""
    for label in widget.findChildren(QLabel):
        make_plain(label)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows ``text`` as plain text (pass imported values through ``visible`` first)."""
    return make_plain(QLabel(text, parent))


def rich_label(template: str, /, **values: object) -> QLabel:
    """A label showing ``template`` filled by :func:`rich` (trusted bold/small parts, escaped values)."""
    label = QLabel()
    set_rich(label, template, **values)
    return label


def tooltip(text: str | None) -> str:
    """A tooltip that shows ``text`` (several lines allowed) literally: escaped HTML, hidden characters
    made visible. Qt would render a plain string that looks like markup as HTML."""
    if not text:
        return ""
    return f"<p style='white-space:pre-wrap'>{escape(Lines(text))}</p>"


def message_box(
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    parent: QWidget | None = None,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
) -> QMessageBox:
    """A message box showing ``text`` (which may hold imported values) as plain text, hidden characters
    made visible. The caller opens it (``open()`` or ``exec()``)."""
    box = QMessageBox(icon, visible(title), visible(text, multiline=True), buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    make_all_plain(box)
    name_on_show(box)  # its buttons get accessible names, those the caller adds too
    return box

"""Walking a window for accessibility: controls without an accessible name, and labels that are cut.

Shared by the accessibility tests and by any feature test that wants to check its own new widgets.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QSlider,
    QStatusBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from ui.accessibility.elide import ELIDED, elided_text
from ui.review.media_canvas import MediaCanvas

#: Controls a reviewer operates or reads as a unit; each needs its own accessible name and description.
CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QAbstractItemView,
    QComboBox,
    QAbstractSpinBox,
    QSlider,
    MediaCanvas,
)
#: Parts of a composite control (a spin box's line edit, a table's header, a tab bar's scroll arrows):
#: named through the composite they belong to.
_COMPOSITES = (*CONTROLS, QTabBar, QScrollBar)


def _inside_composite(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, _COMPOSITES):
            return True
        parent = parent.parentWidget()
    return False


def describe(widget: QWidget) -> str:
    """How a failure names a widget: class, object name and any text it shows."""
    text = widget.text() if isinstance(widget, QAbstractButton | QLabel | QLineEdit) else ""
    return f"{type(widget).__name__}#{widget.objectName() or '?'} {text!r}"


def unnamed_controls(root: QWidget) -> list[str]:
    """Every control under ``root`` (itself included) lacking an accessible name or description, and every
    status-bar label lacking a name."""
    missing: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, CONTROLS) and not _inside_composite(widget, root):
            if not widget.accessibleName().strip():
                missing.append(f"no name: {describe(widget)}")
            elif not widget.accessibleDescription().strip():
                missing.append(f"no description: {describe(widget)}")
        elif (
            isinstance(widget, QLabel)
            and isinstance(widget.parentWidget(), QStatusBar)
            and not widget.accessibleName().strip()
        ):
            missing.append(f"no name: status-bar {describe(widget)}")
    return missing


def cut_labels(root: QWidget) -> list[str]:
    """Visible labels under ``root`` whose text does not fit their size, unless a tooltip holds it.

    A label that elides its text (:mod:`ui.accessibility.elide`) may show it cut with "…" if its tooltip
    holds it; any other label must show its whole text: one line within its width, a word-wrapped one
    within its height."""
    cut: list[str] = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text() or label.width() <= 0:
            continue
        hint = label.sizeHint()  # the text's own size, rich or plain, margins and indent included
        if label.property(ELIDED) is not None:  # paints its text elided when short of room
            label.grab()  # paint now: the label decides there what it shows and its tooltip
            if elided_text(label).endswith("…") and label.toolTip():
                continue
        if label.wordWrap():
            fits = label.heightForWidth(label.width()) <= label.height()
        else:
            fits = hint.width() <= label.width() and hint.height() <= label.height()
        if not fits and not label.toolTip():
            cut.append(f"{describe(label)} {label.size().toTuple()} needs {hint.toTuple()}")
    return cut

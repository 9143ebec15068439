"""Walking a window for accessibility: controls without an accessible name (labels that are cut:
``tests.support.labels.clipped_labels``).

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

"""The theme choice as a Settings page: one combo box of the themes, with a line on what each does."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from ui.accessibility.theme import THEMES, known
from ui.shell.plain import plain_label

HELP = (
    "High contrast shows light text on black with a thick yellow frame around the control that has the "
    "keyboard focus. Ctrl+Shift+H (or the palette command 'Theme: high contrast on/off') switches it too."
)


class ThemePicker(QWidget):
    """A combo box of :data:`THEMES` starting at ``current`` (an unknown name shows the standard theme)."""

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("themePicker")
        self.combo = QComboBox()
        self.combo.setObjectName("field:display.theme")
        self.combo.setAccessibleName("Theme")
        self.combo.setAccessibleDescription(HELP)
        for name, title in THEMES.items():
            self.combo.addItem(title, name)
        self.select(current)
        label = plain_label("&Theme")
        label.setBuddy(self.combo)
        note = plain_label(HELP)
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(label, self.combo)
        form.addRow("", note)
        self.setFocusProxy(self.combo)

    def select(self, name: str) -> None:
        self.combo.setCurrentIndex(self.combo.findData(known(name)))

    def chosen(self) -> str:
        """The theme name selected."""
        return str(self.combo.currentData())

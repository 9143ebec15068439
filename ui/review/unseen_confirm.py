"""A confirming key before keep or remove on severe content whose media was never revealed.

The rule is the core's (:meth:`reviewer.wellbeing.severity.RevealRules.confirms_decision`, switched on by
the ``warnings.confirm_unrevealed_decision`` setting, which the organisation floor can require); this
module only asks. Keyboard only: Enter proceeds, Esc goes back to the case and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from reviewer.actions import ACTION_KINDS
from reviewer.categories import category_label
from ui.review.preview_pane import PreviewPane
from ui.shell.plain import plain_label, set_rich


class UnseenPrompt(QDialog):
    """"Decide without looking?": Enter (the confirming key) proceeds, Esc cancels."""

    def __init__(self, action: str, category: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unseenPrompt")
        self.setWindowTitle("Decide without looking?")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.message = plain_label()
        self.message.setObjectName("unseenPromptText")
        self.message.setWordWrap(True)
        set_rich(
            self.message,
            "<b>{action}</b> on {label} content you have not revealed.<br/>"
            "<b>Enter</b> saves it anyway · <b>Esc</b> goes back to the case (nothing is saved).",
            action=ACTION_KINDS[action].label if action in ACTION_KINDS else action,
            label=category_label(category),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addWidget(self.message)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
        elif event.key() == Qt.Key.Key_Escape:
            self.reject()
        else:
            event.accept()  # every other key is swallowed: the prompt needs a deliberate answer


class UnseenConfirm:
    """Asks before a decision on never-revealed severe content, when the rule says so."""

    def __init__(self, preview: PreviewPane, window: QWidget) -> None:
        self.preview, self.window = preview, window
        self.prompt: UnseenPrompt | None = None

    def asks(self, action: str, proceed: Callable[[], None]) -> bool:
        """Whether ``action`` needs confirming first; if so the prompt is open and ``proceed`` runs on Enter."""
        case, warning = self.preview.case, self.preview.content_warning()
        if case is None or warning is None:
            return False
        needed = self.preview.rules.confirms_decision(
            action, warning, revealed=self.preview.revealed_this_case, has_media=bool(case.media_items())
        )
        if not needed:
            return False
        if self.prompt is not None:
            self.prompt.close()
        prompt = UnseenPrompt(action, case.category, self.window)
        prompt.accepted.connect(proceed)
        prompt.finished.connect(lambda _result: self._closed(prompt))
        self.prompt = prompt
        prompt.open()
        prompt.setFocus()
        return True

    def _closed(self, prompt: UnseenPrompt) -> None:
        if self.prompt is prompt:
            self.prompt = None
        prompt.deleteLater()

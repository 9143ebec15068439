"""QA second review in the main window: the blind QA lane (F7) and the leads' adjudications (Ctrl+Shift+A)."""

from ui.qa.actions import ACTIONS, QaFeature, install

__all__ = ["ACTIONS", "QaFeature", "install"]

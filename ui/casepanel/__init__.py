"""The case panel: report, items, scores, account card and timeline, related cases, notes."""

from ui.casepanel.actions import ACTIONS, CasePanelFeature, install

__all__ = ["ACTIONS", "CasePanelFeature", "install"]

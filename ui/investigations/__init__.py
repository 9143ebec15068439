"""Investigations: the Investigations window (F6), adding the case on screen (I) or its account (Shift+I)."""

from ui.investigations.actions import ACTIONS, InvestigationsFeature, install

__all__ = ["ACTIONS", "InvestigationsFeature", "install"]

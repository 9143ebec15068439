"""Responses to the party that escalated a case: the composer (Ctrl+R) and the responses list (F8)."""

from ui.responses.actions import ACTIONS, ResponsesFeature, install

__all__ = ["ACTIONS", "ResponsesFeature", "install"]

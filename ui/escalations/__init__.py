"""Escalation tiers in the running app: the tier queues (Ctrl+0 … Ctrl+3) and the escalation line of
the case on screen (``install`` in ``actions.py``)."""

from ui.escalations.actions import ACTIONS, EscalationsFeature, install

__all__ = ["ACTIONS", "EscalationsFeature", "install"]

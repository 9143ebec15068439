"""Policy gaps (flag, list, close, export) and policy updates (changed-section markers, the diff view)."""

from ui.policy_updates.actions import ACTIONS, PolicyFeature, install

__all__ = ["ACTIONS", "PolicyFeature", "install"]

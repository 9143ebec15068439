"""Team sync in the running app: background sync and its status-bar indicator, taking cases offline,
and the Conflicts view (``install`` in ``actions.py``)."""

from ui.sync.actions import ACTIONS, SyncFeature, install

__all__ = ["ACTIONS", "SyncFeature", "install"]

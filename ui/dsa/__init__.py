"""EU DSA statements of reasons: the statement of a decision (F2) and the list of those missing fields."""

from ui.dsa.actions import ACTIONS, DsaFeature, install

__all__ = ["ACTIONS", "DsaFeature", "install"]

"""Reviewer Workstation core: domain, storage, media, policy, wellbeing. Never imports Qt."""

__version__ = "0.1.0"

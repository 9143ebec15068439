"""Reviewer wellbeing: settings with organisation floors, exposure, breaks, rotation, session summary.

Everything here is plain Python over the core database; the UI adapts it. No Qt.
"""

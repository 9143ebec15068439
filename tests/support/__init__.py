"""Helpers shared by tests: corpus builders, hostile media, crash writers."""

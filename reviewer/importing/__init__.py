"""Importing cases from JSON Lines, all or nothing."""

"""Appeals: imported from JSON Lines (``importing``), worked by a reviewer other than the one who decided,
ending as uphold or overturn — new decisions linked to the original, never edits (``outcomes``)."""

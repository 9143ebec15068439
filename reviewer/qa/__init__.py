"""Blind second review (QA): a sample of final decisions, decided again by another reviewer who does not
see the first decision; disagreements adjudicated by a lead. ``sampling``: rates and the sampling step;
``reviews``: the QA queue, verdicts and adjudications."""

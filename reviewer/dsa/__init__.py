"""EU Digital Services Act statements of reasons (Art. 17, Art. 24(5)) for the Transparency Database.

``values`` (the published lists), ``rules`` (the published validation), ``mapping`` (a pack's ``[dsa]``),
``derive`` (a statement from a decision, its pack version, its case and the reviewer's amendments),
``export`` (API batches as JSON, CSV) and ``amend`` (the hand-entered fields).
"""

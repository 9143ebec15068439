"""Which index terms an import stops writing to ``case_term``: the words in too many cases to list.

A search lists the cases of its rarest word from ``case_term`` only when there are at most
``queue_search.CANDIDATE_LIMIT`` of them; a word in more cases is checked row by row, in each case's own
``terms``, as the search walks the queue. So the ``case_term`` rows of such a word are never read once it
is known to be common (``common_term``), and an import leaves them out for the cases it writes (their
``terms`` are written). In the bench's 1M import, 9 of the 10 rows per case (issue 17 part 6).

A term becomes common here when this import alone holds it in more than the limit of cases; a term
already common in the database stays so. Only terms seen at least ``TRACK_MIN`` times in one batch are
counted across batches, so a file of a million distinct words (ids, names) costs no memory here; such a
word is simply indexed, as before.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator

from reviewer import queue_search

TRACK_MIN = 2


class CommonTerms:
    """The import's view of the common terms: those of the database, and those it finds."""

    def __init__(self, known: set[int], limit: int | None = None) -> None:
        self.known = set(known)
        self.limit = queue_search.CANDIDATE_LIMIT if limit is None else limit
        self._counts: dict[int, int] = {}

    def split(self, terms: array) -> tuple[list[tuple[int, int]], list[int]]:
        """For one batch's terms (sorted, as the workers make them): the ``(start, end)`` runs of it to
        write to ``case_term``, and the terms found common with this batch (to record in the same
        transaction). With no common term in the batch: one run, the whole of it."""
        runs = Counter(terms)  # counted in C; its keys in the order first seen: ascending, as ``terms``
        counts, limit, newly = self._counts, self.limit, []
        for value, n in runs.items():
            if n >= TRACK_MIN and value not in self.known:
                total = counts.get(value, 0) + n
                if total > limit:
                    newly.append(value)
                    counts.pop(value, None)
                else:
                    counts[value] = total
        self.known.update(newly)
        if self.known.isdisjoint(runs):
            return [(0, len(terms))], newly
        return list(_kept(runs, self.known)), newly


def _kept(runs: Counter[int], common: set[int]) -> Iterator[tuple[int, int]]:
    start = end = 0
    for value, n in runs.items():
        if value in common:
            if end > start:
                yield start, end
            start = end = end + n
        else:
            end += n
    if end > start:
        yield start, end

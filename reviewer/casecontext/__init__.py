"""What surrounds one case: the account's timeline and the related cases, read on the db-read worker.

Plain functions over a :class:`~reviewer.storage.database.Database` returning frozen dataclasses; every
query is bounded (``LIMIT``) and runs on an index (account, decision by case, media hash), except the
PDQ near-match scan, which is :func:`reviewer.duplicates.media_matches`.
"""

from reviewer.casecontext.related import RELATED_LIMIT, RelatedCase, related_cases
from reviewer.casecontext.timeline import TIMELINE_CASES, TimelineEntry, account_timeline

__all__ = [
    "RELATED_LIMIT",
    "TIMELINE_CASES",
    "RelatedCase",
    "TimelineEntry",
    "account_timeline",
    "related_cases",
]

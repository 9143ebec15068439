"""QA agreement: of the blind second reviews given in the range, how often the second reviewer chose the
same action as the first — percent agreement and Cohen's kappa — per policy (the first decision's) and per
reviewer (whose decisions were reviewed). Agreement is on the action only (``reviewer.qa.reviews``).

Cohen's kappa (J. Cohen, "A coefficient of agreement for nominal scales", Educational and Psychological
Measurement 20(1), 1960): κ = (p_o − p_e) / (1 − p_e), where p_o is the observed share of pairs that agree
and p_e = Σ_k (n_1k / n)(n_2k / n) the agreement expected by chance from each rater's share of label k.
Undefined (None) when p_e = 1 (both raters always chose one and the same label).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select

from reviewer.metrics.filters import MetricsFilter
from reviewer.metrics.table import Column, Table
from reviewer.models import Case, QaReview, Reviewer, table_of
from reviewer.storage.database import Database

_qa, _c, _r = table_of(QaReview), table_of(Case), table_of(Reviewer)
COLUMNS = (
    Column("reviews", "int"),
    Column("agreed", "int"),
    Column("agreement", "percent"),
    Column("kappa", "float"),
)


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """κ of (first label, second label) pairs; None for no pairs or when chance agreement is certain."""
    n = len(pairs)
    if not n:
        return None
    p_o = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    p_e = sum(first[k] * second[k] for k in first) / (n * n)
    if p_e == 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def _row(key: str, pairs: list[tuple[str, str]]) -> tuple[object, ...]:
    agreed = sum(a == b for a, b in pairs)
    return (key, len(pairs), agreed, agreed / len(pairs), cohen_kappa(pairs))


def _pairs(db: Database, flt: MetricsFilter) -> Iterable[tuple[str, str, str, str]]:
    q = (
        select(
            func.coalesce(_qa.c.first_policy, "(none)"), _r.c.handle, _qa.c.first_action, _qa.c.verdict_action
        )
        .join(_c, _c.c.id == _qa.c.case_id)
        .join(_r, _r.c.id == _qa.c.first_reviewer_id)
        .where(
            _qa.c.verdict_action.is_not(None),
            _qa.c.verdict_at >= flt.since,
            _qa.c.verdict_at < flt.until,
        )
    )
    if flt.channel:
        q = q.where(_qa.c.channel_code == flt.channel)
    if flt.category:
        q = q.where(_c.c.category == flt.category)
    with db.read() as s:
        return [(str(p), str(h), str(a), str(b)) for p, h, a, b in s.execute(q)]


def agreement_tables(db: Database, flt: MetricsFilter) -> tuple[Table, Table]:
    """(per policy, per reviewer)."""
    by_policy: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_reviewer: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for policy, handle, first, second in _pairs(db, flt):
        by_policy[policy].append((first, second))
        by_reviewer[handle].append((first, second))
    return (
        Table(
            "qa_agreement_policy",
            "QA agreement by policy",
            (Column("policy"), *COLUMNS),
            tuple(_row(k, by_policy[k]) for k in sorted(by_policy)),
            series=(3,),
        ),
        Table(
            "qa_agreement_reviewer",
            "QA agreement by reviewer",
            (Column("reviewer"), *COLUMNS),
            tuple(_row(k, by_reviewer[k]) for k in sorted(by_reviewer)),
            series=(3,),
        ),
    )

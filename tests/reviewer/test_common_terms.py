"""Words too common to list from the index (schema 0018): an import leaves their ``case_term`` rows out
and keeps each case's own terms in its row; searches still match exactly, old cases (``terms`` NULL,
every word in ``case_term``) included."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from reviewer import queue_search
from reviewer.importing.common_terms import CommonTerms
from reviewer.importing.importer import import_file
from reviewer.models import Case, CaseTerm, CommonTerm
from reviewer.queue import QueueFilter, _report_text_match, count, fetch_page, search_plan
from reviewer.storage.database import Database
from reviewer.vault.opening import open_vault
from reviewer.vault.sealing import term_set
from tests.reviewer.vault.conftest import write_source

LIMIT = 5  # a word in more than 5 cases is "common" here (CANDIDATE_LIMIT is 4,000 in the app)


def _line(n: int) -> dict[str, object]:
    rare = " zebra" if n in (3, 17, 30) else ""
    return {
        "id": f"CT-{n:03d}",
        "channel": "partner",
        "category": "violence",
        "priority": 1 + n % 4,
        "report_text": f"Report {n}: threat against the desk{rare}" + (" urgent" if n % 2 else ""),
        "items": [{"kind": "text", "text": f"item {n}"}],
    }


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue_search, "CANDIDATE_LIMIT", LIMIT)


def _terms_of(db: Database, word: str) -> int:
    vault = open_vault(db)
    assert vault is not None
    return vault.terms(word).pop()


def _external(db: Database, search: str) -> list[str]:
    with db.read() as s:
        return sorted(r.external_id for r in fetch_page(s, QueueFilter(text=search), None, 500))


def test_the_split_keeps_the_runs_of_uncommon_terms_and_finds_the_common_across_batches() -> None:
    common = CommonTerms({7}, limit=4)
    # Sorted terms as the workers send them: 1 x3, 5 x1, 7 x2 (known common), 9 x3.
    runs, newly = common.split(array("q", [1, 1, 1, 5, 7, 7, 9, 9, 9]))
    assert runs == [(0, 4), (6, 9)] and newly == []
    runs, newly = common.split(array("q", [1, 1, 5, 9]))  # 1 reaches 5 cases (> 4); 9 has 4; 5 untracked
    assert newly == [1] and runs == [(2, 4)]
    runs, newly = common.split(array("q", [1, 5, 9, 9]))  # 9 reaches 6
    assert newly == [9] and runs == [(1, 2)]
    assert common.split(array("q", [2, 3])) == ([(0, 2)], [])  # none common: the whole batch
    assert common.split(array("q", [])) == ([(0, 0)], [])


def test_an_import_leaves_out_the_rows_of_common_words_and_searches_match_exactly(
    db: Database, tmp_path: Path, limited: None
) -> None:
    import_file(db, write_source(tmp_path / "src", [_line(n) for n in range(40)]))
    desk, zebra, urgent = (_terms_of(db, w) for w in ("desk", "zebra", "urgent"))
    with db.read() as s:
        common = set(s.execute(select(CommonTerm.term)).scalars())
        rows = dict(s.execute(select(CaseTerm.term, func.count()).group_by(CaseTerm.term)).all())
        sets = s.execute(select(Case.external_id, Case.terms)).all()
    assert {desk, urgent} <= common and zebra not in common
    assert desk not in rows and urgent not in rows and rows[zebra] == 3  # left out; the rare one kept
    vault = open_vault(db)
    assert vault is not None
    for external_id, stored in sets:  # each case's own terms, exactly its words'
        n = int(external_id[3:])
        assert stored == term_set(sorted(vault.terms(str(_line(n)["report_text"]))))
    assert _external(db, "desk") == [f"CT-{n:03d}" for n in range(40)]
    assert _external(db, "URGENT desk") == [f"CT-{n:03d}" for n in range(1, 40, 2)]
    assert _external(db, "zebra urgent") == ["CT-003", "CT-017"]
    assert _external(db, "zebra desk") == ["CT-003", "CT-017", "CT-030"]
    assert _external(db, "desk nothing") == []
    with db.read() as s:
        assert search_plan(s, QueueFilter(text="zebra desk")) == "candidates"  # the rare word listed
        assert search_plan(s, QueueFilter(text="urgent desk")) == "walk"  # every word common
        assert count(s, QueueFilter(text="urgent desk")) == 20


def test_a_case_written_before_its_row_kept_terms_is_still_found(
    db: Database, tmp_path: Path, limited: None
) -> None:
    """A case of a database from before schema 0018 has ``terms`` NULL and every word in ``case_term``;
    a later import makes one of its words common: the walk checks it through ``case_term``."""
    import_file(db, write_source(tmp_path / "old", [_line(n) for n in range(3)]))  # 3 cases: nothing common
    with db.write() as s:
        s.execute(update(Case).values(terms=None))
    import_file(db, write_source(tmp_path / "new", [_line(n) for n in range(100, 120)]))
    desk = _terms_of(db, "desk")
    with db.read() as s:
        assert s.execute(select(CommonTerm.term).where(CommonTerm.term == desk)).first() is not None
        nulls = s.execute(select(func.count()).select_from(Case).where(Case.terms.is_(None))).scalar()
    assert nulls == 3
    assert _external(db, "desk") == [f"CT-{n:03d}" for n in [0, 1, 2, *range(100, 120)]]
    assert _external(db, "desk urgent") == [f"CT-{n:03d}" for n in [1, *range(101, 120, 2)]]


def test_a_term_stored_across_an_unaligned_offset_does_not_match(db: Database, tmp_path: Path) -> None:
    """The row's terms are read 8 bytes at a time: bytes that straddle two terms are not a term."""
    import_file(db, write_source(tmp_path / "src", [_line(1)]))
    vault = open_vault(db)
    assert vault is not None
    own = sorted(vault.terms(str(_line(1)["report_text"])))
    straddle = term_set(own[:2])[4:12]  # the last 4 bytes of one term and the first 4 of the next
    fake = int.from_bytes(straddle, "big", signed=True)
    with db.read() as s:
        stored = s.execute(select(Case.terms)).scalar_one()
        assert straddle in stored
        real = s.execute(select(Case.external_id).where(_report_text_match((own[1],)))).scalars().all()
        faked = s.execute(select(Case.external_id).where(_report_text_match((fake,)))).scalars().all()
    assert real == ["CT-001"] and faked == [] and fake not in own

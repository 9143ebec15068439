"""Text search on the team server (PostgreSQL, texts plain, pg_trgm indexes of schema 0016) and on a
working copy after a pull (texts sealed: the word index, and the handle index filled by its triggers)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from reviewer import queue_search
from reviewer.models import Account, Case
from reviewer.queue import QueueFilter, count, fetch_page, search_plan
from reviewer.storage.database import Database
from tests.support import server_data as S

pytestmark = pytest.mark.postgres

ME = uuid.UUID("11111111-2222-4333-8444-555555555555")


def _handle_of(db: Database, case_id: uuid.UUID) -> str:
    with db.read() as s:
        handle = s.scalar(
            select(Account.handle).join(Case, Case.account_id == Account.id).where(Case.id == case_id)
        )
    assert handle is not None
    return handle


def _found(db: Database, search: str) -> list[uuid.UUID]:
    with db.read() as s:
        return sorted(r.id for r in fetch_page(s, QueueFilter(text=search), None, 500))


def test_the_server_has_trigram_indexes_and_searches_through_them(
    server: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = S.add_cases(server, 3) + S.add_cases(server, 2, start=3)
    with server.read() as s:
        names = set(
            s.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")).scalars()
        )
    assert {"ix_account_handle_trgm", "ix_case_report_text_trgm"} <= names
    handle = _handle_of(server, cases[4])
    searches = {
        handle[2:7].upper(): sorted(cases[3:]),
        "report 1": [cases[1]],
        f"{S.SECRET} rep": sorted(cases),
    }
    for search, expected in searches.items():
        with server.read() as s:
            assert search_plan(s, QueueFilter(text=search)) == "candidates"
            assert count(s, QueueFilter(text=search)) == len(expected)
        assert _found(server, search) == expected, search
    monkeypatch.setattr(queue_search, "CANDIDATE_LIMIT", -1)  # the walk gives the same
    for search, expected in searches.items():
        with server.read() as s:
            assert search_plan(s, QueueFilter(text=search)) == "walk"
        assert _found(server, search) == expected, search


def test_pulled_cases_are_found_by_handle_and_word(server: Database, db: Database) -> None:
    cases = S.add_cases(server, 3)
    S.caught_up(db, server, source_id=ME)
    handle = _handle_of(db, cases[0])
    with db.read() as s:
        assert search_plan(s, QueueFilter(text=handle[1:6])) == "candidates"
        assert search_plan(s, QueueFilter(text=S.SECRET)) == "candidates"
    assert _found(db, handle[1:6].upper()) == sorted(cases)  # one account for the batch
    assert _found(db, S.SECRET.upper()) == sorted(cases)  # a whole word of the sealed report texts
    assert _found(db, "report 2") == [cases[2]]

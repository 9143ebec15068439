"""Two workstations and one server, as separate processes, with the server cut off part of the time.

The server is the real PostgreSQL (a schema of its own); each workstation reaches it only through a
TCP proxy this test drops and restores while the workstations review. Afterwards every decision made on
either workstation is on the server exactly once, the cases both decided are listed as conflicts, the
audit chains verify on all three databases, and another sync changes nothing. A workstation killed
with SIGKILL in the middle of a sync loses and duplicates nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from reviewer.audit import verify
from reviewer.models import AuditEvent, Case, Decision, SyncConflict
from reviewer.paths import sqlite_url
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from tests.reviewer.storage.test_postgres import _jsonl
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]


def _env(data: Path, handle: str) -> dict[str, str]:
    env = dict(os.environ)
    env["REVIEWER_DATA_DIR"] = str(data)
    env["REVIEWER_USER"] = handle
    env.pop("REVIEWER_DB", None)
    return env


def _cli(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "reviewer.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env or dict(os.environ),
        timeout=300,
    )
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def _via(url: str, port: int) -> str:
    """The server URL through the proxy's port."""
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


@pytest.fixture
def team(pg_url: str, tmp_path: Path) -> Iterator[tuple[str, TcpProxy, dict[str, dict[str, str]]]]:
    """A server with 1,600 cases and reviewers alice and bob, and two connected workstations."""
    _cli("server", "init", pg_url)
    _cli("--db", pg_url, "server", "add-reviewer", "alice")
    _cli("--db", pg_url, "server", "add-reviewer", "bob")
    _cli("--db", pg_url, "import", str(_jsonl(tmp_path, "team", 1600)))
    upstream = make_url(pg_url)
    with TcpProxy((upstream.host or "127.0.0.1", upstream.port or 5432)) as proxy:
        envs = {}
        for handle in ("alice", "bob"):
            env = _env(tmp_path / handle, handle)
            _cli("connect", _via(pg_url, proxy.port), "--as", handle, env=env)
            envs[handle] = env
        yield pg_url, proxy, envs


def _worker(env: dict[str, str], decisions: int, every: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.sync_worker", str(decisions), str(every)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def _local(env: dict[str, str]) -> Database:
    return open_database(sqlite_url(Path(env["REVIEWER_DATA_DIR"]) / "reviewer.sqlite3"), create=False)


def _decision_ids(db: Database) -> set[str]:
    with db.read() as s:
        return {str(i) for i in s.execute(select(Decision.id)).scalars()}


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar() or 0)


def test_two_workstations_with_a_flaky_server_lose_and_duplicate_nothing(
    team: tuple[str, TcpProxy, dict[str, dict[str, str]]],
) -> None:
    url, proxy, envs = team
    # Each worker goes on syncing until its syncs have met two outages: on a fast machine its 1,000
    # decisions are otherwise made within the first one.
    workers = {
        h: _worker({**env, "REVIEWER_SYNC_BATCH": "100", "SYNC_WORKER_OUTAGES": "2"}, 1000, 40)
        for h, env in envs.items()
    }
    server = open_database(url)  # the test's own view of the server, not through the proxy
    flips = landed = 0

    def running() -> bool:
        return any(w.poll() is None for w in workers.values())

    try:
        while running():
            # Up until a sync has landed something on the server (a state), then an outage of 1 s (a
            # pattern, not a wait) that cuts whatever sync is under way. Once the decisions are all
            # pushed nothing lands any more: then the next outage comes after 2 s up.
            deadline = time.monotonic() + (60 if landed == 0 else 2)
            while running() and _count(server, Decision) == landed and time.monotonic() < deadline:
                time.sleep(0.05)
            landed = _count(server, Decision)
            if not running():
                break
            time.sleep(0.4)  # part of the pattern: up a little longer, so some syncs also finish
            proxy.drop()
            flips += 1
            time.sleep(1.0)
            proxy.restore()
    finally:
        server.dispose()
    proxy.restore()
    outputs = {h: w.communicate(timeout=60) for h, w in workers.items()}
    for handle, (out, err) in outputs.items():
        assert workers[handle].returncode == 0, (handle, out, err)
        assert "DONE 1000" in out, (handle, out, err)
    assert flips >= 2 and landed > 0, (flips, landed)  # outages happened, and syncs landed between them
    counts = {h: [int(x) for x in out.split("DONE", 1)[1].split()[:3]] for h, (out, _err) in outputs.items()}
    print("outages:", flips, "decided, offline syncs, syncs through:", counts)
    assert sum(c[1] for c in counts.values()) > 0, (counts, outputs)  # some syncs found the server unreachable
    for env in envs.values():
        _cli("sync", env=env)
    server = open_database(url)
    try:
        on_server = _decision_ids(server)
        made = {}
        for handle, env in envs.items():
            local = _local(env)
            try:
                made[handle] = _decision_ids(local)
                report = verify(local)
                assert report.ok, (handle, report)
            finally:
                local.dispose()
        # Every decision of each workstation is on the server, once (ids are primary keys), none lost.
        assert made["alice"] <= on_server and made["bob"] <= on_server
        assert len(on_server) == _count(server, Decision)
        mine = {h: {d for d in ids if d in on_server} for h, ids in made.items()}
        assert len(mine["alice"] | mine["bob"]) == len(on_server)
        # A case decided on both is listed as a conflict; no case has two decisions applied.
        with server.read() as s:
            per_case = dict(
                s.execute(
                    select(Decision.case_id, func.count()).group_by(Decision.case_id).having(func.count() > 1)
                ).all()
            )
            conflicts = set(s.execute(select(SyncConflict.case_id)).scalars())
            decided = int(s.execute(select(func.count()).select_from(Case).where(Case.status == "decided")).scalar() or 0)
        assert set(per_case) == conflicts and conflicts  # both reviewed the top of the same queue
        assert decided == len(on_server) - len(conflicts)
        report = verify(server)
        assert report.ok, report
        # Another sync changes nothing: no decision, no case state, no new event beyond the pull record.
        before = (_count(server, Decision), _count(server, SyncConflict), decided)
        events = _count(server, AuditEvent)
        for env in envs.values():
            _cli("sync", env=env)
        for env in envs.values():
            _cli("sync", env=env)
        with server.read() as s:
            decided_after = int(s.execute(select(func.count()).select_from(Case).where(Case.status == "decided")).scalar() or 0)
        assert (_count(server, Decision), _count(server, SyncConflict), decided_after) == before
        settled = _count(server, AuditEvent)
        for env in envs.values():
            _cli("sync", env=env)
        assert _count(server, AuditEvent) == settled >= events
    finally:
        server.dispose()


def test_a_workstation_killed_in_the_middle_of_a_sync_resumes_without_loss(
    team: tuple[str, TcpProxy, dict[str, dict[str, str]]],
) -> None:
    url, proxy, envs = team
    env = envs["alice"]
    proxy.drop()  # decide 600 offline, so the next sync has a long push
    worker = _worker(env, 600, 600)
    out, err = worker.communicate(timeout=300)
    assert "DONE 600" in out, (out, err)
    proxy.restore()
    server = open_database(url)
    try:
        syncing = _worker({**env, "REVIEWER_SYNC_BATCH": "20"}, 0, 0)
        assert syncing.stdout is not None and syncing.stdout.readline().strip() == "SYNCING"
        deadline = time.monotonic() + 120
        while _count(server, Decision) == 0:  # wait for the first batches to land, then kill
            assert time.monotonic() < deadline and syncing.poll() is None, syncing.communicate()
            time.sleep(0.02)
        syncing.send_signal(signal.SIGKILL)
        syncing.wait(timeout=30)
        partial = _count(server, Decision)
        assert 0 < partial < 600, partial
        _cli("sync", env=env)
        local = _local(env)
        try:
            assert _decision_ids(local) <= _decision_ids(server)
        finally:
            local.dispose()
        assert _count(server, Decision) == 600
        assert verify(server).ok
    finally:
        server.dispose()

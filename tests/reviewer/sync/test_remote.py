"""The server as a workstation knows it: config file, password in the keyring only, connect/disconnect."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit import verify
from reviewer.models import AuditEvent, Reviewer
from reviewer.paths import data_dir, default_db_url
from reviewer.storage.migrate import open_database
from reviewer.sync.remote import (
    NoKeyringForPassword,
    ServerConfig,
    ServerError,
    ServerUnavailable,
    keyring_user,
    load_config,
    open_server,
    read_password,
    save_config,
    store_password,
    strip_password,
)
from reviewer.sync.server import add_reviewer, init_server
from tests.reviewer.sync.cli_runs import one_line_error, run_cli

SECRET = "s3cret-Pässword-42"


def test_strip_password_and_keyring_user() -> None:
    bare, pw = strip_password("postgresql+psycopg://ann:pa%40ss@db.example:6543/team?sslmode=require")
    assert pw == "pa@ss"
    assert bare == "postgresql+psycopg://ann@db.example:6543/team?sslmode=require"
    assert strip_password("postgresql+psycopg://ann@h/db") == ("postgresql+psycopg://ann@h/db", None)
    cfg = ServerConfig(url=bare, handle="ann")
    assert keyring_user(cfg) == "ann@db.example:6543/team"
    assert keyring_user(ServerConfig("postgresql+psycopg://h/db", "bo")) == "bo@h:5432/db"


def test_config_round_trip_is_private_and_refuses_a_password() -> None:
    assert load_config() is None
    cfg = ServerConfig(url="postgresql+psycopg://ann@h/db", handle="ann", queues=("partner", "staff"))
    save_config(cfg)
    path = data_dir() / "server.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config() == cfg
    with pytest.raises(ServerError, match="never written"):
        save_config(ServerConfig(url="postgresql+psycopg://ann:pw@h/db", handle="ann"))
    assert load_config() == cfg
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ServerError, match="damaged"):
        load_config()


def test_password_in_the_keyring_and_missing_means_empty() -> None:
    cfg = ServerConfig(url="postgresql+psycopg://ann@h/db", handle="ann")
    assert read_password(cfg) == ""
    store_password(cfg, SECRET)
    assert read_password(cfg) == SECRET
    assert read_password(ServerConfig(url=cfg.url, handle="other")) == ""


def test_no_keyring_refuses_and_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    keyring.core.set_keyring(keyring.core.load_keyring("keyring.backends.fail.Keyring"))
    try:
        cfg = ServerConfig(url="postgresql+psycopg://ann@h/db", handle="ann")
        with pytest.raises(NoKeyringForPassword, match="^no OS keyring: the server password cannot be stored"):
            store_password(cfg, SECRET)
    finally:
        keyring.core.set_keyring(keyring.core.load_keyring("keyrings.alt.file.PlaintextKeyring"))
    assert not (data_dir() / "server.json").exists()


def test_connect_without_a_keyring_is_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    done = run_cli("connect", "postgresql+psycopg://ann@127.0.0.1:1/x", "--as", "ann", cwd=tmp_path)
    assert done.returncode == 2
    assert one_line_error(done).startswith("reviewer: no OS keyring: the server password cannot be stored")
    data = Path(os.environ["REVIEWER_DATA_DIR"])
    assert not data.exists() or not [p for p in data.rglob("*") if p.is_file()]


def test_open_server_says_offline_in_one_line() -> None:
    with pytest.raises(ServerUnavailable) as info:
        open_server("postgresql+psycopg://nobody@127.0.0.1:1/none", timeout_s=1)
    assert str(info.value).startswith("offline: ") and "\n" not in str(info.value)
    with pytest.raises(ServerError, match="PostgreSQL"):
        open_server("sqlite:///x.sqlite3")


pytestmark_pg = pytest.mark.postgres


@pytestmark_pg
def test_open_server_refuses_an_uninitialised_one(pg_url: str) -> None:
    with pytest.raises(ServerError, match="not an initialised team server"):
        open_server(pg_url)
    init_server(pg_url).dispose()
    db = open_server(pg_url)
    db.dispose()
    assert "connect_timeout" not in db.label  # the label (and the checkpoint file) is the URL given


@pytestmark_pg
@pytest.mark.slow
def test_connect_stores_config_and_keyring_only_and_pulls_reviewers(pg_url: str, tmp_path: Path) -> None:
    server = init_server(pg_url)
    add_reviewer(server, "ann", "lead")
    add_reviewer(server, "bob")
    server.dispose()

    # the password travels in the URL given to connect, here; trust auth ignores it
    bare, _ = strip_password(pg_url)
    with_pw = bare.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://postgres:{SECRET}@")
    done = run_cli("connect", with_pw, "--as", "ann", "--queues", "partner, staff", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "connected as ann; 2 reviewers and 0 cases pulled" in done.stdout

    cfg = load_config()
    assert cfg == ServerConfig(url=bare, handle="ann", queues=("partner", "staff"))
    assert read_password(cfg) == SECRET
    # the password is in the keyring and in NO file of the data dir
    files = [p for p in Path(os.environ["REVIEWER_DATA_DIR"]).rglob("*") if p.is_file()]
    assert files and not [p for p in files if SECRET.encode() in p.read_bytes()]
    assert json.loads((data_dir() / "server.json").read_text())["url"] == bare

    local = open_database(default_db_url(), create=False)
    try:
        with local.read() as s:
            handles = sorted(s.execute(select(Reviewer.handle)).scalars())
            kinds = list(s.execute(select(AuditEvent.kind)).scalars())
        assert handles == ["ann", "bob"] and kinds == ["sync.pull"]
        assert verify(local).ok
    finally:
        local.dispose()
    from reviewer.identity import current_handle

    os.environ.pop("REVIEWER_USER")
    assert current_handle() == "ann"  # REVIEWER_USER > server.json > OS user

    again = run_cli("connect", with_pw, "--as", "ann", cwd=tmp_path)  # nothing new: no event
    assert again.returncode == 0 and "0 reviewers and 0 cases pulled" in again.stdout

    gone = run_cli("disconnect", cwd=tmp_path)
    assert gone.returncode == 0 and load_config() is None and read_password(cfg) == ""


@pytestmark_pg
@pytest.mark.slow
def test_connect_mistakes_are_one_line_and_write_nothing(pg_url: str, tmp_path: Path) -> None:
    down = run_cli("connect", "postgresql+psycopg://postgres@127.0.0.1:1/test", "--as", "x", cwd=tmp_path)
    assert down.returncode == 1 and one_line_error(down).startswith("reviewer: offline: ")
    bad = run_cli("connect", "notaurl://what", "--as", "x", cwd=tmp_path)
    assert bad.returncode == 2 and one_line_error(bad)
    sqlite = run_cli("connect", str(tmp_path / "a.sqlite3"), "--as", "x", cwd=tmp_path)
    assert sqlite.returncode == 2 and "PostgreSQL" in one_line_error(sqlite)
    fresh = run_cli("connect", pg_url, "--as", "x", cwd=tmp_path)
    assert fresh.returncode == 2 and "not an initialised team server" in one_line_error(fresh)

    init_server(pg_url).dispose()
    unknown = run_cli("connect", pg_url, "--as", "zed", cwd=tmp_path)
    assert unknown.returncode == 2
    assert one_line_error(unknown) == (
        "reviewer: the server has no reviewer 'zed'; a lead adds it with: reviewer server add-reviewer zed"
    )

    server = open_server(pg_url)
    add_reviewer(server, "tester")
    server.dispose()
    from reviewer.identity import ensure_reviewer

    local = open_database(default_db_url())
    ensure_reviewer(local, "tester")  # this working copy's own "tester", another id than the server's
    local.dispose()
    clash = run_cli("connect", pg_url, cwd=tmp_path)  # --as defaults to REVIEWER_USER=tester
    assert clash.returncode == 2 and "fresh data dir" in one_line_error(clash)
    assert load_config() is None

"""The checkpoint key in a real keyring (keyrings.alt's file backend in a temporary folder), and what
happens without a usable keyring: checkpoints are written unsigned, ``verify`` warns on every run, and
cuts, wipes and lost ``-wal`` tails are still caught."""

from __future__ import annotations

import keyring
import pytest

from reviewer.audit import current_source, verify, write_checkpoint
from reviewer.audit.keys import SERVICE, forget_cached_keys, keyring_problem, signing_key
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    forget_cached_keys()
    yield
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    keyring.core.init_backend()
    forget_cached_keys()


def _decide(db, make_cases, n: int = 3) -> None:
    me = ensure_reviewer(db, "tester")
    for cid in make_cases(n):
        record_decision(db, case_id=cid, reviewer=me, action="keep")


def test_the_key_is_made_once_and_kept_in_the_keyring(db, make_cases) -> None:
    _decide(db, make_cases)
    stored = keyring.get_password(SERVICE, str(current_source()))
    assert stored is not None  # created at the first checkpoint, in the OS keyring (here: the test's)
    forget_cached_keys()
    assert signing_key(current_source(), create=True) == signing_key(current_source(), create=False)
    checkpoint = write_checkpoint(db, force=True)
    assert checkpoint is not None and checkpoint.signature and checkpoint.key_id
    assert verify(db).ok and not verify(db).warnings


def test_a_key_missing_from_the_keyring_is_a_warning_not_a_pass(db, make_cases) -> None:
    _decide(db, make_cases)
    write_checkpoint(db, force=True)
    keyring.delete_password(SERVICE, str(current_source()))
    forget_cached_keys()
    report = verify(db)
    assert report.ok and any("not checked" in w for w in report.warnings), report


def test_without_a_usable_keyring_checkpoints_are_unsigned_and_verify_says_so(
    db, make_cases, no_keyring
) -> None:
    assert keyring_problem() is not None
    _decide(db, make_cases)
    checkpoint = write_checkpoint(db, force=True)
    assert checkpoint is not None and checkpoint.signature == "" and checkpoint.key_id == ""
    report = verify(db)
    assert report.ok and any("not signed" in w for w in report.warnings), report
    assert "WARNING: " in str(report)
    with db.write_engine.begin() as conn:  # a cut is still caught
        conn.exec_driver_sql("DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)")
    cut = verify(db)
    assert not cut.ok and "are missing; the checkpoint of" in str(cut), cut


def test_a_file_keyring_picked_by_priority_alone_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production never keeps the key in a plain file: keyrings.alt counts only when chosen explicitly."""
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    keyring.set_keyring(PlaintextKeyring())
    try:
        assert "file keyring" in str(keyring_problem())
    finally:
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
        keyring.core.init_backend()


def test_another_workstation_verifies_without_the_key_and_says_what_it_could_not_check(
    db, make_cases, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _decide(db, make_cases)
    write_checkpoint(db, force=True)
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path / "elsewhere"))  # another workstation id
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere-keyring"))  # and another keyring
    forget_cached_keys()
    report = verify(db)
    assert report.ok and any("not checked" in w for w in report.warnings), report

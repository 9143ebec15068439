"""Pack versions arriving (install, the version in force, the built-in text kept) and what changed since
a reviewer's last session; decisions keep citing the version they were made under."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewer.audit.verify import verify
from reviewer.conflicts import PolicyPackChanged
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer, start_session
from reviewer.models import Decision, PolicyPackSeen, PolicyPackSource, Reviewer
from reviewer.pack_versions import check_pack
from reviewer.policy import PolicyPack, PolicyPackError, load_pack
from reviewer.policy_sources import BUILT_IN, current_pack, install_pack, list_sources, remember_source
from reviewer.policy_updates import ADDED, CHANGED, REMOVED, changes_for, note_seen, section_changes
from reviewer.storage.database import Database
from tests.support.policy_packs import ADDED_CODE, CHANGED_CODE, NEW_VERSION, second_version


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def _session(db: Database, pack: PolicyPack, me: Reviewer) -> uuid.UUID:
    """What the app does at start (ui.shell.context.start_context), without the window."""
    version_id = check_pack(db, pack, actor=me.handle)
    remember_source(db, pack, actor=me.handle)
    session_id = start_session(db, me)
    note_seen(db, me, version_id, session_id)
    return session_id


def test_section_changes_name_changed_added_and_removed_sections(tmp_path: Path, pack: PolicyPack) -> None:
    new = load_pack(second_version(tmp_path))
    changes = section_changes(pack, new)
    assert [(c.code, c.kind) for c in changes] == [(CHANGED_CODE, CHANGED), (ADDED_CODE, ADDED)]
    changed = changes[0]
    assert [f.field for f in changed.fields] == ["text", "actions"]
    text = changed.fields[0].lines
    assert "+ Fictional and medical content is assessed under VIO-4." in text
    assert "- Fictional, medical and clearly staged content is assessed under VIO-4 context rules." in text
    assert changed.fields[1].lines[-1] == "+ escalate"
    (removed,) = section_changes(new, pack)[-1:]
    assert (removed.code, removed.kind) == (ADDED_CODE, REMOVED)
    assert all(line.startswith("- ") for f in removed.fields for line in f.lines)
    assert section_changes(pack, pack) == []


def test_the_built_in_pack_is_in_force_until_one_is_installed_and_its_text_is_kept(
    db: Database, pack: PolicyPack, tmp_path: Path
) -> None:
    assert current_pack(db).sha256 == pack.sha256
    me = ensure_reviewer(db, "tester")
    _session(db, pack, me)
    _session(db, pack, me)  # stored once
    (builtin,) = list_sources(db)
    assert (builtin.origin, builtin.version) == (BUILT_IN, pack.version)
    assert current_pack(db).sha256 == pack.sha256  # a built-in source never outranks the built-in file

    result = install_pack(db, second_version(tmp_path), actor="lena")
    assert result.new and result.source.version == NEW_VERSION
    assert current_pack(db).version == NEW_VERSION
    assert not install_pack(db, second_version(tmp_path), actor="lena").new
    assert _count(db, PolicyPackSource) == 2
    assert verify(db).ok


def test_an_invalid_pack_or_an_edited_version_is_refused_with_nothing_stored(
    db: Database, pack: PolicyPack, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[pack]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(PolicyPackError, match="bad.toml"):
        install_pack(db, bad, actor="lena")
    install_pack(db, second_version(tmp_path), actor="lena")
    reworded = second_version(tmp_path / "..", extra="\n# a comment makes other bytes\n")
    with pytest.raises(PolicyPackChanged):
        install_pack(db, reworded, actor="lena")
    assert [s.version for s in list_sources(db)] == [NEW_VERSION]


def test_changes_since_the_last_session_are_shown_once_the_new_version_arrives(
    db: Database, pack: PolicyPack, tmp_path: Path, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    me = ensure_reviewer(db, "tester")
    first = _session(db, pack, me)
    assert changes_for(db, me, pack, first).changes == ()  # a first session compares with nothing
    (case_id,) = make_cases(1)
    old_decision = record_decision(
        db, case_id=case_id, reviewer=me, action="keep", policy_code="NV-0", pack=pack, session_id=first
    )

    install_pack(db, second_version(tmp_path), actor="lena")
    new = current_pack(db)
    second = _session(db, new, me)
    found = changes_for(db, me, new, second)
    assert (found.previous_version, found.current_version) == (pack.version, NEW_VERSION)
    assert found.marked_codes == {CHANGED_CODE, ADDED_CODE}
    assert found.banner() == f"Policy {NEW_VERSION} changed 2 sections since your last session"

    third = _session(db, new, me)  # the previous session already worked under the new version
    assert changes_for(db, me, new, third).changes == ()
    assert _count(db, PolicyPackSeen) == 2  # written only when the version changes

    with db.read() as s:
        kept = s.get(Decision, old_decision.decision_id)
        assert kept is not None and kept.policy_version == pack.version  # still cites the old version
    assert verify(db).ok


def test_a_reviewer_without_seen_rows_compares_with_the_version_of_their_last_decision(
    db: Database, pack: PolicyPack, tmp_path: Path, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    me = ensure_reviewer(db, "tester")
    check_pack(db, pack)
    remember_source(db, pack, actor="tester")
    (case_id,) = make_cases(1)
    record_decision(
        db,
        case_id=case_id,
        reviewer=me,
        action="keep",
        policy_code="NV-0",
        pack=pack,
        session_id=start_session(db, me),
    )
    install_pack(db, second_version(tmp_path), actor="lena")
    new = current_pack(db)
    session_id = _session(db, new, me)
    assert changes_for(db, me, new, session_id).marked_codes == {CHANGED_CODE, ADDED_CODE}

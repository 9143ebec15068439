"""Policy updates: what changed between two pack versions, and since a reviewer's last session.

A section *changed* when any of its content fields differs (title, text, examples, actions, categories,
severity, rationale_required); sections only in the new pack are *added*, only in the old one *removed*.
Each field's change is a unified diff (``difflib``) of the field as lines: the text one sentence a line,
lists one entry a line.

"Since the reviewer's last session": at each session start :func:`note_seen` records the pack version
when it differs from the one the reviewer last worked under (their newest ``policy_pack_seen`` row: the
first session ever, or a new version). The previous session's version is then the newest seen row of
another session (for a reviewer with none yet: the version of their newest decision), and
:func:`changes_for` diffs it against the current pack. Pack text is shown as plain text only.
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.models import Decision, PolicyPackSeen, PolicyPackVersion, Reviewer, table_of
from reviewer.policy import PolicyPack, PolicyPackError, PolicySection, load_pack_text
from reviewer.policy_sources import pack_text
from reviewer.storage.database import Database

FIELDS = ("title", "text", "examples", "actions", "categories", "severity", "rationale_required")
ADDED, CHANGED, REMOVED = "added", "changed", "removed"
SEEN_KIND = "policy.seen"
_seen = table_of(PolicyPackSeen)
_versions = table_of(PolicyPackVersion)
_decisions = table_of(Decision)


@dataclass(frozen=True)
class FieldDiff:
    field: str
    lines: tuple[str, ...]  # unified diff body: "+ …", "- …", "  …" (no file headers, no hunk lines)


@dataclass(frozen=True)
class SectionChange:
    code: str
    kind: str  # added | changed | removed
    title: str  # the new title (the old one for a removed section)
    fields: tuple[FieldDiff, ...]

    def diff_lines(self) -> list[str]:
        """Every field's diff under a heading line: the per-section view."""
        out: list[str] = []
        for diff in self.fields:
            out.append(f"{diff.field}:")
            out.extend(diff.lines)
            out.append("")
        return out


@dataclass(frozen=True)
class PackChanges:
    current_version: str
    previous_version: str | None = None
    changes: tuple[SectionChange, ...] = ()
    previous_missing: bool = False  # the previous version's text is not stored: nothing to compare

    @property
    def marked_codes(self) -> frozenset[str]:
        """Codes the policy panel marks "changed": changed and added sections."""
        return frozenset(c.code for c in self.changes if c.kind != REMOVED)

    def banner(self) -> str | None:
        """ "Policy 2026.12 changed 3 sections since your last session" (removed ones counted too), or None."""
        n = len(self.changes)
        if not n:
            return None
        sections = "1 section" if n == 1 else f"{n} sections"
        return f"Policy {self.current_version} changed {sections} since your last session"


def field_lines(section: PolicySection, field: str) -> list[str]:
    value = getattr(section, field)
    if field == "text":
        return [s for p in value.split("\n\n") for s in re.split(r"(?<=[.!?;])\s+", p.strip()) if s]
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    return [str(value)]


def _diff(old: list[str], new: list[str]) -> tuple[str, ...]:
    lines = difflib.unified_diff(old, new, lineterm="", n=max(len(old), len(new)))
    return tuple(f"{line[0]} {line[1:]}" for line in lines if not line.startswith(("---", "+++", "@@")))


def section_changes(old_pack: PolicyPack, new_pack: PolicyPack) -> list[SectionChange]:
    """Added and changed sections in the new pack's order, then removed ones in the old pack's order."""
    old = {s.code: s for s in old_pack.sections}
    new_codes = {s.code for s in new_pack.sections}
    out: list[SectionChange] = []
    for sec in new_pack.sections:
        before = old.get(sec.code)
        if before is None:
            fields = tuple(FieldDiff(f, _diff([], field_lines(sec, f))) for f in FIELDS)
            out.append(SectionChange(sec.code, ADDED, sec.title, fields))
            continue
        diffs = tuple(
            FieldDiff(f, _diff(field_lines(before, f), field_lines(sec, f)))
            for f in FIELDS
            if getattr(before, f) != getattr(sec, f)
        )
        if diffs:
            out.append(SectionChange(sec.code, CHANGED, sec.title, diffs))
    for sec in old_pack.sections:
        if sec.code not in new_codes:
            fields = tuple(FieldDiff(f, _diff(field_lines(sec, f), [])) for f in FIELDS)
            out.append(SectionChange(sec.code, REMOVED, sec.title, fields))
    return out


def version_row_id(db: Database, pack: PolicyPack) -> uuid.UUID | None:
    with db.read() as session:
        return session.execute(
            select(_versions.c.id).where(
                _versions.c.pack_id == pack.pack_id, _versions.c.version == pack.version
            )
        ).scalar()


def note_seen(
    db: Database,
    reviewer: Reviewer,
    pack_version_id: uuid.UUID,
    session_id: uuid.UUID | None,
    *,
    now: datetime | None = None,
) -> bool:
    """At session start: record the version when it is not the one the reviewer last worked under."""
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        last = conn.execute(
            select(_seen.c.pack_version_id)
            .where(_seen.c.reviewer_id == reviewer.id)
            .order_by(_seen.c.seen_at.desc(), _seen.c.id.desc())
            .limit(1)
        ).scalar()
        if last == pack_version_id:
            return False
        seen_at, row_id = now or utcnow(), uuid.uuid4()
        values = {
            "id": row_id,
            "reviewer_id": reviewer.id,
            "pack_version_id": pack_version_id,
            "session_id": session_id,
            "seen_at": seen_at,
        }
        conn.execute(insert(_seen), values)
        append_event_core(
            conn,
            actor=reviewer.handle,
            kind=SEEN_KIND,
            subject=str(row_id),
            rows={"policy_pack_seen": [snapshot("policy_pack_seen", values)]},
            now=seen_at,
            locked=True,
        )
    note_appended(db)
    return True


def previous_version_id(db: Database, reviewer: Reviewer, session_id: uuid.UUID | None) -> uuid.UUID | None:
    """The pack version of the reviewer's previous session (see the module's docstring)."""
    with db.read() as session:
        seen = session.execute(
            select(_seen.c.pack_version_id)
            .where(_seen.c.reviewer_id == reviewer.id, _seen.c.session_id.is_distinct_from(session_id))
            .order_by(_seen.c.seen_at.desc(), _seen.c.id.desc())
            .limit(1)
        ).scalar()
        if seen is not None:
            return seen
        return session.execute(
            select(_decisions.c.policy_pack_version_id)
            .where(
                _decisions.c.reviewer_id == reviewer.id,
                _decisions.c.session_id.is_distinct_from(session_id),
                _decisions.c.policy_pack_version_id.is_not(None),
            )
            .order_by(_decisions.c.created_at.desc())
            .limit(1)
        ).scalar()


def changes_for(
    db: Database, reviewer: Reviewer, pack: PolicyPack, session_id: uuid.UUID | None = None
) -> PackChanges:
    """The sections changed between the version of the reviewer's previous session and ``pack``."""
    nothing = PackChanges(pack.version)
    previous = previous_version_id(db, reviewer, session_id)
    if previous is None or previous == version_row_id(db, pack):
        return nothing
    with db.read() as session:
        version = session.execute(select(_versions.c.version).where(_versions.c.id == previous)).scalar()
    text = pack_text(db, previous)
    if text is None:
        return PackChanges(pack.version, version, previous_missing=True)
    try:
        old = load_pack_text(text, f"policy pack {version}")
    except PolicyPackError:
        return PackChanges(pack.version, version, previous_missing=True)
    return PackChanges(pack.version, version, tuple(section_changes(old, pack)))

"""``reviewer doctor``: is this database's data private and sealed? One line per finding, non-zero if not.

It reports the permissions of the database, its folder, media and backups (what was readable by others;
opening the database tightens it), the keyring backend and whether it is usable, where the data key is
(OS keyring / a file, weaker / none), and how many texts and media files are sealed or still plain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from reviewer.media.store import MediaStore
from reviewer.models import Case, Item
from reviewer.paths import sqlite_file
from reviewer.storage.database import Database
from reviewer.vault.errors import KeyUnavailable
from reviewer.vault.keys import keyring_problem
from reviewer.vault.permissions import data_paths, tighten, too_open
from reviewer.vault.state import LABEL_DEMO, Vault, vault_in


@dataclass
class DoctorReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        tail = ["OK"] if self.ok else [f"PROBLEM: {p}" for p in self.problems]
        return "\n".join([*self.lines, *tail])


def check_permissions(url: str) -> list[str]:
    """Before the database is opened: what is readable by others, tightened now (one line each)."""
    db_file = sqlite_file(url)
    if db_file is None or not db_file.exists():
        return []
    paths = data_paths(db_file, deep=True)
    fixed = tighten(paths)
    left = too_open(paths)
    return [f"was too open, now private: {item}" for item in fixed] + [f"too open: {item}" for item in left]


def _keyring_line() -> tuple[str, bool]:
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    problem = keyring_problem()
    return (f"keyring: {name}, usable" if problem is None else f"keyring: {name}, NOT usable: {problem}"), (
        problem is None
    )


def _count_sealed(vault: Vault | None, rows: Sequence[tuple[str, str, str, str | None]]) -> tuple[int, int]:
    sealed = plain = 0
    for table, column, row_id, value in rows:
        if value is None:
            continue
        if vault is not None and vault.try_open_text(value, table, column, row_id) is not None:
            sealed += 1
        else:
            plain += 1
    return sealed, plain


def diagnose(db: Database, permission_lines: list[str]) -> DoctorReport:
    report = DoctorReport()
    report.lines.append(f"database: {db.label}")
    report.lines.append(
        "permissions: " + ("files 0600, folders 0700" if not permission_lines else "see below")
    )
    report.lines.extend(f"  {line}" for line in permission_lines)
    report.problems.extend(line for line in permission_lines if line.startswith("too open"))
    keyring_line, keyring_ok = _keyring_line()
    report.lines.append(keyring_line)
    with db.read() as session:
        try:
            vault = vault_in(session)
        except KeyUnavailable as exc:
            report.lines.append("encryption: sealed, but the key is not available here")
            report.problems.append(str(exc))
            return report
        cases = [
            ("case", "report_text", i.hex, t) for i, t in session.execute(select(Case.id, Case.report_text))
        ]
        items = [
            ("item", "text", i.hex, t)
            for i, t in session.execute(select(Item.id, Item.text).where(Item.text.is_not(None)))
        ]
        has_cases = bool(session.scalar(select(func.count()).select_from(Case)))
    if vault is None:
        report.lines.append("encryption: NOT encrypted (no key yet)")
        if has_cases:
            report.problems.append(
                "this database holds texts in plain text; an import or opening the app seals them"
            )
        if not keyring_ok:
            report.problems.append(
                "no usable OS keyring: imports are refused; `reviewer doctor --allow-file-key` keeps the key "
                "in a file beside the database instead (weaker)"
            )
    else:
        report.lines.append(f"encryption: {vault.describe()} (vault {vault.vault_id}, key {vault.key_id})")
        if vault.weaker and vault.key_label != LABEL_DEMO:
            report.lines.append(
                "  the key file beside the database opens everything: keep it as private as the data"
            )
    store = MediaStore(db.media_dir, vault)
    names = store.names()
    media_sealed = sum(1 for n in names if store.is_sealed(n))
    for label, (sealed, plain) in (
        ("report texts", _count_sealed(vault, cases)),
        ("item texts", _count_sealed(vault, items)),
        ("media files", (media_sealed, len(names) - media_sealed)),
    ):
        report.lines.append(f"{label}: {sealed} sealed, {plain} plain")
        if plain and vault is not None:
            report.problems.append(f"{plain} {label} are not sealed with this database's key (tampered?)")
    return report

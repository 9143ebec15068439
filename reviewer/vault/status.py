"""What the window's status bar says about data at rest, in a few plain words."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from reviewer.models import Case
from reviewer.storage.database import Database
from reviewer.vault.errors import VaultError
from reviewer.vault.keys import keyring_problem
from reviewer.vault.opening import ensure_vault, has_vault, open_vault
from reviewer.vault.state import LABEL_DEMO, Vault


@dataclass(frozen=True)
class AtRest:
    label: str  # short, for the status bar
    detail: str  # one sentence, for its tooltip
    encrypted: bool


def _of(vault: Vault) -> AtRest:
    if not vault.weaker:
        return AtRest("encrypted · keyring", vault.describe(), True)
    short = "demo key in a file" if vault.key_label == LABEL_DEMO else "key in a file (weaker)"
    return AtRest(short, vault.describe(), True)


def at_rest(db: Database) -> AtRest:
    """The state of ``db``; an older database holding cases is sealed now (its key made at this first
    need). Never raises for a missing keyring or key: that is a state to show. A team server has no
    vault: PostgreSQL protects it."""
    if not has_vault(db):
        return AtRest(
            "server: protected by PostgreSQL",
            "a team server stores texts and media plain; its roles, TLS and disk encryption protect them",
            True,
        )
    try:
        vault = open_vault(db)
        if vault is None:
            with db.read() as session:
                holds_cases = session.execute(select(Case.id).limit(1)).first() is not None
            if not holds_cases:
                problem = keyring_problem()
                if problem is not None:
                    return AtRest("NOT encrypted: no keyring", f"{problem}: imports are refused", False)
                return AtRest("not encrypted yet", "nothing stored yet; the first import makes the key", True)
            vault = ensure_vault(db)
            assert vault is not None  # a SQLite database always gets one
    except VaultError as exc:
        return AtRest("NOT encrypted", f"{exc} (see `reviewer doctor`)", False)
    return _of(vault)

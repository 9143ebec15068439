"""What one running app holds: the database, the pack, who reviews, the session, the executors."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from reviewer.audit.checkpoints import schedule_of
from reviewer.identity import ensure_reviewer, start_session
from reviewer.models import Reviewer
from reviewer.pack_versions import check_pack
from reviewer.policy import PolicyPack
from reviewer.policy_sources import remember_source
from reviewer.policy_updates import note_seen
from reviewer.storage.backup import take_backup
from reviewer.storage.database import Database
from ui.shell.tasks import TaskManager


@dataclass
class AppContext:
    db: Database
    pack: PolicyPack
    reviewer: Reviewer
    session_id: uuid.UUID
    tasks: TaskManager

    backup: bool = True

    def start_backup(self, on_error: Callable[[BaseException], None]) -> None:
        """The session-start backup, on the io worker so it never delays a case on screen."""
        if self.backup and self.db.file is not None:
            file = self.db.file
            self.tasks.run_io(lambda: take_backup(file), None, on_error)


def start_context(db: Database, pack: PolicyPack, *, backup: bool = True) -> AppContext:
    """Identify the reviewer, register the pack's content and open a review session (the window starts the
    backup once it shows). Raises ``PolicyPackChanged`` when the pack was edited without a new version."""
    # The window anchors the audit chain from a timer on its database worker (MainWindow), so neither
    # these start-up writes nor any decision waits for a checkpoint (signing needs the OS keyring).
    schedule_of(db).inline = False
    reviewer = ensure_reviewer(db)
    version_id = check_pack(db, pack, actor=reviewer.handle)
    remember_source(db, pack, actor=reviewer.handle)  # the built-in pack's text, for later diffs
    session_id = start_session(db, reviewer)
    note_seen(db, reviewer, version_id, session_id)  # "changed since your last session" compares to it
    return AppContext(
        db=db, pack=pack, reviewer=reviewer, session_id=session_id, tasks=TaskManager(), backup=backup
    )

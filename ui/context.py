"""What one running app holds: the database, the pack, who reviews, the session, the executors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from reviewer.identity import ensure_reviewer, start_session
from reviewer.models import Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.backup import take_backup
from reviewer.storage.database import Database
from ui.tasks import TaskManager


@dataclass
class AppContext:
    db: Database
    pack: PolicyPack
    reviewer: Reviewer
    session_id: uuid.UUID
    tasks: TaskManager


def start_context(db: Database, pack: PolicyPack, *, backup: bool = True) -> AppContext:
    """Identify the reviewer, open a review session, and take the session-start backup off-thread."""
    reviewer = ensure_reviewer(db)
    session_id = start_session(db, reviewer)
    tasks = TaskManager()
    if backup and db.file is not None:
        file = db.file
        tasks.run_db(lambda: take_backup(file), on_error=lambda exc: None)
    return AppContext(db=db, pack=pack, reviewer=reviewer, session_id=session_id, tasks=tasks)

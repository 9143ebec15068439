"""EU DSA statements of reasons in the window: the actions beside their handlers.

- ``dsa.statement`` (F2): the statement of reasons of the case on screen's standing decision (plain
  text, each field, the rules it breaks) with the hand-entered fields; Ctrl+Enter saves them (on the
  database worker, audited), Esc closes.
- ``dsa.missing`` (Ctrl+Shift+D): the decisions that cannot yet produce a valid statement with their
  missing fields; Enter opens one's statement, E exports the valid ones (API batches + CSV) into the
  exports folder.
Every read on the db-read worker, every write on the db worker.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.display import visible
from reviewer.paths import data_dir
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.review.feature import ReviewFeature
from ui.shell.frame import Frame

if TYPE_CHECKING:  # the dialogs and the core they read are imported on first use (cold start)
    from reviewer.dsa.derive import Statement
    from reviewer.dsa.export import ExportResult, MissingEntry
    from ui.dsa.missing_view import MissingDialog
    from ui.dsa.statement_view import StatementDialog

STATEMENT = ActionSpec(
    "dsa.statement",
    "Statement of reasons (DSA)",
    "DSA",
    description="This case's decision as the DSA statement: its fields, what is missing; amend it",
    needs_case=True,
)
MISSING = ActionSpec(
    "dsa.missing",
    "Statements of reasons missing fields",
    "DSA",
    description="Decisions whose statement lacks fields; export the good ones",
)
ACTIONS: tuple[ActionSpec, ...] = (STATEMENT, MISSING)


def one_line(exc: BaseException) -> str:
    return visible(" ".join(str(exc).split()) or type(exc).__name__)


def export_paths(now: datetime) -> tuple[Path, Path]:
    """Where E writes: ``<data dir>/exports/dsa-sor-YYYYMMDD-HHMMSS/`` (batches) and the same name .csv."""
    stem = data_dir() / "exports" / f"dsa-sor-{now.strftime('%Y%m%d-%H%M%S')}"
    return stem, stem.with_suffix(".csv")


class DsaFeature:
    def __init__(self, window: Frame, registry: ActionRegistry, review: ReviewFeature) -> None:
        self.window, self.registry, self.review, self.ctx = window, registry, review, window.ctx
        self.dialog: StatementDialog | None = None
        self.missing: MissingDialog | None = None

    def keys(self, spec: ActionSpec) -> str:
        return "+".join(self.registry.keys_for(spec.id)[:1]) or "palette"

    # -- the statement of one decision ----------------------------------------------------------------
    def show_case_statement(self) -> None:
        view = self.review.selection.current
        if view is None:
            self.window.flash("No case on screen.")
            return
        from reviewer.dsa.derive import case_statement

        db, case_id = self.ctx.db, view.id
        self.ctx.tasks.run_read(
            lambda: _with_amendment(db, case_statement(db, case_id)),
            self._show,
            lambda exc: self.window.flash(f"Statement of reasons not read: {one_line(exc)}"),
        )

    def show_decision(self, decision_id: uuid.UUID) -> None:
        from reviewer.dsa.derive import statement_for

        db = self.ctx.db
        self.ctx.tasks.run_read(
            lambda: _with_amendment(db, statement_for(db, decision_id)),
            self._show,
            lambda exc: self.window.flash(f"Statement of reasons not read: {one_line(exc)}"),
        )

    def _show(self, found: tuple[Statement, dict[str, Any]] | None) -> None:
        if found is None:
            self.window.flash(
                "This case has no standing decision that restricts anything: no statement of reasons "
                f"({self.keys(MISSING)} lists decisions missing fields)."
            )
            return
        from ui.dsa.statement_view import StatementDialog

        statement, amended = found
        if self.dialog is not None:
            self.dialog.deleteLater()
        parent = self.missing if self.missing is not None and self.missing.isVisible() else self.window
        dialog = StatementDialog(
            statement,
            amended,
            lambda fields: self._save(statement.decision_id, fields),
            title=f"Statement of reasons ({self.keys(STATEMENT)})",
            parent=parent,
        )
        dialog.finished.connect(lambda _r: self._closed())
        self.dialog = dialog
        dialog.open()

    def _closed(self) -> None:
        if self.missing is not None and self.missing.isVisible():
            self.missing.activateWindow()
            self.missing.table.setFocus()
        else:
            self.window.refocus()

    def _save(self, decision_id: uuid.UUID, fields: dict[str, Any]) -> None:
        from reviewer.dsa.amend import amend
        from reviewer.dsa.derive import statement_for

        ctx = self.ctx
        db, actor = ctx.db, ctx.reviewer.handle

        def done(found: tuple[Statement, dict[str, Any]] | None) -> None:
            self.window.flash("Statement of reasons saved")
            if self.dialog is not None:
                self.dialog.accept()
            if found is not None and not found[0].valid:
                self.window.flash(f"Statement saved; still missing: {_missing(found[0])}", 10000)
            if self.missing is not None and self.missing.isVisible():
                self.load_missing()

        def failed(exc: BaseException) -> None:
            self.window.flash(f"Statement of reasons NOT saved: {one_line(exc)}", 10000)
            if self.dialog is not None:
                self.dialog.set_message(f"NOT saved: {one_line(exc)}")

        def work() -> tuple[Statement, dict[str, Any]] | None:
            amend(db, decision_id, fields, actor=actor)
            return _with_amendment(db, statement_for(db, decision_id))

        ctx.tasks.run_db(work, done, failed)

    # -- the list ---------------------------------------------------------------------------------------
    def show_missing(self) -> None:
        from ui.dsa.missing_view import MissingDialog

        if self.missing is not None:
            self.missing.deleteLater()
        dialog = MissingDialog(
            open_entry=lambda e: self.show_decision(uuid.UUID(e.decision_id)),
            export=self.export,
            title=f"Statements of reasons missing fields ({self.keys(MISSING)})",
            parent=self.window,
        )
        dialog.finished.connect(lambda _r: self.window.refocus())
        self.missing = dialog
        dialog.open()
        self.load_missing()

    def load_missing(self) -> None:
        from reviewer.dsa.export import missing

        db = self.ctx.db

        def shown(rows: list[MissingEntry]) -> None:
            if self.missing is not None:
                self.missing.set_rows(rows)

        def failed(exc: BaseException) -> None:
            if self.missing is not None:
                self.missing.set_message(f"Not read: {one_line(exc)}")

        self.ctx.tasks.run_read(lambda: missing(db), shown, failed)

    def export(self) -> None:
        from reviewer.dsa.export import export_sor

        db = self.ctx.db
        folder, sheet = export_paths(self.window.clock.now())

        def work() -> ExportResult:
            folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            return export_sor(db, folder, sheet)

        def done(result: ExportResult) -> None:
            text = f"{result.written:,} statement(s) in {result.batches} batch(es) exported to {folder}"
            self.window.flash(text, 10000)
            if self.missing is not None:
                self.missing.set_message(text)

        def failed(exc: BaseException) -> None:
            if self.missing is not None:
                self.missing.set_message(f"Not exported: {one_line(exc)}")

        self.ctx.tasks.run_read(work, done, failed)


def _with_amendment(db: Any, statement: Statement | None) -> tuple[Statement, dict[str, Any]] | None:
    from reviewer.dsa.amend import current

    return None if statement is None else (statement, current(db, statement.decision_id))


def _missing(statement: Statement) -> str:
    return ", ".join(sorted({p.field for p in statement.problems if p.missing})) or "(invalid values)"


def install(window: Frame, registry: ActionRegistry, review: ReviewFeature) -> DsaFeature:
    feature = DsaFeature(window, registry, review)
    registry.register(STATEMENT, feature.show_case_statement)
    registry.register(MISSING, feature.show_missing)
    return feature

"""The responses feature's actions beside their handlers: compose a response (Ctrl+R) for the case on
screen, and the responses list (F8, E exports).

Reads (the case's requester and decision, its responses, the list) run on the db-read worker; saving,
finalising and exporting are writes on the database worker, each one transaction in the core
(``reviewer.responses``), which holds every rule. A finalised response turns the queue's Response cell
to "responded" at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.responses.compose import ComposeContext, compose_context, placeholder_values, templates_for
from reviewer.responses.listing import ResponseListRow, list_responses
from reviewer.responses.states import RESPONDED, ResponseState
from reviewer.responses.store import ResponseError, ResponseRecord, finalise, responses_of, save_draft
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.review.feature import ReviewFeature
from ui.shell.frame import Frame
from ui.sync.background import one_line

if TYPE_CHECKING:  # the dialogs load when first opened (cold start)
    from ui.responses.composer import Draft, ResponseComposer
    from ui.responses.list_view import ResponsesDialog

COMPOSE = ActionSpec(
    "response.compose",
    "Compose response",
    "Case",
    description="Write the reply to the party that escalated the case on screen (stored, not sent)",
    needs_case=True,
)
LIST = ActionSpec(
    "response.list",
    "Responses",
    "Case",
    description="Every response with its case, status and due time; E exports them",
)
ACTIONS: tuple[ActionSpec, ...] = (COMPOSE, LIST)


@dataclass(frozen=True)
class _Loaded:
    ctx: ComposeContext | None
    responses: list[ResponseRecord]


class ResponsesFeature:
    def __init__(self, window: Frame, review: ReviewFeature) -> None:
        self.window, self.review, self.ctx = window, review, window.ctx
        self.composer: ResponseComposer | None = None
        self.list_dialog: ResponsesDialog | None = None

    # -- compose ---------------------------------------------------------------------------------
    def compose(self) -> None:
        view = self.review.selection.current
        if view is None:
            self.window.flash("No case on screen to respond to")
            return
        db, case_id = self.ctx.db, view.id

        def load() -> _Loaded:
            return _Loaded(compose_context(db, case_id), responses_of(db, case_id))

        self.ctx.tasks.run_read(
            load, self._show_composer, lambda exc: self.window.flash(f"Response not opened: {one_line(exc)}")
        )

    def _show_composer(self, loaded: _Loaded) -> None:
        ctx = loaded.ctx
        if ctx is None:
            return
        templates = templates_for(ctx.channel)
        if templates is None:
            self.window.flash(f"Case {ctx.external_id}: the {ctx.channel} channel expects no response")
            return
        me = self.ctx.reviewer
        mine = [r for r in loaded.responses if r.status == "draft" and r.reviewer_id == me.id]
        final = next((r for r in loaded.responses if r.status == "final"), None)
        values = placeholder_values(ctx, self.ctx.pack, me.handle)
        if self.composer is not None:
            self.composer.deleteLater()
        from ui.responses.composer import ResponseComposer

        dialog = ResponseComposer(
            ctx,
            templates,
            values,
            save=lambda d: self._write(ctx, d, final_too=False, supersedes=None),
            finalise=lambda d: self._write(ctx, d, final_too=True, supersedes=final.id if final else None),
            existing=mine[-1] if mine else None,
            final=final,
            parent=self.window,
        )
        dialog.finished.connect(lambda _r: self.window.refocus())
        self.composer = dialog
        dialog.open()

    def _write(
        self, ctx: ComposeContext, draft: Draft, *, final_too: bool, supersedes: uuid.UUID | None
    ) -> None:
        """Save the draft (and finalise it) on the database worker, then tell the composer and the queue."""
        db, reviewer_id, case_id = self.ctx.db, self.ctx.reviewer.id, ctx.case_id
        response_id = draft.response_id if isinstance(draft.response_id, uuid.UUID) else None
        composer = self.composer

        def work() -> tuple[ResponseRecord, ResponseError | None]:
            record = save_draft(
                db,
                case_id=case_id,
                reviewer_id=reviewer_id,
                template_id=draft.template_id,
                subject=draft.subject,
                body=draft.body,
                response_id=response_id,
            )
            if final_too:
                try:
                    record = finalise(db, record.id, reviewer_id=reviewer_id, supersedes=supersedes)
                except ResponseError as exc:  # refused: the draft stands, saved
                    return record, exc
            return record, None

        def done(outcome: tuple[ResponseRecord, ResponseError | None]) -> None:
            record, refused = outcome
            if composer is not None:
                composer.saved(record)
            if refused is not None:
                failed(refused)
            elif record.status == "final":
                self.window.flash(f"Response to case {ctx.external_id} finalised (stored, not sent)")
                if ctx.response_due_at is not None:
                    self.review.model.note_response(case_id, ResponseState(RESPONDED, ctx.response_due_at))
            else:
                self.window.flash(f"Response draft saved for case {ctx.external_id}")

        def failed(exc: BaseException) -> None:
            line = one_line(exc)
            if composer is not None:
                composer.set_message(line)
            self.window.flash(f"Response not saved: {line}", 10000)

        self.ctx.tasks.run_db(work, done, failed)

    # -- list and export -------------------------------------------------------------------------
    def show_list(self) -> None:
        if self.list_dialog is not None:
            self.list_dialog.deleteLater()
        from ui.responses.list_view import ResponsesDialog

        dialog = ResponsesDialog(export=self.export, parent=self.window)
        dialog.finished.connect(lambda _r: self.window.refocus())
        self.list_dialog = dialog
        dialog.open()
        self.load_list()

    def load_list(self, note: str = "") -> None:
        """(Re)read the list on the read worker; ``note`` replaces the count line once the rows are in."""
        db = self.ctx.db

        def shown(rows: list[ResponseListRow]) -> None:
            if self.list_dialog is not None:
                self.list_dialog.set_rows(rows)
                if note:
                    self.list_dialog.set_message(note)

        def failed(exc: BaseException) -> None:
            if self.list_dialog is not None:
                self.list_dialog.set_message(f"Responses not read: {one_line(exc)}")

        self.ctx.tasks.run_read(lambda: list_responses(db), shown, failed)

    def export(self, path: Path) -> None:
        db, actor = self.ctx.db, self.ctx.reviewer.handle

        def done(count: int) -> None:
            line = f"Exported {count:,} response{'s' if count != 1 else ''} to {path}"
            self.window.flash(line)
            if self.list_dialog is not None:
                self.load_list(note=line)

        def failed(exc: BaseException) -> None:
            line = f"Responses not exported: {one_line(exc)}"
            self.window.flash(line, 10000)
            if self.list_dialog is not None:
                self.list_dialog.set_message(line)

        from reviewer.responses.export import export_responses

        self.ctx.tasks.run_db(lambda: export_responses(db, path, actor=actor), done, failed)


def install(window: Frame, registry: ActionRegistry, review: ReviewFeature) -> ResponsesFeature:
    feature = ResponsesFeature(window, review)
    registry.register(COMPOSE, feature.compose)
    registry.register(LIST, feature.show_list)
    return feature

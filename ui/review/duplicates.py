"""Duplicate suppression in the review window: a banner when the shown media was decided before, and
Shift+D to apply that decision to this case and its open duplicates without revealing anything, after a
confirmation that lists them (:class:`ui.review.bulk_confirm.BulkConfirm`); one undo reverses the bulk.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QObject, Signal

from reviewer.actions import ACTION_KINDS
from reviewer.bulk import BulkPreview, preview_bulk
from reviewer.casefile import CaseView
from reviewer.decisions import DecisionResult
from reviewer.duplicates import DuplicateMatch, apply_to_group, find_decided_duplicates, open_duplicates_of
from ui.review.bulk_confirm import BulkConfirm
from ui.review.decision_flow import DecisionFlow
from ui.review.preview_pane import PreviewPane
from ui.review.selection import Selection
from ui.shell.context import AppContext


class Duplicates(QObject):
    status = Signal(str)

    def __init__(
        self, ctx: AppContext, selection: Selection, preview: PreviewPane, flow: DecisionFlow
    ) -> None:
        super().__init__(flow)
        self.ctx, self.selection, self.preview, self.flow = ctx, selection, preview, flow
        self.found: tuple[DuplicateMatch, list[uuid.UUID]] | None = None
        self.confirm_box: BulkConfirm | None = None
        selection.case_shown.connect(self._on_case_shown)
        # The search reads media hashes for a while: it starts once the case is on screen, never in the
        # switch (the banner itself is cleared by the pane with each new case).
        selection.case_settled.connect(self._on_case_settled)

    def _on_case_shown(self, _view: CaseView | None) -> None:
        self.found = None

    def _on_case_settled(self, view: CaseView) -> None:
        if self.selection.is_current(view.id):
            self._check(view.id)

    def _check(self, case_id: uuid.UUID) -> None:
        db = self.ctx.db

        def work() -> tuple[list[DuplicateMatch], list[uuid.UUID]]:
            matches = find_decided_duplicates(db, case_id)
            return matches, (open_duplicates_of(db, case_id) if matches else [])

        def done(found: tuple[list[DuplicateMatch], list[uuid.UUID]]) -> None:
            matches, group = found
            if not matches or not self.selection.is_current(case_id):
                return
            best = matches[0]
            assert best.decision_action is not None  # find_decided_duplicates: decided cases only
            self.found = (best, [g for g in group if g != case_id])
            how = "an exact copy" if best.kind == "exact" else f"a near copy ({best.distance} bits apart)"
            others = len(self.found[1])
            also = f" and {others} other open duplicate(s)" if others else ""
            self.preview.set_duplicate_banner(
                f"Duplicate: this media is {how} of {{external_id}}, already decided "
                "<b>{action}</b> {policy}. "
                f"Shift+D applies that decision here{also} without revealing.",
                external_id=best.external_id,
                action=best.decision_action,
                policy=best.decision_policy or "",
            )

        self.ctx.tasks.run_read(work, done, lambda exc: self.status.emit(f"Database problem: {exc}"))

    def apply(self) -> None:
        """Shift+D: show what the bulk would decide and wait for a confirming key (Enter / Y)."""
        current = self.selection.current
        if current is None:
            return
        if self.found is None:
            self.status.emit("No decided duplicate of this case's media was found.")
            return
        best, group = self.found
        db, targets = self.ctx.db, [current.id, *group]
        assert best.decision_action is not None  # find_decided_duplicates: decided cases only
        what = f"{ACTION_KINDS[best.decision_action].label} {best.decision_policy or ''}".strip()

        def shown(preview: BulkPreview) -> None:
            if not self.selection.is_current(current.id):
                return  # the reviewer moved on meanwhile: nothing is asked
            box = BulkConfirm(f"{what} (from {best.external_id})", preview, lambda: self._write(targets))
            box.finished.connect(lambda result: self._closed(box, result))
            self.confirm_box = box
            self.status.emit(f"Apply to {preview.count} case(s)? Enter or Y applies, Esc cancels.")
            box.open()

        self.ctx.tasks.run_read(
            lambda: preview_bulk(db, targets), shown, lambda exc: self.status.emit(f"Database problem: {exc}")
        )

    def _closed(self, box: BulkConfirm, result: int) -> None:
        if result != BulkConfirm.DialogCode.Accepted:
            self.status.emit("Bulk apply cancelled — nothing was written.")
        if self.confirm_box is box:
            self.confirm_box = None
        box.deleteLater()
        self.flow.back_to_queue()

    def _write(self, targets: list[uuid.UUID]) -> None:
        assert self.found is not None
        best = self.found[0]
        ctx = self.ctx

        def write() -> list[DecisionResult]:
            return apply_to_group(
                ctx.db,
                source_case_id=best.case_id,
                target_case_ids=targets,
                reviewer=ctx.reviewer,
                pack=ctx.pack,
                session_id=ctx.session_id,
            )

        self.flow.apply_bulk(
            write,
            lambda n: (
                f"Applied {best.decision_action} {best.decision_policy or ''} from {best.external_id} "
                f"to {n} case(s). Ctrl+Z undoes the whole bulk."
            ),
        )

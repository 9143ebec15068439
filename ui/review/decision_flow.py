"""The decision flow: a decision, a note, an undo or a bulk apply, written on the database worker.

The UI moves to the next case only when the commit has returned, so a case acknowledged on screen is
on disk. A failed write is shown (non-blocking) and nothing moves on. After a decision the next case is
shown first; the decided row leaves the table just after that paint, so the table's repaint never
stands between the key and the next case on screen. The rotation rule (a lighter case after a run of
severe ones) is the core's; this module only gathers the candidate rows.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from PySide6.QtCore import QObject, QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from reviewer.actions import ACTION_KINDS
from reviewer.casefile import CaseView
from reviewer.conflicts import CaseConflict, DecisionError
from reviewer.decisions import DecisionResult, record_decision, undo_last
from reviewer.display import visible
from reviewer.leases import ClaimResult, case_outlook
from reviewer.models import WORKABLE_STATUSES
from reviewer.queue import QueueRow, fetch_case
from reviewer.tiers import check_escalation, needs_handoff_note
from reviewer.wellbeing.rotation import LOOKAHEAD, ROTATION_MESSAGE, RotationAdvisor, rotation_pick
from ui.review.preview_pane import PreviewPane
from ui.review.queue_model import QueueModel
from ui.review.rationale_box import Done, RationaleBox
from ui.review.selection import Selection, refusal_text
from ui.review.unseen_confirm import UnseenConfirm
from ui.shell.context import AppContext
from ui.shell.plain import message_box
from ui.shell.prefs import Preferences

DROP_DELAY_MS = 40


class DecisionFlow(QObject):
    status = Signal(str)
    counters_changed = Signal()
    activity = Signal()

    def __init__(
        self,
        ctx: AppContext,
        model: QueueModel,
        selection: Selection,
        preview: PreviewPane,
        prefs: Preferences,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.ctx, self.model, self.selection, self.preview = ctx, model, selection, preview
        self._window = window
        self._prefs = prefs
        self.busy = False
        self.error_box: QMessageBox | None = None
        self.rationale_box: RationaleBox | None = None
        self.explain_case: uuid.UUID | None = None  # W: the next decision on this case asks why
        self.rotation = RotationAdvisor(prefs.wellbeing)
        self.unseen = UnseenConfirm(preview, window)  # keep/remove on unseen severe media asks first
        self._shown_at = time.monotonic()
        self._pending_drops: set[uuid.UUID] = set()  # decided rows still shown for one paint
        # A lane (ui/review/lane.py) takes decision keys: True when it routed one elsewhere.
        self.lane_route: Callable[[CaseView, str, str | None], bool] | None = None
        selection.case_shown.connect(self._on_case_shown)
        selection.lease_lost.connect(self._on_lease_lost)
        # A new filter replaces every row: a decided row still waiting to leave must not be taken out of
        # the new rows (a "Decided" filter shows exactly that case).
        model.modelAboutToBeReset.connect(self._pending_drops.clear)
        prefs.changed.connect(self._on_prefs_changed)

    def _on_case_shown(self, view: CaseView | None) -> None:
        self._shown_at = time.monotonic()
        if view is None or view.id != self.explain_case:
            self.explain_case = None

    def _on_prefs_changed(self) -> None:
        self.rotation = RotationAdvisor(self._prefs.wellbeing)

    def refusal(self) -> str | None:
        """Why a decision cannot start now, or None."""
        if self.busy:
            return "Still saving the previous decision — press the key again in a moment."
        return None

    # -- writing ---------------------------------------------------------------------------------
    def commit(
        self,
        action: str,
        code: str | None,
        note: str = "",
        rationale: str = "",
        to_tier: int | None = None,
        *,
        confirmed: bool = False,
    ) -> None:
        """Write the decision; first confirm deciding unseen severe media where the organisation requires it,
        then ask for its rationale where one is needed (see :meth:`_asks`)."""
        view = self.selection.current
        if view is None or self.busy:
            return
        if not confirmed and self.unseen.asks(
            action, lambda: self._confirmed(view.id, action, code, note, rationale, to_tier)
        ):
            return
        if self.lane_route is not None and self.lane_route(view, action, code):
            return
        if action == "escalate":
            try:  # the core's rule, with the pack's highest tier
                check_escalation(action, to_tier, view.tier, self.ctx.pack.max_tier)
            except DecisionError as exc:
                self.status.emit(f"Not escalated: {exc}.")
                return
        if not rationale and (self._asks(action, code) or self.explain_case == view.id):
            self._ask(view, action, code, lambda text, tier: self._write(action, code, note, text, tier))
            return
        self._write(action, code, note, rationale, to_tier)

    def _write(self, action: str, code: str | None, note: str, rationale: str, to_tier: int | None) -> None:
        view = self.selection.current
        if view is None or self.busy:
            return
        self.busy = True
        self.activity.emit()
        ctx = self.ctx
        handle_ms = int((time.monotonic() - self._shown_at) * 1000)
        revealed = self.preview.revealed_this_case
        self.preview.end_reveal()
        category = view.category

        def write() -> DecisionResult:
            return record_decision(
                ctx.db,
                case_id=view.id,
                reviewer=ctx.reviewer,
                action=action,
                policy_code=code,
                pack=ctx.pack,
                note=note,
                session_id=ctx.session_id,
                handle_ms=handle_ms,
                revealed=revealed,
                rationale=rationale,
                to_tier=to_tier,
            )

        ctx.tasks.run_db(write, lambda result: self._after_decision(result, category), self.report_failure)

    def _confirmed(
        self, case_id: uuid.UUID, action: str, code: str | None, note: str, rationale: str, to_tier: int | None
    ) -> None:
        """Enter on the unseen-content prompt: go on deciding, if the same case is still on screen."""
        if self.selection.is_current(case_id):
            self.commit(action, code, note, rationale, to_tier, confirmed=True)

    def _asks(self, action: str, code: str | None) -> bool:
        """Whether the decision opens the rationale box: the pack requires a rationale (the core's rule),
        or it is an escalation (target tier and hand-off note). Anything else commits on its key alone."""
        return needs_handoff_note(action) or self.ctx.pack.needs_rationale(code, action)

    def explain_next(self) -> None:
        """W: the next decision on the shown case opens the rationale box even where none is required."""
        view = self.selection.current
        if view is not None:
            self.explain_case = view.id
            self.status.emit("The next decision on this case asks for a rationale (Ctrl+Enter commits).")

    def _ask(self, view: CaseView, action: str, code: str | None, done: Done) -> None:
        box = RationaleBox(
            action=action,
            code=code,
            case_label=visible(view.external_id),
            required=action == "note" or self._asks(action, code),
            tier=view.tier,
            done=done,
            parent=self._window,
            tiers=self.ctx.pack.tiers,
        )
        box.finished.connect(lambda _result: self._closed(box))
        self.rationale_box = box
        self.status.emit("Write the rationale: Ctrl+Enter commits, Esc cancels.")
        box.open()

    def _closed(self, box: RationaleBox) -> None:
        if box.result() != RationaleBox.DialogCode.Accepted:
            self.status.emit("Cancelled — nothing was written.")
        if self.rationale_box is box:
            self.rationale_box = None
        box.deleteLater()
        self.back_to_queue()

    def back_to_queue(self) -> None:
        """After a box closes: the window active again (its key shortcuts need that), keys on the table."""
        self.selection.view.window().activateWindow()
        self.selection.view.setFocus()

    def note(self) -> None:
        """N: a note for the case history (several lines), written at once as a note decision whose
        rationale holds the text; it changes nothing else about the case."""
        view = self.selection.current
        if view is None or self.busy:
            return
        self._ask(view, "note", None, lambda text, _tier: self._write("note", None, "", text, None))

    def _after_decision(self, result: DecisionResult, decided_category: str) -> None:
        self.busy = False
        label = ACTION_KINDS[result.action].label
        if result.action == "note":
            self.status.emit("Note saved.")
            self.selection.reload(result.case_id)
            return
        self.selection.forget(result.case_id)
        # The status bar re-reads the session figures (and the count) once the next case has painted.
        self.selection.after_paint(self.counters_changed.emit)
        code = f" under {result.policy_code}" if result.policy_code else ""
        self.status.emit(f"Saved: {label}{code}. Ctrl+Z undoes.")
        row = self.model.row_for_case(result.case_id)
        leaves = result.case_status not in self.model.filter.statuses
        if row is None:
            target = self.selection.current_row()
        elif leaves and row + 1 >= self.model.rowCount():
            self._drop_row(result.case_id)  # the last row: nothing below it to show first
            target = row
        else:
            target = row + 1
        self.selection.select_row(self._rotate(target, decided_category), refresh=True)
        if leaves and row is not None:
            self._pending_drops.add(result.case_id)
            QTimer.singleShot(DROP_DELAY_MS, lambda case_id=result.case_id: self._drop_row_later(case_id))

    def apply_bulk(self, write: Callable[[], list[DecisionResult]], describe: Callable[[int], str]) -> None:
        """Write several decisions at once (duplicates), then show the next case."""
        if self.busy or self.selection.current is None:
            return
        self.busy = True
        self.activity.emit()

        def done(results: list[DecisionResult]) -> None:
            self.busy = False
            current = self.selection.current
            row = self.model.row_for_case(current.id) if current else None
            statuses = self.model.filter.statuses
            with QSignalBlocker(self.selection.view.selectionModel()):
                for result in results:
                    self.selection.forget(result.case_id)
                    if result.case_status not in statuses:
                        self.model.remove_case(result.case_id)
            self.counters_changed.emit()
            self.status.emit(describe(len(results)))
            self.selection.select_row(row if row is not None else self.selection.current_row(), refresh=True)

        self.ctx.tasks.run_db(write, done, self.report_failure)

    def _drop_row(self, case_id: uuid.UUID) -> None:
        self._pending_drops.discard(case_id)
        # Removing a row moves the view's current index; block that so the shown case does not change.
        with QSignalBlocker(self.selection.view.selectionModel()):
            self.model.remove_case(case_id)

    def _drop_row_later(self, case_id: uuid.UUID) -> None:
        if case_id in self._pending_drops:  # not undone in the meantime
            self._drop_row(case_id)

    def _rotate(self, target: int, decided_category: str) -> int:
        """Gather the next rows' severities; the core decides whether a lighter one comes first."""
        severity = self.ctx.pack.severity_for
        candidates: list[tuple[int, int]] = []
        for r in range(target, min(target + LOOKAHEAD, self.model.rowCount())):
            row = self.model.case_at(r)
            if row is not None:
                candidates.append((r, severity(row.category)))
        chosen, rotated = rotation_pick(self.rotation, severity(decided_category), target, candidates)
        if rotated:
            self.status.emit(ROTATION_MESSAGE)
        return chosen

    def report_failure(self, exc: BaseException) -> None:
        """A write failed: a conflict says who has the case; anything else keeps the case here."""
        self.busy = False
        if isinstance(exc, CaseConflict):
            self._conflict(exc.case_id, str(exc))
            return
        if isinstance(exc, DecisionError):  # a rule refused it: say why, plainly; nothing went wrong
            self._tell(
                QMessageBox.Icon.Information,
                "Decision refused",
                f"{exc}.\n\nNothing was written; the case stays here.",
                f"Refused: {exc}",
            )
            return
        self._tell(
            QMessageBox.Icon.Warning,
            "Decision NOT saved",
            f"The decision could not be written, so the case stays here:\n\n{exc}\n\n"
            "Nothing already saved was lost; try again.",
            f"Decision not saved: {exc}",
        )

    def _tell(self, icon: QMessageBox.Icon, title: str, text: str, status: str) -> None:
        """A window-modal box that does not block (the reviewer sees it at once, Enter dismisses it)."""
        box = message_box(icon, title, text, self._window)
        box.open()
        self.error_box = box
        self.status.emit(status)

    # -- someone else's decision or lease -----------------------------------------------------------
    def _conflict(self, case_id: uuid.UUID, text: str) -> None:
        """Another reviewer decided or holds the case: say who, when and what; the case leaves this queue."""
        self._tell(
            QMessageBox.Icon.Information,
            "Not saved: the case was decided or is held",
            f"{text}\n\nYour decision was not written.",
            f"Not saved — {text}",
        )
        self.selection.forget(case_id)
        row = self.model.row_for_case(case_id)
        if row is None or "decided" in self.model.filter.statuses:
            return  # not in the table, or a table of decided cases where it belongs
        shown = self.selection.is_current(case_id)
        with QSignalBlocker(self.selection.view.selectionModel()):
            self.model.remove_case(case_id)
        if shown:
            self.selection.select_row(row, refresh=True)

    def recheck_current(self) -> None:
        """The case on screen may have changed elsewhere (a sync pulled others' decisions and leases): if
        it is no longer this session's to decide, say who has it and move on, as a refused decision does."""
        current = self.selection.current
        if current is not None and not self.busy:
            self._on_lease_lost(current.id)

    def _on_lease_lost(self, case_id: uuid.UUID) -> None:
        current = self.selection.current
        if current is not None and current.id == case_id and current.status not in WORKABLE_STATUSES:
            return  # a decided case is looked at, never held (a lane, the Decided filter): nothing to lose
        db, session_id = self.ctx.db, self.ctx.session_id

        def told(outlook: ClaimResult) -> None:
            if not outlook.ok and self.selection.is_current(case_id):
                self._conflict(case_id, refusal_text(outlook))

        self.ctx.tasks.run_read(lambda: case_outlook(db, case_id, session_id), told)

    # -- undo ------------------------------------------------------------------------------------
    def undo(self) -> None:
        if self.busy:
            return
        self.busy = True
        ctx = self.ctx
        flt = self.model.filter  # a snapshot: the worker never reads the model

        def work() -> tuple[DecisionResult | None, list[QueueRow | None]]:
            result = undo_last(ctx.db, reviewer=ctx.reviewer, session_id=ctx.session_id)
            rows: list[QueueRow | None] = []
            if result is not None:
                with ctx.db.read() as s:
                    rows = [fetch_case(s, c, flt) for c in result.bulk_cases or (result.case_id,)]
            return result, rows

        def done(packet: tuple[DecisionResult | None, list[QueueRow | None]]) -> None:
            self.busy = False
            result, rows = packet
            if result is None:
                self.status.emit("Nothing left to undo in this session.")
                return
            cases = result.bulk_cases or (result.case_id,)
            self.counters_changed.emit()
            for case_id, case_row in zip(cases, rows, strict=True):
                self.selection.forget(case_id)
                self._pending_drops.discard(case_id)  # undone before its row left: it stays
                if case_row is not None and self.model.row_for_case(case_id) is None:
                    self.model.reinsert_case(case_row)
            target = self.model.row_for_case(result.case_id)
            back = (
                "The case is back in the queue." if len(cases) == 1 else f"{len(cases)} cases are open again."
            )
            self.status.emit(f"Undone. {back}" if target is not None else "Undone.")
            if target is not None:
                self.selection.select_row(target, refresh=True)

        ctx.tasks.run_db(work, done, self.report_failure)

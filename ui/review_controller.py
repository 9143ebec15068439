"""The review loop: which case is shown, prefetching the next ones, and turning keys into decisions.

A decision is committed on the database worker; the UI moves to the next case only when the commit has
returned. A failed write is shown and nothing moves on. Quick picks and a pending action meet in either
order: "3 then R" and "R then 3" both remove under the third listed section.
"""

from __future__ import annotations

import time
import uuid

from PySide6.QtCore import QModelIndex, QObject, QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import QInputDialog, QMessageBox, QTableView, QWidget

from reviewer.actions import ACTION_KINDS
from reviewer.casefile import CaseView, load_case
from reviewer.decisions import DecisionResult, claim_case, record_decision, release_claim, undo_last
from reviewer.duplicates import DuplicateMatch, apply_to_group, find_decided_duplicates, open_duplicates_of
from reviewer.queue import fetch_case
from reviewer.wellbeing.rotation import RotationAdvisor
from ui.context import AppContext
from ui.policy_panel import PolicyPanel
from ui.preview_cache import PreparedPreview, PreviewCache
from ui.preview_pane import PreviewPane
from ui.queue_model import QueueModel

PREFETCH = 4
ROTATION_LOOKAHEAD = 25
DROP_DELAY_MS = 40
GENERAL_KEEP_CODE = "NV-0"


class ReviewController(QObject):
    status = Signal(str)
    counters_changed = Signal()
    activity = Signal()
    case_shown = Signal(object)  # CaseView | None

    def __init__(
        self,
        ctx: AppContext,
        model: QueueModel,
        view: QTableView,
        preview: PreviewPane,
        policy: PolicyPanel,
        cache: PreviewCache,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.model, self.view, self.preview, self.policy, self.cache = (
            ctx,
            model,
            view,
            preview,
            policy,
            cache,
        )
        self._window = parent
        self.current: CaseView | None = None
        self._views: dict[uuid.UUID, CaseView] = {}
        self._loading: set[uuid.UUID] = set()
        self._shown_at = time.monotonic()
        self.picked_code: str | None = None
        self.pending_action: str | None = None
        self.busy = False
        self.decided = 0
        self.undone = 0
        self.paused = False
        self.rotation: RotationAdvisor | None = None
        self._last_category: str | None = None
        self.duplicate: tuple[DuplicateMatch, list[uuid.UUID]] | None = None
        self._pending_drops: set[uuid.UUID] = set()  # decided rows still shown for one paint
        self.error_box: QMessageBox | None = None
        view.selectionModel().currentRowChanged.connect(self._on_row_changed)
        cache.ready.connect(self._on_preview_ready)
        policy.section_chosen.connect(self.choose_section)
        policy.pick_cancelled.connect(self.cancel_pick)

    # -- showing cases -------------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        if self.model.rowCount() == 0:
            self._display(None)
            return
        row = max(0, min(row, self.model.rowCount() - 1))
        index = self.model.index(row, 0)
        if self.view.currentIndex().row() == row:
            self._on_row_changed(index, QModelIndex())
        else:
            self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def current_row(self) -> int:
        return self.view.currentIndex().row()

    def step(self, delta: int) -> None:
        row = self.current_row()
        target = row + delta
        if target >= self.model.rowCount() - PREFETCH and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())  # the next page arrives before the reviewer gets there
        self.select_row(min(target, self.model.rowCount() - 1))

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.activity.emit()
        row = self.model.case_at(current.row()) if current.isValid() else None
        if row is None:
            self._display(None)
            return
        if self.current is not None and self.current.id == row.id:
            return
        view = self._views.get(row.id)
        if view is not None:
            self._display(view)
        else:
            self.preview.show_case(None)
            self.preview.header.setText(f"Loading {row.external_id}…")
            self._load(row.id, show=True)
        self._prefetch(current.row())

    def _load(self, case_id: uuid.UUID, *, show: bool) -> None:
        if case_id in self._loading and not show:
            return
        self._loading.add(case_id)
        db = self.ctx.db

        def done(view: CaseView | None) -> None:
            self._loading.discard(case_id)
            if view is None:
                return
            self._views[case_id] = view
            self._request_media(view)
            if show and self._is_current_row(case_id):
                self._display(view)

        self.ctx.tasks.run_read(lambda: load_case(db, case_id), done, self._background_error)

    def _is_current_row(self, case_id: uuid.UUID) -> bool:
        row = self.model.case_at(self.current_row())
        return row is not None and row.id == case_id

    def _display(self, view: CaseView | None) -> None:
        self.current = view
        self.picked_code = None
        self.cancel_pick()
        severity = self.ctx.pack.severity_for(view.category) if view else 1
        self.preview.show_case(view, severity)
        self.policy.show_category_soon(view.category if view else None)
        self._shown_at = time.monotonic()
        if view is not None:
            for item in view.media_items():
                assert item.media_sha256 is not None and item.media_path is not None
                hit = self.cache.lookup(item.media_sha256)
                if hit is not None:
                    self.preview.set_prepared(item.media_sha256, hit)
                else:
                    self.cache.request(item.media_sha256, item.media_path, item.kind)
            self._claim(view.id)
            self._check_duplicates(view.id)
        self.duplicate = None
        self.preview.set_duplicate_banner(None)
        self.case_shown.emit(view)

    # -- duplicates ----------------------------------------------------------------------------
    def _check_duplicates(self, case_id: uuid.UUID) -> None:
        db = self.ctx.db

        def work() -> tuple[list[DuplicateMatch], list[uuid.UUID]]:
            matches = find_decided_duplicates(db, case_id)
            return matches, (open_duplicates_of(db, case_id) if matches else [])

        def done(found: tuple[list[DuplicateMatch], list[uuid.UUID]]) -> None:
            matches, group = found
            if not matches or self.current is None or self.current.id != case_id:
                return
            best = matches[0]
            self.duplicate = (best, [g for g in group if g != case_id])
            how = "an exact copy" if best.kind == "exact" else f"a near copy ({best.distance} bits apart)"
            others = len(self.duplicate[1])
            also = f" and {others} other open duplicate(s)" if others else ""
            self.preview.set_duplicate_banner(
                f"Duplicate: this media is {how} of {best.external_id}, already decided "
                f"<b>{best.decision_action}</b> {best.decision_policy or ''}. "
                f"Shift+D applies that decision here{also} without revealing."
            )

        self.ctx.tasks.run_read(work, done, self._background_error)

    def apply_to_duplicates(self) -> None:
        if self.busy or self.current is None or self.paused:
            return
        if self.duplicate is None:
            self.status.emit("No decided duplicate of this case's media was found.")
            return
        best, group = self.duplicate
        ctx, targets = self.ctx, [self.current.id, *group]
        self.busy = True
        self.activity.emit()

        def write() -> list[DecisionResult]:
            return apply_to_group(
                ctx.db,
                source_case_id=best.case_id,
                target_case_ids=targets,
                reviewer=ctx.reviewer,
                pack=ctx.pack,
                session_id=ctx.session_id,
            )

        def done(results: list[DecisionResult]) -> None:
            self.busy = False
            row = self.model.row_for_case(self.current.id) if self.current else None
            with QSignalBlocker(self.view.selectionModel()):
                for result in results:
                    self._views.pop(result.case_id, None)
                    if result.case_status not in self.model.filter.statuses:
                        self.model.remove_case(result.case_id)
            self.decided += len(results)
            self.counters_changed.emit()
            self.status.emit(
                f"Applied {best.decision_action} {best.decision_policy or ''} from {best.external_id} "
                f"to {len(results)} case(s). Ctrl+Z undoes one at a time."
            )
            self.current = None
            self.select_row(row if row is not None else self.current_row())

        ctx.tasks.run_db(write, done, self._decision_failed)

    def _request_media(self, view: CaseView) -> None:
        for item in view.media_items():
            assert item.media_sha256 is not None and item.media_path is not None
            self.cache.request(item.media_sha256, item.media_path, item.kind)

    def _prefetch(self, row: int) -> None:
        if row >= self.model.rowCount() - 2 * PREFETCH and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        for r in range(row + 1, min(row + 1 + PREFETCH, self.model.rowCount())):
            queued = self.model.case_at(r)
            if queued is None:
                continue
            view = self._views.get(queued.id)
            if view is None:
                self._load(queued.id, show=False)
            else:
                self._request_media(view)
        if len(self._views) > 64:  # keep only what is near
            keep = {
                c.id for c in (self.model.case_at(r) for r in range(max(0, row - 2), row + PREFETCH + 2)) if c
            }
            self._views = {k: v for k, v in self._views.items() if k in keep}

    def _on_preview_ready(self, sha: str, prepared: PreparedPreview) -> None:
        self.preview.set_prepared(sha, prepared)

    def _claim(self, case_id: uuid.UUID) -> None:
        db, holder = self.ctx.db, self.ctx.session_id

        def claimed(ok: bool) -> None:
            if not ok and self.current is not None and self.current.id == case_id:
                self.status.emit("Another reviewer holds this case; moving on.")
                self.model.remove_case(case_id)
                self.select_row(self.current_row())

        self.ctx.tasks.run_db(lambda: claim_case(db, case_id, holder), claimed, self._background_error)

    def release_current(self) -> None:
        if self.current is not None:
            case_id, holder = self.current.id, self.ctx.session_id
            self.ctx.tasks.run_db(lambda: release_claim(self.ctx.db, case_id, holder))

    # -- policy picks --------------------------------------------------------------------------
    def pick_number(self, number: int) -> None:
        code = self.policy.quick_pick(number)
        if code is None:
            self.status.emit(f"No policy numbered {number} in the list.")
            return
        self.choose_section(code)

    def choose_section(self, code: str) -> None:
        if self.pending_action is not None:
            action, self.pending_action = self.pending_action, None
            self.policy.end_pick()
            self.view.setFocus()
            self.commit(action, code)
        else:
            self.picked_code = code
            self.policy.select(code)
            self.status.emit(f"Policy {code} selected — now press a decision key.")

    def cancel_pick(self) -> None:
        if self.pending_action is not None:
            self.pending_action = None
            self.status.emit("Decision cancelled.")
        self.policy.end_pick()

    # -- decisions -----------------------------------------------------------------------------
    def act(self, action: str) -> None:
        if self.busy or self.current is None or self.paused:
            return
        kind = ACTION_KINDS[action]
        code = self.picked_code
        if action == "keep" and code is None and self._pack_has(GENERAL_KEEP_CODE):
            code = GENERAL_KEEP_CODE
        if code is not None and kind.needs_policy and not self.ctx.pack.section(code).allows(action):
            self.status.emit(f"{code} does not allow “{kind.label}”; choose another policy.")
            code = None
        if kind.needs_policy and code is None:
            self.pending_action = action
            self.policy.ask_for_pick(kind.label)
            self.status.emit(f"{kind.label}: choose a policy (1–9 or ↑/↓ Enter), Esc cancels.")
            return
        self.commit(action, code)

    def _pack_has(self, code: str) -> bool:
        try:
            self.ctx.pack.section(code)
        except KeyError:
            return False
        return True

    def note(self) -> None:
        if self.current is None or self.busy:
            return
        text, ok = QInputDialog.getText(self._window, "Note", f"Note on {self.current.external_id}:")
        if ok and text.strip():
            self.commit("note", None, note=text.strip())

    def commit(self, action: str, code: str | None, note: str = "") -> None:
        view = self.current
        if view is None or self.busy:
            return
        self.busy = True
        self.activity.emit()
        self._last_category = view.category
        ctx = self.ctx
        handle_ms = int((time.monotonic() - self._shown_at) * 1000)
        revealed = self.preview.revealed_this_case
        self.preview.end_reveal()

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
            )

        ctx.tasks.run_db(write, self._after_decision, self._decision_failed)

    def _after_decision(self, result: DecisionResult) -> None:
        self.busy = False
        self._views.pop(result.case_id, None)
        label = ACTION_KINDS[result.action].label
        if result.action == "note":
            self.status.emit("Note saved.")
            self._load(result.case_id, show=True)
            return
        self.decided += 1
        self.counters_changed.emit()
        code = f" under {result.policy_code}" if result.policy_code else ""
        self.status.emit(f"Saved: {label}{code}. Ctrl+Z undoes.")
        row = self.model.row_for_case(result.case_id)
        decided_category = self._last_category
        self.current = None
        leaves = result.case_status not in self.model.filter.statuses
        if row is None:
            target = self.current_row()
        elif leaves and row + 1 >= self.model.rowCount():
            self._drop_row(result.case_id)  # the last row: nothing below it to show first
            target = row
        else:
            target = row + 1
        self.select_row(self._rotate(target, decided_category))
        if leaves and row is not None:
            # The next case is shown first; the decided row leaves the table just after that paint, so the
            # table's repaint never stands between the key and the next case on screen.
            self._pending_drops.add(result.case_id)
            QTimer.singleShot(DROP_DELAY_MS, lambda case_id=result.case_id: self._drop_row_later(case_id))

    def _drop_row(self, case_id: uuid.UUID) -> None:
        self._pending_drops.discard(case_id)
        # Removing a row moves the view's current index; block that so the shown case does not change.
        with QSignalBlocker(self.view.selectionModel()):
            self.model.remove_case(case_id)

    def _drop_row_later(self, case_id: uuid.UUID) -> None:
        if case_id in self._pending_drops:  # not undone in the meantime
            self._drop_row(case_id)

    def _severity(self, category: str) -> int:
        return self.ctx.pack.severity_for(category)

    def _rotate(self, target: int, decided_category: str | None) -> int:
        """After a run of severe cases, offer the first lighter case among the next few instead."""
        if self.rotation is None or decided_category is None:
            return target
        self.rotation.observe(self._severity(decided_category))
        if not self.rotation.wants_lighter():
            return target
        candidates = []
        for r in range(target, min(target + ROTATION_LOOKAHEAD, self.model.rowCount())):
            row = self.model.case_at(r)
            if row is not None:
                candidates.append((r, self._severity(row.category)))
        chosen = self.rotation.pick_next(candidates)
        if chosen is not None and chosen != target:
            self.status.emit("Rotation: after a run of severe cases, a lighter case is next.")
            return int(chosen)
        return target

    def _decision_failed(self, exc: BaseException) -> None:
        self.busy = False
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Decision NOT saved",
            f"The decision could not be written, so the case stays here:\n\n{exc}\n\n"
            "Nothing already saved was lost; try again.",
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        box.open()  # window-modal but not blocking: the reviewer sees it at once, Enter dismisses it
        self.error_box = box
        self.status.emit(f"Decision not saved: {exc}")

    def undo(self) -> None:
        if self.busy:
            return
        self.busy = True
        ctx = self.ctx

        def work() -> tuple[DecisionResult | None, object]:
            result = undo_last(ctx.db, reviewer=ctx.reviewer, session_id=ctx.session_id)
            row = None
            if result is not None:
                with ctx.db.read() as s:
                    row = fetch_case(s, result.case_id, self.model.filter)
            return result, row

        def done(packet: tuple[DecisionResult | None, object]) -> None:
            self.busy = False
            result, row = packet
            if result is None:
                self.status.emit("Nothing left to undo in this session.")
                return
            self.undone += 1
            self.decided = max(0, self.decided - 1)
            self.counters_changed.emit()
            self._views.pop(result.case_id, None)
            self._pending_drops.discard(result.case_id)  # undone before its row left: it stays
            if row is not None and self.model.row_for_case(result.case_id) is None:
                self.model.reinsert_case(row)  # type: ignore[arg-type]
            target = self.model.row_for_case(result.case_id)
            self.status.emit("Undone. The case is back in the queue." if target is not None else "Undone.")
            if target is not None:
                self.current = None
                self.select_row(target)

        ctx.tasks.run_db(work, done, self._decision_failed)

    def _background_error(self, exc: BaseException) -> None:
        self.status.emit(f"Database problem: {exc}")

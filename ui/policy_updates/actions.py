"""Policy gaps and policy updates in the window: the actions beside their handlers.

- ``policy.flag_gap`` (Shift+G): flag the case on screen as a policy gap — the section picked (or the
  one highlighted in the policy panel) pre-filled, a required note; written on the database worker.
- ``policy.gaps`` (Ctrl+Shift+G): the list of gaps (Enter goes to the case, C closes one — a lead —,
  E exports to the exports folder, A shows closed ones too).
- ``policy.changes`` (F4): what changed in the pack since the reviewer's last session; at start the
  policy panel marks those sections and shows a banner (read on the db-read worker).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.display import visible
from reviewer.paths import data_dir
from reviewer.policy_updates import PackChanges, changes_for
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.review.feature import ReviewFeature
from ui.review.policy_panel import CodeRole
from ui.shell.frame import Frame

if TYPE_CHECKING:  # the dialogs and the gaps' core load when first used (cold start)
    from reviewer.policy_gaps import GapRow
    from ui.policy_updates.changes_view import ChangesDialog
    from ui.policy_updates.gaps_view import GapsDialog
    from ui.policy_updates.note_box import GapNoteBox

FLAG_GAP = ActionSpec(
    "policy.flag_gap",
    "Flag a policy gap…",
    "Policy",
    description="The pack does not cover this case well, or a section is ambiguous: say why",
    needs_case=True,
)
GAPS = ActionSpec(
    "policy.gaps", "Policy gaps", "Policy", description="Gaps flagged by the team; a lead closes them"
)
CHANGES = ActionSpec(
    "policy.changes",
    "Policy changes since last session",
    "Policy",
    description="The sections of the pack changed since your last session, with their diffs",
    safe_on_overlay=True,
)
ACTIONS: tuple[ActionSpec, ...] = (FLAG_GAP, GAPS, CHANGES)


def one_line(exc: BaseException) -> str:
    return visible(" ".join(str(exc).split()) or type(exc).__name__)


def export_path(now: datetime) -> Path:
    """Where E writes: ``<data dir>/exports/policy-gaps-YYYYMMDD-HHMMSS.csv``."""
    return data_dir() / "exports" / f"policy-gaps-{now.strftime('%Y%m%d-%H%M%S')}.csv"


class PolicyFeature:
    def __init__(self, window: Frame, registry: ActionRegistry, review: ReviewFeature) -> None:
        self.window, self.registry, self.review, self.ctx = window, registry, review, window.ctx
        self.changes = PackChanges(self.ctx.pack.version)
        self.note_box: GapNoteBox | None = None
        self.gaps: GapsDialog | None = None
        self.changes_view: ChangesDialog | None = None

    # -- changes since the last session --------------------------------------------------------------
    def start(self) -> None:
        """Read what changed since the last session (read worker) and mark it in the policy panel."""
        ctx = self.ctx
        db, reviewer, pack, session_id = ctx.db, ctx.reviewer, ctx.pack, ctx.session_id
        ctx.tasks.run_read(
            lambda: changes_for(db, reviewer, pack, session_id),
            self._changes_read,
            lambda exc: self.window.flash(f"Policy changes not read: {one_line(exc)}"),
        )

    def _changes_read(self, changes: PackChanges) -> None:
        self.changes = changes
        banner = changes.banner()
        if banner is not None:
            keys = self.registry.keys_for(CHANGES.id)
            banner = f"{visible(banner)} — {keys[0] if keys else 'the command palette'} to see what changed"
        self.review.policy.mark_changed(changes.marked_codes, banner)

    def show_changes(self) -> None:
        from ui.policy_updates.changes_view import ChangesDialog

        if self.changes_view is not None:
            self.changes_view.deleteLater()
        self.changes_view = ChangesDialog(self.changes, self.window)
        self.changes_view.finished.connect(lambda _r: self.window.refocus())
        self.changes_view.open()

    # -- flagging -------------------------------------------------------------------------------------
    def considered_code(self) -> str:
        """The section picked for the case, else the one highlighted in the policy panel."""
        picked = self.review.picks.picked_code
        if picked:
            return picked
        index = self.review.policy.list.currentIndex()
        return str(index.data(CodeRole) or "") if index.isValid() else ""

    def ask_flag(self) -> None:
        from ui.policy_updates.note_box import GapNoteBox

        view = self.review.selection.current
        if view is None:
            self.window.flash("No case on screen to flag.")
            return
        case_id, case = view.id, visible(view.external_id)
        if self.note_box is not None:
            self.note_box.deleteLater()
        box = GapNoteBox(
            f"Flag a policy gap ({'+'.join(self.registry.keys_for(FLAG_GAP.id)) or 'palette'})",
            f"Case {case}: what does the pack not cover well?",
            lambda code, note: self._flag(case_id, case, code, note),
            section=self.considered_code(),
            parent=self.window,
        )
        box.finished.connect(lambda _r: self.window.refocus())
        self.note_box = box
        box.open()

    def _flag(self, case_id: uuid.UUID, case: str, code: str, note: str) -> None:
        from reviewer.policy_gaps import flag_gap

        ctx = self.ctx
        db, reviewer, pack = ctx.db, ctx.reviewer, ctx.pack
        ctx.tasks.run_db(
            lambda: flag_gap(db, case_id=case_id, reviewer=reviewer, pack=pack, note=note, policy_code=code),
            lambda _id: self._flagged(case),
            lambda exc: self.window.flash(f"Policy gap NOT saved: {one_line(exc)}", 10000),
        )

    def _flagged(self, case: str) -> None:
        self.window.flash(f"Policy gap flagged on {case}")
        if self.gaps is not None and self.gaps.isVisible():
            self.load_gaps(self.gaps.show_all)

    # -- the list -------------------------------------------------------------------------------------
    def show_gaps(self) -> None:
        from reviewer.policy_gaps import may_close
        from ui.policy_updates.gaps_view import GapsDialog

        if self.gaps is not None:
            self.gaps.deleteLater()
        dialog = GapsDialog(
            lead=may_close(self.ctx.reviewer),
            go_to=self.go_to,
            close_gap=self.ask_close,
            export=self.export,
            reload=self.load_gaps,
            parent=self.window,
        )
        dialog.finished.connect(lambda _r: self.window.refocus())
        self.gaps = dialog
        dialog.open()
        self.load_gaps(False)

    def load_gaps(self, show_all: bool) -> None:
        from reviewer.policy_gaps import list_gaps

        db = self.ctx.db

        def shown(rows: list[GapRow]) -> None:
            if self.gaps is not None:
                self.gaps.set_rows(rows)

        def failed(exc: BaseException) -> None:
            if self.gaps is not None:
                self.gaps.set_message(f"Policy gaps not read: {one_line(exc)}")

        self.ctx.tasks.run_read(lambda: list_gaps(db, open_only=not show_all), shown, failed)

    def go_to(self, gap: GapRow) -> None:
        review = self.review
        row = review.model.row_for_case(gap.case_id)
        if row is None:
            if self.gaps is not None:
                self.gaps.set_message(f"Case {visible(gap.case_external_id)} is not in the queue now.")
            return
        if self.gaps is not None:
            self.gaps.accept()
        review.selection.select_row(row)
        review.queue.table.setFocus()

    def ask_close(self, gap: GapRow) -> None:
        from ui.policy_updates.note_box import GapNoteBox

        if self.note_box is not None:
            self.note_box.deleteLater()
        box = GapNoteBox(
            "Close a policy gap",
            f"Close the gap on case {visible(gap.case_external_id)}: {visible(gap.note)}",
            lambda _code, note: self._close(gap, note),
            placeholder="What was done about it (required; kept in the audit log)",
            parent=self.gaps or self.window,
        )
        box.finished.connect(lambda _r: self._back_to_gaps())
        self.note_box = box
        box.open()

    def _back_to_gaps(self) -> None:
        if self.gaps is not None and self.gaps.isVisible():
            self.gaps.activateWindow()
            self.gaps.table.setFocus()

    def _close(self, gap: GapRow, note: str) -> None:
        from reviewer.policy_gaps import close_gap

        ctx = self.ctx
        db, lead, gap_id = ctx.db, ctx.reviewer, gap.id

        def done(_result: object) -> None:
            self.window.flash(f"Policy gap on {visible(gap.case_external_id)} closed")
            if self.gaps is not None:
                self.load_gaps(self.gaps.show_all)

        def failed(exc: BaseException) -> None:
            self.window.flash(f"Policy gap NOT closed: {one_line(exc)}", 10000)
            if self.gaps is not None:
                self.gaps.set_message(one_line(exc))

        ctx.tasks.run_db(lambda: close_gap(db, gap_id, lead=lead, note=note), done, failed)

    def export(self, show_all: bool) -> None:
        from reviewer.policy_gaps import export_gaps

        ctx = self.ctx
        db, actor, path = ctx.db, ctx.reviewer.handle, export_path(self.window.clock.now())

        def work() -> int:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            return export_gaps(db, path, actor=actor, open_only=not show_all)

        def done(n: int) -> None:
            text = f"{n:,} policy gap(s) exported to {path}"
            self.window.flash(text, 10000)
            if self.gaps is not None:
                self.gaps.set_message(text)

        def failed(exc: BaseException) -> None:
            if self.gaps is not None:
                self.gaps.set_message(f"Not exported: {one_line(exc)}")

        ctx.tasks.run_db(work, done, failed)


def install(window: Frame, registry: ActionRegistry, review: ReviewFeature) -> PolicyFeature:
    feature = PolicyFeature(window, registry, review)
    registry.register(FLAG_GAP, feature.ask_flag)
    registry.register(GAPS, feature.show_gaps)
    registry.register(CHANGES, feature.show_changes)
    return feature  # the window calls start() once the first case is shown

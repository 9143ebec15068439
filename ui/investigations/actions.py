"""The investigations feature's actions beside their handlers, and its one entry, :func:`install`.

F6 opens the Investigations window; I adds the case on screen to an investigation, Shift+I the case's
account (a small picker of the open investigations and "New…", the last one chosen preselected). Every
read runs on the db-read worker and every write on the db worker (``reviewer.investigations``: one
audited transaction each); results come back to the UI thread, where the window shows them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from reviewer.display import visible
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.review.feature import ReviewFeature
from ui.shell.frame import Frame
from ui.sync.background import one_line

if TYPE_CHECKING:  # the window, its dialogs and the investigations' core load when first used (cold start)
    from reviewer import investigations as inv
    from reviewer.investigations import Findings, InvestigationView
    from ui.investigations.picker import InvestigationPicker
    from ui.investigations.title_box import TitleBox
    from ui.investigations.window import InvestigationsWindow

OPEN = ActionSpec(
    "investigation.open",
    "Investigations",
    "Investigate",
    description="Investigations: members, a timeline across channels, notes and findings",
)
ADD_CASE = ActionSpec(
    "investigation.add_case",
    "Add case to investigation…",
    "Investigate",
    description="Add the case on screen to an investigation (or start one)",
    needs_case=True,
)
ADD_ACCOUNT = ActionSpec(
    "investigation.add_account",
    "Add account to investigation…",
    "Investigate",
    description="Add the account of the case on screen to an investigation (or start one)",
    needs_case=True,
)
ACTIONS: tuple[ActionSpec, ...] = (OPEN, ADD_CASE, ADD_ACCOUNT)
LAST_KEY = "investigations/last"


class InvestigationsFeature(QObject):
    def __init__(self, window: Frame, review: ReviewFeature) -> None:
        super().__init__(window)
        self.window, self.review, self.ctx = window, review, window.ctx
        self.dialog: InvestigationsWindow | None = None
        self.registry: ActionRegistry | None = None
        self.picker: InvestigationPicker | None = None
        self.title_box: TitleBox | None = None

    # -- settings ------------------------------------------------------------------------------
    @property
    def last(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self.window.settings.value(LAST_KEY, "")))
        except ValueError:
            return None

    def current_id(self) -> uuid.UUID | None:
        """The investigation chosen in the window (when it is open), else the last one used."""
        if self.dialog is not None and self.dialog.isVisible():
            return self.dialog.selected_id() or self.last
        return self.last

    def _remember(self, inv_id: uuid.UUID) -> None:
        self.window.settings.setValue(LAST_KEY, str(inv_id))

    # -- the window ----------------------------------------------------------------------------
    def open(self) -> None:
        """F6: show the window (kept between openings, so a draft of findings survives closing it)."""
        if self.dialog is None:
            from ui.investigations.window import InvestigationsWindow, Requests

            requests = Requests(
                reload=self.load,
                new=lambda: self.ask_title(self._started),
                remove_member=self.remove_member,
                add_note=self.add_note,
                save_findings=self.save_findings,
                set_status=self.set_status,
            )
            self.dialog = InvestigationsWindow(requests, self.window)
            self.dialog.finished.connect(lambda _r: self.window.refocus())
            if self.registry is not None and any(s.id == "report.export" for s in self.registry.specs()):
                # The report of the investigation on screen, from inside this window too (Ctrl+Shift+P).
                self.dialog.addAction(self.registry.qaction("report.export"))
        if self.dialog.isVisible():
            self.dialog.raise_()
        else:
            self.dialog.show()
        self.dialog.activateWindow()
        self.load(self.dialog.selected_id() or self.last)

    def load(self, inv_id: uuid.UUID | None) -> None:
        """Read the list and (if any) the investigation ``inv_id`` with its timeline; show them."""
        from reviewer import investigations as inv

        db = self.ctx.db

        def read() -> tuple[list[inv.InvestigationSummary], Any]:
            rows = inv.list_investigations(db)
            chosen = inv_id if any(r.id == inv_id for r in rows) else (rows[0].id if rows else None)
            if chosen is None:
                return rows, None
            return rows, (inv.get_investigation(db, chosen), inv.investigation_timeline(db, chosen))

        def shown(result: tuple[list[inv.InvestigationSummary], Any]) -> None:
            rows, one = result
            if self.dialog is None:
                return
            self.dialog.set_list(rows, one[0].id if one else None)
            if one is not None:
                self.dialog.show_investigation(*one)

        self.ctx.tasks.run_read(read, shown, self._failed("Investigations not read"))

    def _failed(self, what: str) -> Callable[[BaseException], None]:
        def report(exc: BaseException) -> None:
            line = f"{what}: {one_line(exc)}"
            self.window.flash(line, 10000)
            if self.dialog is not None and self.dialog.isVisible():
                self.dialog.set_message(line)

        return report

    def _write(self, work: Callable[[], Any], done: Callable[[Any], None], what: str) -> None:
        self.ctx.tasks.run_db(work, done, self._failed(what))

    def ask_title(self, then: Callable[[uuid.UUID], None]) -> None:
        """Ctrl+N / "New…": ask a title, start the investigation, then ``then(its id)``."""
        from reviewer import investigations as inv

        db, me = self.ctx.db, self.ctx.reviewer
        parent = self.dialog if self.dialog is not None and self.dialog.isVisible() else self.window
        if self.title_box is not None:
            self.title_box.deleteLater()

        def start(title: str) -> None:
            self._write(lambda: inv.create_investigation(db, me, title), then, "Investigation not started")

        from ui.investigations.title_box import TitleBox

        self.title_box = TitleBox(start, parent)
        self.title_box.open()

    def _started(self, inv_id: uuid.UUID) -> None:
        self._remember(inv_id)
        self.window.flash("Investigation started")
        self.load(inv_id)

    def remove_member(self, inv_id: uuid.UUID, member_id: uuid.UUID) -> None:
        from reviewer import investigations as inv

        db, me = self.ctx.db, self.ctx.reviewer

        def done(removed: bool) -> None:
            self._said("Member removed" if removed else "That member was removed already")
            self.load(inv_id)

        self._write(lambda: inv.remove_member(db, me, inv_id, member_id), done, "Member not removed")

    def add_note(self, inv_id: uuid.UUID, body: str) -> None:
        from reviewer import investigations as inv

        db, me = self.ctx.db, self.ctx.reviewer

        def done(_note: uuid.UUID) -> None:
            if self.dialog is not None:
                self.dialog.note_added()
            self._said("Note added")
            self.load(inv_id)

        self._write(lambda: inv.add_note(db, me, inv_id, body), done, "Note not added")

    def save_findings(self, view: InvestigationView, findings: Findings) -> None:
        """Save on the db worker; a stale save is refused and the editor keeps the text."""
        from reviewer import investigations as inv

        db, me, read_at = self.ctx.db, self.ctx.reviewer, view.updated_at

        def done(updated_at: datetime) -> None:
            if self.dialog is not None:
                self.dialog.findings_saved(findings, updated_at)
            self._said("Findings saved")
            self.load(view.id)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, inv.StaleFindings):
                self._said(
                    f"Findings NOT saved: {exc}. Your text is kept: copy it, reload (F5), merge, save."
                )
            else:
                self._failed("Findings NOT saved")(exc)

        self.ctx.tasks.run_db(
            lambda: inv.save_findings(db, me, view.id, findings, expected_updated_at=read_at), done, failed
        )

    def set_status(self, view: InvestigationView, open_it: bool) -> None:
        from reviewer import investigations as inv

        db, me = self.ctx.db, self.ctx.reviewer
        work = inv.reopen_investigation if open_it else inv.close_investigation

        def done(_at: object) -> None:
            self._said("Investigation reopened" if open_it else "Investigation closed")
            self.load(view.id)

        self._write(lambda: work(db, me, view.id), done, "Investigation not changed")

    def _said(self, text: str) -> None:
        self.window.flash(text)
        if self.dialog is not None:
            self.dialog.set_message(text)

    # -- I / Shift+I -----------------------------------------------------------------------------
    def add_current(self, account: bool) -> None:
        """Open the picker for the case on screen (or its account)."""
        from reviewer import investigations as inv

        case = self.review.selection.current
        if case is None:
            self.window.flash("No case on screen")
            return
        if account and not case.account_handle:
            self.window.flash("This case has no account")
            return
        case_id = case.id
        what = (
            f"account {case.account_platform}:{case.account_handle}"
            if account
            else f"case {case.external_id}"
        )
        db = self.ctx.db

        def shown(rows: list[inv.InvestigationSummary]) -> None:
            if self.picker is not None:
                self.picker.deleteLater()
            choose = lambda inv_id: self._chosen(inv_id, case_id, account)  # noqa: E731
            from ui.investigations.picker import InvestigationPicker

            self.picker = InvestigationPicker(what, rows, self.last, choose, self.window)
            self.picker.finished.connect(lambda _r: self.window.refocus())
            self.picker.open()

        self.ctx.tasks.run_read(
            lambda: inv.list_investigations(db, status="open"), shown, self._failed("Not read")
        )

    def _chosen(self, inv_id: uuid.UUID | None, case_id: uuid.UUID, account: bool) -> None:
        from reviewer import investigations as inv

        if inv_id is None:
            self.ask_title(lambda made: self._chosen(made, case_id, account))
            return
        db, me = self.ctx.db, self.ctx.reviewer
        self._remember(inv_id)

        def work() -> inv.MemberResult:
            if not account:
                return inv.add_case(db, me, inv_id, case_id)
            account_id = inv.account_of_case(db, case_id)
            if account_id is None:
                raise inv.InvestigationError("this case has no account")
            return inv.add_account(db, me, inv_id, account_id)

        def done(result: inv.MemberResult) -> None:
            label = visible(result.label)
            self._said(f"{label} added to the investigation" if result.added else f"{label} is in it already")
            if self.dialog is not None and self.dialog.isVisible():
                self.load(inv_id)

        self._write(work, done, "Not added to the investigation")


def install(window: Frame, registry: ActionRegistry, review: ReviewFeature) -> InvestigationsFeature:
    """Register the Investigations window (F6) and the adds (I, Shift+I) on ``window``."""
    feature = InvestigationsFeature(window, review)
    feature.registry = registry
    registry.register(OPEN, feature.open)
    registry.register(ADD_CASE, lambda: feature.add_current(account=False))
    registry.register(ADD_ACCOUNT, lambda: feature.add_current(account=True))
    return feature

"""The selection: the one owner of "the current case", moving through the queue and prefetching.

The table's current row says which case the reviewer asked for; the selection loads that case (on the
read worker), shows it, claims it, and only then announces it with ``case_shown``. Everything else
that depends on the current case (picks, the policy panel, duplicates, handle time) listens to that
signal and reads :attr:`Selection.current`; nothing else sets it. The next few cases are loaded and
their previews prepared ahead, so the next case is usually on screen in one frame.

A switch paints the preview pane at once, inside the switch (``PreviewPane.paint_now``), before the rest
of the window's repaint (queue table, status bar); work for the new case that is not needed for that
paint (the claim's neighbours: duplicate search, counts, prefetch) starts once it has painted:
``case_settled`` and :meth:`Selection.after_paint`. Nothing started then can hold the UI thread (or the
GIL) up between the key and the case on screen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QTimer, Signal
from PySide6.QtWidgets import QTableView

from reviewer.casefile import CaseView, load_case
from reviewer.leases import RENEW_EVERY, ClaimResult, renew_lease, try_claim
from reviewer.models import WORKABLE_STATUSES
from ui.review.preview_cache import PreparedPreview, PreviewCache
from ui.review.preview_pane import PreviewPane
from ui.review.queue_model import QueueModel
from ui.shell.context import AppContext
from ui.shell.exposure import after_exposed, on_screen

PREFETCH = 6
#: Prefetch (and the rest of :meth:`Selection.after_paint`) starts after the shown case's paint (its loads
#: would compete with the paint for the GIL and the CPU); at the latest this long after the switch, when
#: nothing paints (the canvas is hidden).
PREFETCH_AFTER_MS = 100
KEEP_NEAR = 64  # loaded case views kept around the current row


class Selection(QObject):
    case_shown = Signal(object)  # CaseView | None: the current case changed (or was shown again)
    activity = Signal()  # the reviewer moved (wellbeing counts active time)
    status = Signal(str)
    lease_lost = Signal(object)  # case id: the shown case's lease was taken or the case decided elsewhere
    case_settled = Signal(object)  # CaseView: the case shown is on screen (painted); start its reads now

    def __init__(
        self,
        ctx: AppContext,
        model: QueueModel,
        view: QTableView,
        preview: PreviewPane,
        cache: PreviewCache,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.model, self.view, self.preview, self.cache = ctx, model, view, preview, cache
        self._current: CaseView | None = None
        self._views: dict[uuid.UUID, CaseView] = {}
        self._loading: set[uuid.UUID] = set()
        self._refresh = False
        self._prefetch_due = False
        self._settle_view: CaseView | None = None  # shown, ``case_settled`` not emitted yet
        self._after_paint: list[Callable[[], None]] = []
        self._painting_now = False
        self._awaiting_expose = False  # a case was shown before the window's first expose
        self._prefetch_timer = QTimer(self)
        self._prefetch_timer.setSingleShot(True)
        self._prefetch_timer.setInterval(PREFETCH_AFTER_MS)
        self._prefetch_timer.timeout.connect(self._prefetch_now)
        preview.canvas.painted.connect(self._on_painted)
        self._renew_timer = QTimer(self)
        self._renew_timer.setInterval(int(RENEW_EVERY.total_seconds() * 1000))
        self._renew_timer.timeout.connect(self._renew)
        view.selectionModel().currentRowChanged.connect(self._on_row_changed)
        cache.ready.connect(self._on_preview_ready)

    @property
    def current(self) -> CaseView | None:
        """The case on screen (None while none is, e.g. while it loads or the queue is empty)."""
        return self._current

    def is_current(self, case_id: uuid.UUID) -> bool:
        return self._current is not None and self._current.id == case_id

    # -- moving ----------------------------------------------------------------------------------
    def select_row(self, row: int, *, refresh: bool = False) -> None:
        """Show the case at ``row`` (clamped); ``refresh`` shows it again even if it is already shown."""
        if self.model.rowCount() == 0:
            self._display(None)
            return
        row = max(0, min(row, self.model.rowCount() - 1))
        index = self.model.index(row, 0)
        self._refresh = refresh
        if self.view.currentIndex().row() == row:
            self._on_row_changed(index, QModelIndex())
        else:
            queued = self.model.case_at(row)
            if queued is not None and queued.id in self._views and (refresh or not self.is_current(queued.id)):
                # A loaded case: the pane paints it first; the table's current row (two rows repainted,
                # through the model) follows in the next pass, outside the switch.
                self._show(queued.id)
                self._refresh = False
            self.view.setCurrentIndex(index)
        self._refresh = False
        self.view.scrollTo(index)

    def redisplay(self) -> None:
        """Show the current row again (after the preview settings changed)."""
        if self._current is not None:
            self.select_row(self.current_row(), refresh=True)

    def current_row(self) -> int:
        return self.view.currentIndex().row()

    def step(self, delta: int) -> None:
        row = self.current_row()
        target = row + delta
        if target >= self.model.rowCount() - PREFETCH and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())  # the next page arrives before the reviewer gets there
        self.select_row(min(target, self.model.rowCount() - 1))

    def forget(self, case_id: uuid.UUID) -> None:
        """Drop the loaded view of ``case_id`` (it changed: decided, undone, noted)."""
        self._views.pop(case_id, None)

    def reload(self, case_id: uuid.UUID) -> None:
        """Load ``case_id`` again and show it if it is still the selected row (e.g. after a note)."""
        self.forget(case_id)
        self._load(case_id, show=True)

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.activity.emit()
        row = self.model.case_at(current.row()) if current.isValid() else None
        if row is None:
            self._display(None)
            return
        if not self._refresh and self.is_current(row.id):
            return
        self._show(row.id, row.external_id)

    def _show(self, case_id: uuid.UUID, external_id: str = "") -> None:
        """Show the case (loaded: at once; else once read) and prefetch after its paint."""
        view = self._views.get(case_id)
        if view is not None:
            self._display(view)
        else:
            self._current = None
            self.preview.show_case(None)
            self.preview.show_loading(external_id)
            self._load(case_id, show=True)
        self._prefetch_due = True
        # _display may have asked for the next turn already, or for the window's first expose.
        if not self._prefetch_timer.isActive() and not self._awaiting_expose:
            self._prefetch_timer.start(PREFETCH_AFTER_MS)

    def after_paint(self, work: Callable[[], None]) -> None:
        """Run ``work`` once the case being switched to has painted (at the latest after
        ``PREFETCH_AFTER_MS``): background reads that must not compete with the switch."""
        self._after_paint.append(work)
        if not self._prefetch_timer.isActive() and not self._awaiting_expose:
            self._prefetch_timer.start(PREFETCH_AFTER_MS)

    # -- loading ---------------------------------------------------------------------------------
    def read_view(self, case_id: uuid.UUID) -> CaseView | None:
        """The case as the pane shows it, read from the database (any thread; the read worker's)."""
        return load_case(self.ctx.db, case_id)

    def keep_view(self, case_id: uuid.UUID, view: object) -> None:
        """A case read ahead (``QueueModel.read_ahead``): shown at once when its row is selected."""
        if isinstance(view, CaseView) and case_id not in self._views:
            self._views[case_id] = view
            self._request_media(view)

    def _load(self, case_id: uuid.UUID, *, show: bool) -> None:
        if case_id in self._loading and not show:
            return
        self._loading.add(case_id)

        def done(view: CaseView | None) -> None:
            self._loading.discard(case_id)
            if view is None:
                return
            self._views[case_id] = view
            self._request_media(view)
            if show and self._is_selected_row(case_id):
                self._display(view)

        self.ctx.tasks.run_read(lambda: self.read_view(case_id), done, self._background_error)

    def _is_selected_row(self, case_id: uuid.UUID) -> bool:
        row = self.model.case_at(self.current_row())
        return row is not None and row.id == case_id

    def _display(self, view: CaseView | None) -> None:
        self._current = view
        severity = self.ctx.pack.severity_for(view.category) if view else 1
        self.preview.show_case(view, severity)
        if view is not None:
            for item in view.media_items():
                assert item.media_sha256 is not None and item.media_path is not None
                hit = self.cache.lookup(item.media_sha256)
                if hit is not None:
                    self.preview.set_prepared(item.media_sha256, hit)
                else:
                    self.cache.request(item.media_sha256, item.media_path, item.kind)
        # The pane (header, warning, media) goes on screen now; the rest of the window in the next pass.
        self._painting_now = True
        try:
            painted = self.preview.paint_now()
        finally:
            self._painting_now = False
        self._settle_view = view
        if painted:
            self._prefetch_timer.start(0)
        elif self.preview.isVisible() and not on_screen(self.preview):
            # The window is shown but not exposed yet (the start): it paints the case inside its first
            # expose, and what waits for the paint waits for that, however late it comes.
            self._prefetch_timer.stop()
            if not self._awaiting_expose:
                self._awaiting_expose = True
                after_exposed(self.preview, self._exposed)
        else:
            self._prefetch_timer.start(PREFETCH_AFTER_MS)
        if view is not None and view.status in WORKABLE_STATUSES:  # a decided case is looked at, never claimed
            self._claim(view.id)
        self.case_shown.emit(view)

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
        if len(self._views) > KEEP_NEAR:  # keep only what is near
            keep = {
                c.id for c in (self.model.case_at(r) for r in range(max(0, row - 2), row + PREFETCH + 2)) if c
            }
            self._views = {k: v for k, v in self._views.items() if k in keep}

    def _exposed(self) -> None:
        """The window's first expose is done (the case shown before it painted inside it)."""
        self._awaiting_expose = False
        self._prefetch_timer.start(0)

    def _on_painted(self) -> None:
        if not self._painting_now:  # a paint inside the switch: the switch finishes first
            self._prefetch_now()

    def _prefetch_now(self) -> None:
        """The shown case has painted (or the fallback timer fired): load the next cases now, announce the
        case as settled and run the work that waited for the paint."""
        self._prefetch_timer.stop()
        if self._prefetch_due:
            self._prefetch_due = False
            row = self.current_row()  # now: the decided row may have left the table meanwhile
            if row >= 0:
                self._prefetch(row)
        view, self._settle_view = self._settle_view, None
        if view is not None and view is self._current:
            self.case_settled.emit(view)
        work, self._after_paint = self._after_paint, []
        for fn in work:
            fn()

    def _on_preview_ready(self, sha: str, prepared: PreparedPreview) -> None:
        view = self._current
        if view is not None and any(i.media_sha256 == sha for i in view.items):
            self.preview.set_prepared(sha, prepared)
        else:  # a case ahead: its paint will only draw the image scaled now, between cases
            self.preview.canvas.prepare_ahead(prepared)

    # -- claims ----------------------------------------------------------------------------------
    def _claim(self, case_id: uuid.UUID) -> None:
        db, holder = self.ctx.db, self.ctx.session_id

        def claimed(result: ClaimResult) -> None:
            if result.ok or not self.is_current(case_id):
                return
            self.status.emit(f"{refusal_text(result)} Moving on.")
            self.model.remove_case(case_id)
            self.select_row(self.current_row(), refresh=True)

        self.ctx.tasks.run_db(lambda: try_claim(db, case_id, holder), claimed, self._background_error)
        self._renew_timer.start()

    def _renew(self) -> None:
        """While a case stays on screen its lease is extended, so nobody else is offered it."""
        view = self._current
        if view is None:
            return
        db, case_id, holder = self.ctx.db, view.id, self.ctx.session_id

        def renewed(ok: bool) -> None:
            if not ok and self.is_current(case_id):
                self.lease_lost.emit(case_id)

        self.ctx.tasks.run_db(lambda: renew_lease(db, case_id, holder), renewed, self._background_error)

    def _background_error(self, exc: BaseException) -> None:
        self.status.emit(f"Database problem: {exc}")


def refusal_text(result: ClaimResult) -> str:
    """Why a case cannot be worked here: who decided it (what, when) or who holds it (until when)."""
    if result.standing is not None:
        return f"Already decided: {result.standing.describe()}."
    if result.holder is not None:
        return f"{result.holder.reviewer_handle} holds this case until {result.holder.expires_at:%H:%M} UTC."
    return f"This case is {result.status or 'not open'}."

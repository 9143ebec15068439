"""The review feature: queue | preview | policy panel, and the objects that run the review loop.

:class:`ReviewFeature` builds the panels and wires the loop's parts to one another: the selection owns
the current case; picks, the decision flow and duplicate suppression react to it. It also keeps the
status-bar figures that belong to the loop (SLA of the shown case, session counters, pack version).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from reviewer.casefile import CaseView
from reviewer.clock import utcnow
from reviewer.display import visible
from reviewer.durations import sla_text
from reviewer.media.blobs import BlobStore
from reviewer.media.preview import PreviewSpec
from reviewer.media.store import MediaStore
from reviewer.queue import QueueFilter, categories, channels, count
from reviewer.session_figures import SessionFigures, session_figures
from reviewer.storage.database import Database
from ui.review.decision_flow import DecisionFlow
from ui.review.duplicates import Duplicates
from ui.review.lane import LaneHost
from ui.review.override import Overrides
from ui.review.picks import PickFlow
from ui.review.policy_panel import PolicyPanel
from ui.review.preview_cache import MediaReader, PreviewCache, StoredPreviews
from ui.review.preview_pane import PreviewPane
from ui.review.queue_model import QueueModel
from ui.review.queue_panel import QueuePanel
from ui.review.selection import Selection
from ui.review.zoom import Zoom
from ui.shell.frame import Frame
from ui.shell.plain import plain_label
from ui.shell.prefs import preview_spec_from
from ui.shell.screens import WORK

COUNT_CAP = 100_000


class ReviewFeature(QObject):
    def __init__(self, window: Frame, spec: PreviewSpec | None = None) -> None:
        super().__init__(window)
        ctx, prefs = window.ctx, window.prefs
        self.window, self.ctx = window, ctx
        with ctx.db.read() as s:
            channel_codes, category_keys = channels(s), categories(s)
        # Pages are read on the read worker; the first one when start() applies the filter.
        self.model = QueueModel(ctx.db, submit=lambda work, done: ctx.tasks.run_read(work, done))
        self.queue = QueuePanel(self.model, channel_codes, category_keys)
        self.preview = PreviewPane(monotonic=window.clock.monotonic)
        self.policy = PolicyPanel(ctx.pack)
        window.add_panel(self.queue, width=500)
        window.add_panel(self.preview, width=600, stretch=1)
        window.add_panel(self.policy, width=340)
        window.work_focus = self.queue.table
        self.cache = PreviewCache(
            ctx.tasks,
            spec or preview_spec_from(prefs.wellbeing),
            read=media_reader(ctx.db),
            previews=stored_previews(ctx.db),
        )
        self.preview.apply_settings(prefs.wellbeing)
        self.selection = Selection(ctx, self.model, self.queue.table, self.preview, self.cache, self)
        self.flow = DecisionFlow(ctx, self.model, self.selection, self.preview, prefs, window)
        self.picks = PickFlow(ctx.pack, self.policy, self.flow.commit, self.queue.table, self)
        self.duplicates = Duplicates(ctx, self.selection, self.preview, self.flow)
        self.overrides = Overrides(ctx, self.selection, self.flow, window)
        self.lanes = LaneHost(self)  # QA / appeals lanes (ui/review/lane.py)
        self.zoom = Zoom(self.preview, self.cache, window, window.flash)  # Z: the original, full size
        self.flow.lane_route = self.lanes.route
        self.selection.case_shown.connect(self._on_case_shown)
        self.model.rows_ready.connect(self._on_rows_ready)
        for source in (self.selection, self.flow, self.picks, self.duplicates, self.overrides):
            source.status.connect(window.flash)
        prefs.changed.connect(self._on_prefs_changed)

        self.sla_label = plain_label()
        self.counters_label = plain_label(SessionFigures().status_text())
        self.figures = SessionFigures()  # the last figures read for the status bar
        self.pack_label = plain_label(f"Policy {visible(ctx.pack.version)}")
        self.sla_label.setAccessibleName("Time left before the case is due")
        self.counters_label.setAccessibleName("Session counters")
        self.counters_label.setAccessibleDescription("Cases decided and undone in this session")
        self.pack_label.setAccessibleName("Policy pack version")
        for label in (self.sla_label, self.counters_label):
            window.add_status(label)
        self.flow.counters_changed.connect(self._update_counters)
        window.screens.changed.connect(lambda _name: self._update_sla_label())  # no SLA on a break screen
        self.flow.counters_changed.connect(self.refresh_count)
        self.queue.filter_changed.connect(self.apply_filter)
        # A new filter's first case is read on the worker right after its first page (see QueueModel).
        self.model.read_ahead = self.selection.read_view
        self.model.first_case_read.connect(self.selection.keep_view)
        self.model.loaded.connect(lambda: self.selection.select_row(0, refresh=True))
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        window.on_close(self.preview.end_reveal)
        window.on_shutdown(self.preview.end_reveal)
        window.on_shutdown(self.cache.shutdown)
        # Leases are released by the session's end (ui/shell/main_window.py), all in one transaction.

    def read_first_page(self) -> None:
        """Ask the read worker for the first page (and with it the first case) while the window is still
        being built: it arrives through the event loop, so after every feature is wired, and its reads
        (SQLite's part without the GIL) overlap the build instead of following it."""
        self.apply_filter(self.queue.current_filter(), count=False)

    def start(self) -> None:
        """Put the keys on the table, once every feature is wired (the first page was asked for with
        ``read_first_page``). The match count and the session figures are read once the first case (or
        the empty queue) is shown: on the read worker they would sit between the first page and the
        first case's load."""
        self.window.add_status(self.pack_label)
        self.window.when_started(self.refresh_count)
        self.window.when_started(self._update_counters)
        self.queue.table.setFocus()

    # -- reacting --------------------------------------------------------------------------------
    def _on_rows_ready(self, first: int, last: int) -> None:
        """The selected row was shown while its row was being read (the queue model keeps few full rows):
        show its case now that it is here."""
        row = self.selection.current_row()
        if first <= row <= last and self.selection.current is None:
            self.selection.select_row(row, refresh=True)

    def _on_case_shown(self, view: CaseView | None) -> None:
        self.window.set_subject(view.external_id if view else None)
        self.picks.reset()
        self.policy.show_category_soon(view.category if view else None)
        self._update_sla_label()

    def _on_prefs_changed(self) -> None:
        settings = self.window.prefs.wellbeing
        self.preview.apply_settings(settings)
        spec = preview_spec_from(settings)
        if spec != self.cache.spec:
            self.cache.set_spec(spec)
            self.selection.redisplay()

    # -- status ----------------------------------------------------------------------------------
    def _update_counters(self) -> None:
        """The session figures, read from the database on the read worker (the summary shows the same)."""
        db, reviewer_id, session_id = self.ctx.db, self.ctx.reviewer.id, self.ctx.session_id

        def shown(figures: SessionFigures) -> None:
            self.figures = figures
            self.counters_label.setText(figures.status_text())

        self.ctx.tasks.run_read(lambda: session_figures(db, reviewer_id, session_id), shown)

    def _tick(self) -> None:
        self.model.refresh_sla()
        self._update_sla_label()

    def _update_sla_label(self) -> None:
        view = self.selection.current
        self.sla_label.setVisible(self.window.screens.current == WORK)
        if view is None:
            self.sla_label.setText("SLA —")
        else:
            self.sla_label.setText(sla_text(view.sla_deadline, utcnow(), view.status))

    # -- queue -----------------------------------------------------------------------------------
    def apply_filter(self, flt: QueueFilter, *, count: bool = True) -> None:
        flt = self.lanes.narrow(flt)
        self.queue.set_count("Searching…" if flt.text else "Loading…")
        self.model.set_filter(flt)  # rows arrive off the UI thread; `loaded` shows the first case
        if count:
            self.refresh_count()

    def refresh_count(self) -> None:
        """The match count for the model's filter (capped, on the read worker); also after decisions."""
        db, flt = self.ctx.db, self.model.filter

        def shown(n: int) -> None:
            self.queue.set_count(f"{n:,}{'+' if n >= COUNT_CAP else ''} cases match")

        self.ctx.tasks.run_read(lambda: _count(db, flt), shown)


def _count(db: Database, flt: QueueFilter) -> int:
    with db.read() as s:
        return count(s, flt, cap=COUNT_CAP)


def stored_previews(db: Database) -> StoredPreviews:
    """The stored previews of the database's media store (none for a team server's ``media_blob``)."""

    def store_of() -> object:
        from reviewer.vault.opening import media_store_of

        return media_store_of(db)

    return StoredPreviews(store_of)


def media_reader(db: Database) -> MediaReader:
    """Reads media for display through the database's media store: decrypted, every chunk and the content
    hash checked. The store (and its key) is looked up at the first read, on a media thread."""
    from reviewer.vault.opening import media_store_of

    stores: list[MediaStore | BlobStore] = []  # a team server keeps its media in the database

    def read(sha: str, path: Path) -> bytes:
        if not stores:
            stores.append(media_store_of(db))
        return stores[0].read(sha)

    return read

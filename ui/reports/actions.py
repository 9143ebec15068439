"""The report feature: ``report.export`` (Ctrl+Shift+P) opens the export dialog and runs the export.

The export runs in three hops, none on the UI thread: the fresh audit checkpoint on the database worker
(a write), gathering the content (reads, thumbnails in the review's decode workers) and rendering the
PDF or HTML on a thread of the feature's own QThreadPool, then the file and its ``report.export`` audit event on the database worker
again (``reviewer.reports.export``). Progress comes back by signal to the dialog.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from reviewer.display import visible
from reviewer.paths import data_dir
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.shell.frame import Frame

if TYPE_CHECKING:  # the export's modules load when the dialog first opens (cold start)
    from reviewer.investigations import InvestigationSummary
    from reviewer.media.decode_guard import DecodePool
    from reviewer.reports.content import CheckpointRef, ReportContent
    from reviewer.reports.export import ExportResult
    from ui.reports.dialog import ExportDialog, ExportRequest

EXPORT = ActionSpec(
    "report.export",
    "Export investigation report…",
    "Investigate",
    description="Write an investigation's report (PDF or web page): findings, decisions, blurred evidence",
)
ACTIONS: tuple[ActionSpec, ...] = (EXPORT,)

#: What investigation the Investigations window shows (part INV), if it says; else the dialog picks.
CurrentInvestigation = Callable[[], uuid.UUID | None]


def reports_folder() -> Path:
    return data_dir() / "reports"


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class _Progress(QObject):
    """Carries progress from the worker thread to the UI thread (a queued signal)."""

    changed = Signal(str, int, int)


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    """Work on a QThreadPool thread. Qt's text layout starts timers, which needs a thread Qt made (an
    executor's Python thread has no event dispatcher); the result comes back by queued signal."""

    def __init__(self, work: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self.work, self.relay = work, relay

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


class ReportsFeature:
    def __init__(self, window: Frame, pool: DecodePool | None, current: CurrentInvestigation | None) -> None:
        self.window, self.ctx = window, window.ctx
        self.pool, self.current = pool, current
        self.dialog: ExportDialog | None = None
        self.busy = False
        self.last: ExportResult | None = None
        self._progress = _Progress()
        self._threads = QThreadPool()
        self._threads.setMaxThreadCount(1)  # one export at a time
        self._relay = _Relay()
        self._relay.done.connect(self._built)
        self._relay.failed.connect(self._failed)
        self._closed = False
        self._request: ExportRequest | None = None
        window.on_shutdown(self.shutdown)

    def shutdown(self) -> None:
        """At close: a render in progress finishes (its file is not written: the db worker is gone)."""
        self._closed = True
        self._threads.waitForDone()

    # -- the dialog --------------------------------------------------------------------------------
    def show_dialog(self) -> None:
        from reviewer.investigations import list_investigations

        if self.dialog is not None:
            if self.busy:  # an export is running: show it rather than start a second one
                self.dialog.show()
                self.dialog.raise_()
                return
            self.dialog.deleteLater()
        from ui.reports.dialog import ExportDialog

        dialog = ExportDialog(reports_folder(), self.window)
        dialog.export_requested.connect(self.export)
        dialog.finished.connect(lambda _r: self.window.refocus())
        self._progress.changed.connect(dialog.set_progress)
        self.dialog = dialog
        dialog.open()
        db = self.ctx.db
        current = self.current() if self.current is not None else None

        def shown(rows: list[InvestigationSummary]) -> None:
            if self.dialog is dialog:
                dialog.set_investigations(rows, current)

        def failed(exc: BaseException) -> None:
            if self.dialog is dialog:
                dialog.set_message(f"Investigations not read: {one_line(exc)}")

        self.ctx.tasks.run_read(lambda: list_investigations(db), shown, failed)

    # -- the export --------------------------------------------------------------------------------
    def export(self, request: ExportRequest) -> None:
        """Checkpoint (db) → gather + render (io) → file + audit event (db); progress to the dialog."""
        if self.busy:
            return
        from reviewer.reports.export import anchor, render
        from reviewer.reports.gather import default_thumbnailer, gather
        from ui.reports.pdf import render_pdf

        self.busy = True
        if self.dialog is not None:
            self.dialog.set_busy(True)
            self.dialog.set_message("Signing an audit checkpoint…")
        ctx, db = self.ctx, self.ctx.db
        actor = ctx.reviewer.handle
        wellbeing = self.window.prefs.wellbeing
        greyscale = bool(wellbeing.get("display.greyscale"))
        blur = float(wellbeing.get("display.blur_px"))
        pool, progress = self.pool, self._progress.changed

        def build(checkpoint: CheckpointRef | None) -> tuple[ReportContent, str, bytes]:
            if request.path.parent == reports_folder():  # the suggested folder is made on first use
                request.path.parent.mkdir(parents=True, exist_ok=True)
            maker = default_thumbnailer(db, pool=pool, greyscale=greyscale, blur_px=blur)
            try:
                content = gather(
                    db,
                    request.inv_id,
                    clear_images=request.clear_images,
                    media=maker,
                    checkpoint=checkpoint,
                    generated_by=actor,
                    progress=progress.emit,
                )
            finally:
                maker.close()
            progress.emit("Rendering the " + request.fmt.upper(), 0, 0)
            sha, data = render(content, request.fmt, render_pdf)
            return content, sha, data

        def anchored(checkpoint: CheckpointRef | None) -> None:
            self._request = request
            self._threads.start(_Job(lambda: build(checkpoint), self._relay))

        ctx.tasks.run_db(lambda: anchor(db), anchored, self._failed)

    def _built(self, made: tuple[ReportContent, str, bytes]) -> None:
        request = self._request
        if self._closed or request is None:
            return
        from reviewer.reports.export import record_export

        content, sha, data = made
        db, actor = self.ctx.db, self.ctx.reviewer.handle
        self.ctx.tasks.run_db(
            lambda: record_export(
                db, content, path=request.path, fmt=request.fmt, sha256=sha, data=data, actor=actor
            ),
            self._done,
            self._failed,
        )

    def _done(self, result: ExportResult) -> None:
        self.busy, self.last = False, result
        clear = " with CLEAR images" if result.clear_images else ""
        text = f"Report written{clear}: {result.path} (SHA-256 {result.sha256[:16]}…)"
        self.window.flash(text, 15000)
        if self.dialog is not None:
            self.dialog.set_busy(False)
            self.dialog.progress.setValue(1)  # full: written
            self.dialog.set_message(text)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        if self._closed:
            return
        text = f"Report not written: {one_line(exc)}"
        self.window.flash(visible(text), 15000)
        if self.dialog is not None:
            self.dialog.set_busy(False)
            self.dialog.set_message(text)


def install(
    window: Frame,
    registry: ActionRegistry,
    *,
    pool: DecodePool | None = None,
    current: CurrentInvestigation | None = None,
) -> ReportsFeature:
    """``pool``: the decode workers to make thumbnails in (the review's; else the thumbnailer starts its
    own for each export); ``current``: the investigation open in the Investigations window, if known."""
    feature = ReportsFeature(window, pool, current)
    registry.register(EXPORT, feature.show_dialog)
    return feature

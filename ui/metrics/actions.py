"""The metrics feature's action and its one entry, :func:`install`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from reviewer.clock import utcnow
from reviewer.storage.database import Database
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.shell.frame import Frame

if TYPE_CHECKING:  # the figures and the view load when the view first opens (cold start)
    from reviewer.metrics import MetricsFilter, MetricsReport
    from ui.metrics.dialog import MetricsDialog

METRICS = ActionSpec(
    "app.metrics",
    "Metrics",
    "App",
    description="Charts of the team's figures (throughput, SLA, mix, flow), each with its table",
    safe_on_overlay=True,
)
ACTIONS: tuple[ActionSpec, ...] = (METRICS,)


class MetricsFeature(QObject):
    def __init__(self, window: Frame) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: MetricsDialog | None = None

    def compute(
        self, flt: MetricsFilter, on_done: Callable[[MetricsReport], None], on_error: Callable[[BaseException], None]
    ) -> None:
        db = self.window.ctx.db
        self.window.ctx.tasks.run_read(lambda: _compute(db, flt), on_done, on_error)

    def open(self) -> None:
        """Open the metrics view (once the filter choices are read on the db-read worker)."""
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        db = self.window.ctx.db
        self.window.ctx.tasks.run_read(
            lambda: _choices(db),
            self._show,
            lambda exc: self.window.flash(f"Metrics could not be opened: {exc}"),
        )

    def _show(self, choices: tuple[list[str], list[str]]) -> None:
        if self.dialog is not None:
            return
        from ui.metrics.dialog import MetricsDialog

        dialog = MetricsDialog(self.compute, choices, utcnow().date(), self.window)
        dialog.finished.connect(lambda _r: self._closed())
        self.dialog = dialog
        dialog.show()

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
        self.window.refocus()


def _compute(db: Database, flt: MetricsFilter) -> MetricsReport:
    from reviewer.metrics import compute_metrics

    return compute_metrics(db, flt)


def _choices(db: Database) -> tuple[list[str], list[str]]:
    from reviewer.metrics.report import channels_and_categories

    return channels_and_categories(db)


def install(window: Frame, registry: ActionRegistry) -> MetricsFeature:
    """Register the metrics view (F9, and the palette) on ``window``."""
    feature = MetricsFeature(window)
    registry.register(METRICS, feature.open)
    return feature

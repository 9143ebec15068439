"""The response composer and the responses list: every control named and described, no cut label."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from reviewer.responses.compose import ComposeContext, Requester, StandingDecision, placeholder_values
from reviewer.responses.listing import ResponseListRow
from reviewer.responses.templates import shipped_templates
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from ui.responses.composer import ResponseComposer
from ui.responses.list_view import ResponsesDialog
from ui.shell.main_window import MainWindow

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_composer_and_list_controls_are_named(open_window: Callable[..., MainWindow], qtbot: QtBot) -> None:
    window = open_window()
    ctx = ComposeContext(
        case_id=uuid.uuid4(),
        external_id="ESC-1",
        channel="regulator",
        status="decided",
        requester=Requester("A Name", "An Organisation", "contact@example.org", "REF-1"),
        requester_locked=False,
        response_due_at=NOW,
        decision=StandingDecision(uuid.uuid4(), "remove", "VIO-1", "1.0", NOW, "tester"),
    )
    composer = ResponseComposer(
        ctx,
        shipped_templates()["regulator"],
        placeholder_values(ctx, window.ctx.pack, "tester"),
        save=lambda _d: None,
        finalise=lambda _d: None,
        parent=window,
    )
    listing = ResponsesDialog(export=lambda _p: None, parent=window)
    listing.set_rows(
        [
            ResponseListRow(
                uuid.uuid4(), ctx.case_id, "ESC-1", "regulator", "final", "S", "responded", NOW, NOW, None
            )
        ]
    )
    for dialog in (composer, listing):
        qtbot.addWidget(dialog)
        dialog.show()
        assert unnamed_controls(dialog) == [], dialog.windowTitle()
        assert clipped_labels(dialog) == [], dialog.windowTitle()

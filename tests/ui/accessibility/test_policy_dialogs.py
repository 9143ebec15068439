"""The policy gap and policy change dialogs: every control named and described, no label cut."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from reviewer.policy import PolicyPack, load_pack
from reviewer.policy_updates import PackChanges, section_changes
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from tests.support.policy_packs import second_version
from ui.policy_updates.changes_view import ChangesDialog
from ui.policy_updates.gaps_view import GapsDialog
from ui.policy_updates.note_box import GapNoteBox
from ui.shell.main_window import MainWindow


def _nothing(*_args: object) -> None:
    return None


def test_policy_dialogs_are_named(
    open_window: Callable[..., MainWindow], qtbot: QtBot, pack: PolicyPack, tmp_path: Path
) -> None:
    window = open_window()
    new = load_pack(second_version(tmp_path))
    dialogs = [
        GapNoteBox("Flag a policy gap", "Case X", _nothing, section="VIO-1", parent=window),
        GapNoteBox("Close a policy gap", "Case X", _nothing, parent=window),
        GapsDialog(
            lead=True, go_to=_nothing, close_gap=_nothing, export=_nothing, reload=_nothing, parent=window
        ),
        ChangesDialog(PackChanges(new.version, pack.version, tuple(section_changes(pack, new))), window),
        ChangesDialog(PackChanges(new.version), window),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        assert unnamed_controls(dialog) == [], dialog.windowTitle()
        assert clipped_labels(dialog) == [], dialog.windowTitle()
        dialog.close()

"""The command feature's own actions beside their handlers: the palette and the cheat sheet."""

from __future__ import annotations

from ui.commands.cheatsheet import CheatSheet
from ui.commands.palette import CommandPalette
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.shell.frame import Frame

PALETTE = ActionSpec("app.palette", "Command palette", "App", safe_on_overlay=True)
CHEATSHEET = ActionSpec("app.cheatsheet", "Keyboard shortcuts", "App", safe_when_hidden=True, safe_on_overlay=True)
ACTIONS: tuple[ActionSpec, ...] = (PALETTE, CHEATSHEET)


def install(window: Frame, registry: ActionRegistry) -> None:
    """Register the palette (Ctrl+K) and the cheat sheet (?) on ``window``."""

    def palette() -> None:
        CommandPalette(registry, window).exec()
        window.refocus()

    def cheatsheet() -> None:
        CheatSheet(registry, window).exec()
        window.refocus()

    registry.register(PALETTE, palette)
    registry.register(CHEATSHEET, cheatsheet)

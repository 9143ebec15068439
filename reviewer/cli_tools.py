"""What ``reviewer.cli`` hands to a command registered by its own module (``set_defaults(handler=…)``):
the database opener, the closing ``database: …`` line and the one-line user error. Handed over, not
imported, so command modules never import ``reviewer.cli`` (no import cycle, and ``python -m
reviewer.cli`` catches the very error class the command raises)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reviewer.storage.database import Database


@dataclass(frozen=True)
class CommandTools:
    open: Callable[..., Database]  # open(args, creates=False): the database the command works on
    used: Callable[[Database], None]  # the last line of a command that used a database
    error: type[Exception]  # raise error("one line") for a mistake the user can fix
    render_pdf: Callable[..., bytes] | None = None  # reports as PDF (Qt, supplied by ui.shell.launcher)


Handler = Callable[[argparse.Namespace, CommandTools], int]


def run_handler(handler: Any, args: argparse.Namespace, tools: CommandTools) -> int:
    return int(handler(args, tools))

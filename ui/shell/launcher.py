"""The ``reviewer`` console command: the core CLI, with the desktop app plugged in to open.

Qt is imported only when the app actually opens, so ``reviewer demo`` and friends start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from reviewer.cli import main as core_main


def open_app(url: str) -> int:
    from ui.shell.app import run_app

    return run_app(url)


def main(argv: Sequence[str] | None = None) -> int:
    return core_main(argv, open_app=open_app)


if __name__ == "__main__":
    sys.exit(main())

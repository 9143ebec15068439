"""``reviewer previews``: make the stored previews of media that have none (stored by an older version).

New media get theirs when they arrive (import, sync pull, pack open); this is the backfill, and the window
also makes a missing one on first show. One decode per image, in the decode worker processes.
"""

from __future__ import annotations

import argparse
from typing import Any

from reviewer.cli_tools import CommandTools


def add_commands(sub: Any) -> None:
    pre = sub.add_parser("previews", help="make the stored previews of media that have none (older media)")
    pre.set_defaults(handler=cmd_previews)


def cmd_previews(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.media.arrival import derive_missing
    from reviewer.media.store import MediaStore
    from reviewer.vault.errors import VaultError
    from reviewer.vault.opening import media_store_of

    db = tools.open(args)
    try:
        try:
            store = media_store_of(db)
        except VaultError as exc:
            raise tools.error(f"cannot open the media store: {exc}") from None
        if not isinstance(store, MediaStore):
            raise tools.error(
                "a team server keeps no stored previews: each workstation makes its own at pull"
            )
        missing = [sha for sha in store.names() if not store.has_derived(sha)]
        report = derive_missing(store, missing)
    finally:
        db.dispose()
    print(
        f"stored previews: {report.made} made, {report.refused} refusals kept, "
        f"{report.skipped} not made (videos, unreadable); {len(missing)} media had none"
    )
    tools.used(db)
    return 0

"""``reviewer escalations``: the escalations still waiting at their tier, most urgent first.

One line each: the case, its tier, who escalated it and the hand-off note, who holds it now, and the time
left to the tier's SLA (or how long it is overdue). ``--tier N`` shows one tier, ``--overdue`` only the
escalations past their tier SLA. Every value from outside (ids, handles, notes, tier names) is shown
through ``visible``; a mistake (a tier the pack does not define) is one line and exit 1.
"""

from __future__ import annotations

import argparse
from typing import Any

from reviewer.cli_tools import CommandTools


def add_commands(sub: Any) -> None:
    esc = sub.add_parser("escalations", help="open escalations: tier, holder, hand-off note, tier SLA")
    esc.add_argument("--tier", type=int, metavar="N", help="only the escalations at tier N (2, 3, …)")
    esc.add_argument("--overdue", action="store_true", help="only those past their tier SLA")
    esc.set_defaults(handler=_escalations)


def _escalations(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.display import visible
    from reviewer.escalations import escalation_line, open_escalations
    from reviewer.policy import PolicyPackError
    from reviewer.policy_sources import current_pack

    db = tools.open(args)
    try:
        pack = current_pack(db)  # the pack in force: the last installed, else the built-in one
    except PolicyPackError as exc:
        db.dispose()
        raise tools.error(str(exc)) from None
    if args.tier is not None and not 1 <= args.tier <= pack.max_tier:
        levels = ", ".join(f"{t.level} ({visible(t.name)})" for t in pack.tiers)
        db.dispose()
        raise tools.error(
            f"no tier {args.tier} in policy pack {visible(pack.version)}: its tiers are {levels}"
        )
    try:
        rows = open_escalations(db, pack, tier=args.tier, overdue_only=args.overdue)
        if not rows:
            where = f" at tier {args.tier}" if args.tier is not None else ""
            print(f"no {'overdue ' if args.overdue else ''}open escalations{where}")
        for esc in rows:
            print(f"{visible(esc.external_id)}  {'OVERDUE  ' if esc.overdue else ''}{escalation_line(esc)}")
        return 0
    finally:
        db.dispose()
        tools.used(db)

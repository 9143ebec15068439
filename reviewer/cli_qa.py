"""``reviewer qa`` (blind second review) and ``reviewer appeals``.

``qa rate [--policy CODE] [--channel CODE] RATE`` sets a sample rate (a fraction, 0.05 = 5 %; the most
specific pair wins, default 5 %), ``qa rates`` lists them, ``qa sample`` runs the sampling step,
``qa status`` counts the items by state, ``qa list`` is the signed-in reviewer's blind QA queue,
``qa decide ITEM ACTION [--policy CODE]`` records a verdict, ``qa adjudications`` lists the
disagreements (a lead), ``qa adjudicate ITEM ACTION [--policy CODE] --note …`` settles one (a lead).
``appeals import FILE.jsonl`` (all or nothing), ``appeals list [--all]``, ``appeals uphold APPEAL``,
``appeals overturn APPEAL ACTION [--policy CODE] --note …``. Every refusal is one line and exit 1; a
refused import lists its bad lines (by number) under that line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reviewer.cli_tools import CommandTools

EXIT_FAILED = 1
ERRORS_SHOWN = 20


def _rate(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (0.05 is 5 %)") from None


def add_commands(sub: Any) -> None:
    qa = sub.add_parser("qa", help="blind second review: rates, sample, queue, verdicts, adjudications")
    act = qa.add_subparsers(dest="qa_command", metavar="ACTION", required=True)
    rate = act.add_parser("rate", help="set the QA sample rate for a policy and/or channel (default: any)")
    rate.add_argument("rate", type=_rate, help="a fraction from 0 to 1 (0.05 = 5 %)")
    rate.add_argument("--policy", metavar="CODE", help="only decisions citing this section")
    rate.add_argument("--channel", metavar="CODE", help="only cases of this channel")
    act.add_parser("rates", help="the QA sample rates in force")
    act.add_parser("sample", help="put new final decisions into the QA sample (idempotent)")
    act.add_parser("status", help="QA items by state")
    act.add_parser("list", help="your blind QA queue (others' decisions, nothing of the first decision)")
    decide = act.add_parser("decide", help="your blind verdict on a QA item")
    decide.add_argument("item", help="the item's id (its first 8 characters are enough)")
    decide.add_argument("action", help="keep, remove, restrict, warn, strike or suspend")
    decide.add_argument("--policy", metavar="CODE", help="the section cited")
    act.add_parser("adjudications", help="disagreements waiting for a lead")
    adj = act.add_parser("adjudicate", help="settle a disagreement with a decision (a lead)")
    adj.add_argument("item")
    adj.add_argument("action")
    adj.add_argument("--policy", metavar="CODE")
    adj.add_argument("--note", required=True, help="why (required; recorded)")
    qa.set_defaults(handler=_qa)

    ap = sub.add_parser("appeals", help="appeals: import, list, uphold, overturn")
    acts = ap.add_subparsers(dest="appeal_command", metavar="ACTION", required=True)
    imp = acts.add_parser("import", help="import appeals from a JSON Lines file (all or nothing)")
    imp.add_argument("file", type=Path)
    lst = acts.add_parser("list", help="open appeals (--all: worked ones too)")
    lst.add_argument("--all", action="store_true")
    up = acts.add_parser("uphold", help="uphold an appeal: a new decision like the original")
    up.add_argument("appeal", help="the appeal's external id, or the start of its id")
    up.add_argument("--note", default="", help="optional note")
    over = acts.add_parser("overturn", help="overturn: the original undone, a new decision (a reason)")
    over.add_argument("appeal")
    over.add_argument("action")
    over.add_argument("--policy", metavar="CODE")
    over.add_argument("--note", required=True, help="why (required; recorded)")
    ap.set_defaults(handler=_appeals)


def _qa(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.conflicts import DecisionError
    from reviewer.display import visible
    from reviewer.identity import current_handle, ensure_reviewer
    from reviewer.overrides import may_override
    from reviewer.policy_sources import current_pack
    from reviewer.qa import reviews, sampling

    if args.qa_command == "rate":
        try:
            sampling.check_rate(args.rate)
        except sampling.QaError as exc:
            raise tools.error(str(exc)) from None
    db = tools.open(args)
    try:
        cmd = args.qa_command
        if cmd == "rate":
            r = sampling.set_rate(
                db, args.rate, actor=current_handle(), policy_code=args.policy, channel_code=args.channel
            )
            print(
                f"QA rate for policy {visible(r.policy_code)}, channel {visible(r.channel_code)}: {r.rate:.2%}"
            )
        elif cmd == "rates":
            rates = sampling.current_rates(db)
            print(f"default (no rate set): {sampling.DEFAULT_RATE:.0%}")
            for r in rates:
                print(
                    f"policy {visible(r.policy_code):<10} channel {visible(r.channel_code):<12} {r.rate:.2%}"
                )
        elif cmd == "sample":
            res = sampling.sample_new_decisions(db, actor=current_handle())
            print(
                f"{res.considered} decision(s) considered, {res.sampled} sampled, {res.withdrawn} withdrawn"
            )
        elif cmd == "status":
            sampling.sample_new_decisions(db, actor=current_handle())
            counts: dict[str, int] = {}
            for item in reviews.list_items(db, limit=10_000_000):
                counts[item.status] = counts.get(item.status, 0) + 1
            print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no QA items")
        elif cmd == "list":
            me = ensure_reviewer(db, current_handle())
            tasks = reviews.qa_queue(db, me)
            if not tasks:
                print("no QA items for you")
            for t in tasks:
                when = t.sampled_at.astimezone().strftime("%Y-%m-%d %H:%M")
                print(
                    f"{str(t.id)[:8]}  {when}  case {visible(t.case_external_id)}  {visible(t.channel_code)}"
                )
        elif cmd == "adjudications":
            if not may_override(ensure_reviewer(db, current_handle())):
                raise tools.error(
                    f"{visible(current_handle())} is not a lead; the disagreements are for leads"
                )
            items = reviews.list_items(db, status="disagreed")
            if not items:
                print("no disagreements waiting")
            for i in items:
                print(
                    f"{str(i.id)[:8]}  case {visible(i.case_external_id)}  "
                    f"{visible(i.first_reviewer)}: {i.first_action} {visible(i.first_policy or '')}  /  "
                    f"{visible(i.second_reviewer or '?')}: {i.verdict_action} {visible(i.verdict_policy or '')}"
                )
        else:
            me = ensure_reviewer(db, current_handle())
            pack = current_pack(db)
            try:
                if cmd == "decide":
                    item_id = reviews.find_item(reviews.qa_queue(db, me, sample=False), args.item)
                    done = reviews.record_verdict(
                        db, item_id, reviewer=me, action=args.action, policy_code=args.policy, pack=pack
                    )
                    print(
                        "verdict recorded: "
                        + ("agrees" if done.agreed else "differs; a lead will adjudicate")
                    )
                else:
                    item_id = reviews.find_item(reviews.list_items(db, status="disagreed"), args.item)
                    reviews.adjudicate(
                        db,
                        item_id,
                        lead=me,
                        action=args.action,
                        policy_code=args.policy,
                        pack=pack,
                        note=args.note,
                    )
                    print("adjudication recorded as a decision on the case")
            except (sampling.QaError, DecisionError) as exc:
                raise tools.error(visible(" ".join(str(exc).split()))) from None
        return 0
    finally:
        db.dispose()
        tools.used(db)


def _appeals(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.appeals.importing import AppealImportFailed, import_appeals
    from reviewer.appeals.outcomes import (
        OVERTURN,
        UPHOLD,
        AppealError,
        decide_appeal,
        find_appeal,
        list_appeals,
    )
    from reviewer.conflicts import DecisionError
    from reviewer.display import visible
    from reviewer.identity import current_handle, ensure_reviewer
    from reviewer.policy_sources import current_pack

    if args.appeal_command == "import":
        if args.file.is_dir():
            raise tools.error(f"{args.file} is a folder, not a file: give the JSON Lines file of appeals")
        if not args.file.is_file():
            raise tools.error(f"no such file: {args.file}")
    db = tools.open(args)
    try:
        if args.appeal_command == "import":
            try:
                n = import_appeals(db, args.file, actor=current_handle())
            except AppealImportFailed as exc:
                print(f"reviewer: {args.file}: {exc}", file=sys.stderr)
                for line in exc.errors[:ERRORS_SHOWN]:
                    print(f"  {visible(line)}", file=sys.stderr)
                if exc.total_errors > ERRORS_SHOWN:
                    print(f"  … and {exc.total_errors - ERRORS_SHOWN} more", file=sys.stderr)
                return EXIT_FAILED
            except OSError as exc:
                raise tools.error(f"{args.file}: cannot be read ({exc.strerror or exc})") from None
            print(f"imported {n} appeal(s)")
        elif args.appeal_command == "list":
            rows = list_appeals(db, open_only=not args.all)
            if not rows:
                print("no open appeals" if not args.all else "no appeals")
            for a in rows:
                when = a.appealed_at.astimezone().strftime("%Y-%m-%d %H:%M")
                state = "" if a.open else f"  [{a.status} by {visible(a.worked_by or '?')}]"
                print(
                    f"{visible(a.external_id)}  {when}  case {visible(a.case_external_id)}  "
                    f"{visible(a.original_reviewer)}: {a.original_action} {visible(a.original_policy or '')}{state}"
                )
                print(f"    {visible(' '.join(a.statement.split()))[:200]}")
        else:
            me = ensure_reviewer(db, current_handle())
            try:
                appeal = find_appeal(list_appeals(db, open_only=False), args.appeal)
                outcome = UPHOLD if args.appeal_command == "uphold" else OVERTURN
                done = decide_appeal(
                    db,
                    appeal.id,
                    reviewer=me,
                    outcome=outcome,
                    pack=current_pack(db),
                    action=getattr(args, "action", None),
                    policy_code=getattr(args, "policy", None),
                    note=args.note,
                )
            except (AppealError, DecisionError) as exc:
                raise tools.error(visible(" ".join(str(exc).split()))) from None
            print(f"appeal {visible(done.external_id)} {done.status}")
        return 0
    finally:
        db.dispose()
        tools.used(db)

"""The decision actions and what each does to a case."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionKind:
    key: str
    label: str
    needs_policy: bool  # a decision with this action must cite a policy section
    status: str | None  # the case status it leads to; None leaves the status alone


ACTION_KINDS: dict[str, ActionKind] = {
    a.key: a
    for a in (
        ActionKind("keep", "Keep (no violation)", False, "decided"),
        ActionKind("remove", "Remove", True, "decided"),
        ActionKind("restrict", "Restrict (age gate / warning screen)", True, "decided"),
        ActionKind("escalate", "Escalate to next tier", False, "escalated"),
        ActionKind("warn", "Warn account", True, "decided"),
        ActionKind("strike", "Strike account", True, "decided"),
        ActionKind("suspend", "Suspend account", True, "decided"),
        ActionKind("skip", "Skip for now", False, "skipped"),
        ActionKind("note", "Add a note", False, None),
    )
}

UNDO = "undo"

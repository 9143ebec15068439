"""Response templates, one file per channel that expects a response: ``resources/responses/<channel>.toml``.

The set of files *is* the set of channels that need a response; each gives that channel's response SLA
(``sla_hours``) and its ``[[template]]`` entries::

    channel = "partner"
    sla_hours = 24

    [[template]]
    id = "partner-removed"
    title = "Content removed"
    actions = ["remove", "restrict"]      # the decisions it fits
    needs = ["decided"]                   # case statuses that allow finalising (default: decided)
    subject = "Your escalation {reference}: {decision}"
    body = \"\"\"Dear {requester_name}, …\"\"\"

Every file is validated at load: a mistake is one ``TemplateError`` line naming the file, the template
and the field. Placeholders are a fixed set (``PLACEHOLDERS``); an unknown one, a format spec, a
conversion or an attribute/index lookup is refused at load, so filling never fails. Values are inserted
as plain text once: a value that contains ``{…}`` is not expanded again.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reviewer.actions import ACTION_KINDS
from reviewer.models import CASE_STATUSES
from reviewer.resources import resource

PLACEHOLDERS = frozenset(
    {
        "case_id",
        "decision",
        "policy_code",
        "policy_title",
        "policy_version",
        "requester_name",
        "requester_organisation",
        "reference",
        "decided_at",
        "reviewer",
    }
)
MAX_SLA_HOURS = 24 * 90
_ID_CHARS = frozenset(string.ascii_lowercase + string.digits + "-_")
_FILE_KEYS = {"channel", "sla_hours", "template"}
_TEMPLATE_KEYS = {"id", "title", "actions", "needs", "subject", "body"}


class TemplateError(ValueError):
    """A response template file that cannot be used (one line: file, template, field, why)."""


@dataclass(frozen=True)
class ResponseTemplate:
    id: str
    title: str
    channel: str
    actions: tuple[str, ...]
    needs: tuple[str, ...]  # case statuses in which a response from this template may be finalised
    subject: str
    body: str

    def fits(self, action: str | None) -> bool:
        return action is not None and action in self.actions


@dataclass(frozen=True)
class ChannelTemplates:
    channel: str
    sla_hours: float
    templates: tuple[ResponseTemplate, ...]

    def for_action(self, action: str | None) -> list[ResponseTemplate]:
        """The templates that fit ``action`` first (file order), then the others."""
        return sorted(self.templates, key=lambda t: not t.fits(action))

    def get(self, template_id: str) -> ResponseTemplate | None:
        return next((t for t in self.templates if t.id == template_id), None)


class PlainFormatter(string.Formatter):
    """``str.format`` restricted to plain names of ``PLACEHOLDERS``; values inserted once, as text."""

    def check(self, text: str, where: str) -> None:
        try:
            parsed = list(self.parse(text))
        except ValueError as exc:
            raise TemplateError(f"{where}: {exc}") from None
        for _literal, name, spec, conversion in parsed:
            if name is None:
                continue
            if name not in PLACEHOLDERS:
                raise TemplateError(f"{where}: unknown placeholder {{{name}}}")
            if spec or conversion:
                raise TemplateError(f"{where}: placeholder {{{name}}} takes no format or conversion")

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if not isinstance(key, str) or key not in PLACEHOLDERS:
            raise TemplateError(f"unknown placeholder {{{key}}}")
        return str(kwargs.get(key, ""))

    def fill(self, text: str, values: Mapping[str, str]) -> str:
        return self.vformat(text, (), dict(values))


FORMATTER = PlainFormatter()


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True, limit: int = 20_000) -> str:
    value = raw.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise TemplateError(f"{where}: {key!r} must be a non-empty string")
    if len(value) > limit:
        raise TemplateError(f"{where}: {key!r} is longer than {limit} characters")
    return value


def _names(
    raw: Mapping[str, Any], key: str, where: str, known: Sequence[str], default: tuple[str, ...]
) -> tuple[str, ...]:
    value = raw.get(key, list(default))
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise TemplateError(f"{where}: {key!r} must be a non-empty list of strings")
    unknown = [v for v in value if v not in known]
    if unknown:
        raise TemplateError(f"{where}: {key!r} names unknown {unknown[0]!r} (known: {', '.join(known)})")
    return tuple(value)


def parse_templates(data: Mapping[str, Any], name: str) -> ChannelTemplates:
    """One file's parsed TOML as a ``ChannelTemplates``; TemplateError naming ``name`` otherwise."""
    extra = sorted(set(data) - _FILE_KEYS)
    if extra:
        raise TemplateError(f"{name}: unknown field {extra[0]!r}")
    channel = _text(data, "channel", name, limit=32)
    if Path(name).stem != channel:
        raise TemplateError(f"{name}: 'channel' is {channel!r}; the file must be named {channel}.toml")
    hours = data.get("sla_hours")
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= MAX_SLA_HOURS:
        raise TemplateError(f"{name}: 'sla_hours' must be a number of hours in (0, {MAX_SLA_HOURS}]")
    raw_templates = data.get("template")
    if not isinstance(raw_templates, list) or not raw_templates:
        raise TemplateError(f"{name}: at least one [[template]] is needed")
    templates: list[ResponseTemplate] = []
    for index, raw in enumerate(raw_templates):
        where = f"{name}: template {index + 1}"
        if not isinstance(raw, dict):
            raise TemplateError(f"{where}: must be a table")
        tid = _text(raw, "id", where, limit=64)
        if not set(tid) <= _ID_CHARS:
            raise TemplateError(f"{where}: 'id' may hold only a-z, 0-9, '-' and '_'")
        where = f"{name}: template {tid!r}"
        if any(t.id == tid for t in templates):
            raise TemplateError(f"{where}: the id is used twice")
        extra = sorted(set(raw) - _TEMPLATE_KEYS)
        if extra:
            raise TemplateError(f"{where}: unknown field {extra[0]!r}")
        subject = _text(raw, "subject", where, limit=500)
        body = _text(raw, "body", where)
        FORMATTER.check(subject, f"{where}: subject")
        FORMATTER.check(body, f"{where}: body")
        templates.append(
            ResponseTemplate(
                id=tid,
                title=_text(raw, "title", where, limit=128),
                channel=channel,
                actions=_names(raw, "actions", where, tuple(ACTION_KINDS), ()),
                needs=_names(raw, "needs", where, CASE_STATUSES, ("decided",)),
                subject=subject,
                body=body,
            )
        )
    return ChannelTemplates(channel, float(hours), tuple(templates))


def load_file(path: Path) -> ChannelTemplates:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"{path.name}: {exc}") from None
    return parse_templates(data, path.name)


def load_folder(folder: Path) -> dict[str, ChannelTemplates]:
    """Every ``*.toml`` of ``folder`` by channel."""
    found = [load_file(p) for p in sorted(folder.glob("*.toml"))]
    return {t.channel: t for t in found}


@cache
def shipped_templates() -> dict[str, ChannelTemplates]:
    """The templates shipped in ``resources/responses`` (loaded once per process), by channel."""
    folder = resource("responses")
    found: dict[str, ChannelTemplates] = {}
    for node in sorted(folder.iterdir(), key=lambda n: n.name):
        if node.name.endswith(".toml"):
            try:
                data = tomllib.loads(node.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise TemplateError(f"{node.name}: {exc}") from None
            templates = parse_templates(data, node.name)
            found[templates.channel] = templates
    return found


def response_sla_hours() -> dict[str, float]:
    """The response SLA of each channel that expects a response (the channels with a templates file)."""
    return {code: t.sla_hours for code, t in shipped_templates().items()}

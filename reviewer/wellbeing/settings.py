"""Display and wellbeing settings, declared once, with safe defaults and the organisation floor beside them.

Each :class:`SettingSpec` names the value shipped by default, the *floor* (the weakest value the
organisation allows a reviewer to choose) and which direction is more protective. Reviewers may tighten any
setting freely; loosening stops at the floor. An organisation changes defaults and floors with a TOML file
(``resources/wellbeing/org-defaults.toml`` documents the format). The preferences dialog is built from
:data:`SETTINGS`, so a setting added here appears there with its title, unit, range and help.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reviewer.resources import resource_path

Stronger = Literal["lower", "higher", "true", "false", "none"]
SECTIONS: tuple[str, ...] = ("Display", "Breaks", "Exposure", "Warnings", "Support")

DEFAULT_SUPPORT_TEXT = (
    "You do not have to carry this alone. The Employee Assistance Programme offers free, confidential "
    "counselling at any hour, and the wellbeing team can arrange a quiet room, a change of queue or time "
    "away from graphic content. Ask your team lead or the wellbeing team for the contact details."
)


class SettingsError(ValueError):
    """A value cannot be used: unknown key, wrong type, out of range or weaker than the organisation allows."""


@dataclass(frozen=True)
class SettingSpec:
    """One setting. ``floor`` is the weakest allowed value in the ``stronger`` direction (None if unprotective)."""

    key: str
    title: str
    kind: type
    default: Any
    floor: Any
    stronger: Stronger
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    help: str = ""
    section: str = "Display"

    @property
    def protective(self) -> bool:
        return self.stronger != "none"

    def weaker(self, value: Any, than: Any) -> bool:
        """Whether ``value`` protects less than ``than``."""
        if self.stronger == "lower":
            return bool(value > than)
        if self.stronger == "higher":
            return bool(value < than)
        if self.stronger == "true":
            return bool(than) and not value
        if self.stronger == "false":
            return bool(value) and not than
        return False

    def check_type_and_range(self, value: Any) -> Any:
        """``value`` converted to ``kind`` (int → float only), or :class:`SettingsError`."""
        ok = isinstance(value, self.kind) and not (self.kind is not bool and isinstance(value, bool))
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise SettingsError(
                f"{self.title} must be {_KIND_NAMES[self.kind]}, not {type(value).__name__} {value!r}."
            )
        if self.minimum is not None and value < self.minimum:
            raise SettingsError(f"{self.title} cannot be below {_fmt(self.minimum, self.unit)}.")
        if self.maximum is not None and value > self.maximum:
            raise SettingsError(f"{self.title} cannot be above {_fmt(self.maximum, self.unit)}.")
        return value


_KIND_NAMES = {int: "a whole number", float: "a number", bool: "on or off", str: "text"}


def _fmt(value: Any, unit: str) -> str:
    return f"{value:g} {unit}".strip() if isinstance(value, int | float) else str(value)


# Floors equal to the default mean "the organisation's value; a reviewer may only tighten it".
SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        key="display.blur_px",
        title="Blur strength",
        kind=float,
        default=14.0,
        floor=8.0,
        stronger="higher",
        minimum=8,
        maximum=40,
        unit="px",
        help="How strongly previews are blurred before a reveal; more blur hides more detail.",
        section="Display",
    ),
    SettingSpec(
        key="display.greyscale",
        title="Show previews in greyscale",
        kind=bool,
        default=True,
        floor=False,
        stronger="true",
        help="Greyscale takes the edge off blood and injuries. Colour may be needed to judge some cases.",
        section="Display",
    ),
    SettingSpec(
        key="display.spotlight_radius",
        title="Spotlight radius",
        kind=int,
        default=90,
        floor=160,
        stronger="lower",
        minimum=40,
        maximum=240,
        unit="px",
        help="Size of the region a spotlight reveal uncovers around the pointer.",
        section="Display",
    ),
    SettingSpec(
        key="display.confirm_reveal_severity",
        title="Confirm reveals from severity",
        kind=int,
        default=5,
        floor=5,
        stronger="lower",
        minimum=1,
        maximum=6,
        help="Revealing an item at or above this severity (1-5) asks first; 6 = never.",
        section="Warnings",
    ),
    SettingSpec(
        key="warnings.severe_warning",
        title="Warn before severe content",
        kind=bool,
        default=True,
        floor=True,
        stronger="true",
        help="Show a content warning naming the category before a severe case opens.",
        section="Warnings",
    ),
    SettingSpec(
        key="warnings.severe_from",
        title="Severe from policy severity",
        kind=int,
        default=4,
        floor=4,
        stronger="lower",
        minimum=1,
        maximum=5,
        help="Categories whose policy severity (1-5, from the policy pack) is at or above this can be warned "
        "about as severe.",
        section="Warnings",
    ),
    SettingSpec(
        key="warnings.likely_score",
        title="Say \"severe content likely\" from classifier score",
        kind=float,
        default=0.7,
        floor=0.7,
        stronger="lower",
        minimum=0.0,
        maximum=1.0,
        help="A severe category is called likely only when its classifier score reaches this; with no score "
        "the category warning shows without that claim.",
        section="Warnings",
    ),
    SettingSpec(
        key="warnings.confirm_unrevealed_decision",
        title="Confirm decisions on unseen severe content",
        kind=bool,
        default=False,
        floor=False,
        stronger="true",
        help="Keep or remove on a severe case whose media was never revealed asks for a confirming key first.",
        section="Warnings",
    ),
    SettingSpec(
        key="sound.alerts",
        title="Sound alerts",
        kind=bool,
        default=False,
        floor=True,
        stronger="false",
        help="Play a sound for SLA and break alerts. Content audio is always muted.",
        section="Warnings",
    ),
    SettingSpec(
        key="breaks.reminder_minutes",
        title="Break reminder every",
        kind=int,
        default=60,
        floor=60,
        stronger="lower",
        minimum=10,
        maximum=120,
        unit="min",
        help="Minutes of active review (idle time not counted) before a break reminder.",
        section="Breaks",
    ),
    SettingSpec(
        key="breaks.break_minutes",
        title="Break length",
        kind=int,
        default=10,
        floor=10,
        stronger="higher",
        minimum=5,
        maximum=30,
        unit="min",
        help="Length of an enforced break, and the shortest break that resets the reminder.",
        section="Breaks",
    ),
    SettingSpec(
        key="exposure.cap_hour_seconds",
        title="Exposure cap per hour",
        kind=int,
        default=600,
        floor=600,
        stronger="lower",
        minimum=60,
        maximum=3600,
        unit="s",
        help="Severity-weighted seconds of revealed content allowed in any hour; "
        "reaching it starts an enforced break.",
        section="Exposure",
    ),
    SettingSpec(
        key="exposure.cap_day_seconds",
        title="Exposure cap per working day",
        kind=int,
        default=3600,
        floor=3600,
        stronger="lower",
        minimum=300,
        maximum=14400,
        unit="s",
        help="Severity-weighted seconds of revealed content allowed per working "
        "day; reaching it ends graphic review until after a rest.",
        section="Exposure",
    ),
    SettingSpec(
        key="exposure.warn_fraction",
        title="Warn at fraction of cap",
        kind=float,
        default=0.8,
        floor=0.9,
        stronger="lower",
        minimum=0.5,
        maximum=0.95,
        help="A warning appears once exposure reaches this share of a cap.",
        section="Exposure",
    ),
    SettingSpec(
        key="rotation.severe_run",
        title="Offer lighter work after",
        kind=int,
        default=5,
        floor=10,
        stronger="lower",
        minimum=1,
        maximum=20,
        unit="cases",
        help="Consecutive severe cases before lighter work is offered.",
        section="Exposure",
    ),
    SettingSpec(
        key="rotation.severe_threshold",
        title="Severe from severity",
        kind=int,
        default=4,
        floor=5,
        stronger="lower",
        minimum=1,
        maximum=5,
        help="Cases at or above this severity count towards the severe run.",
        section="Exposure",
    ),
    SettingSpec(
        key="support.text",
        title="Support message",
        kind=str,
        default=DEFAULT_SUPPORT_TEXT,
        floor=None,
        stronger="none",
        help="Shown in the session summary and the break screen.",
        section="Support",
    ),
)
SPECS: dict[str, SettingSpec] = {s.key: s for s in SETTINGS}


def spec(key: str) -> SettingSpec:
    try:
        return SPECS[key]
    except KeyError:
        raise SettingsError(f"There is no setting called {key!r}.") from None


@dataclass
class OrgPolicy:
    """Organisation overrides: ``floors`` and ``defaults`` by setting key (validated by the settings)."""

    floors: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            out.update(_flatten(value, key + "."))
        else:
            out[key] = value
    return out


def load_org_policy(path: Path | str) -> OrgPolicy:
    """Read an organisation policy TOML file (``[defaults]`` and ``[floors]`` tables of setting keys)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read organisation policy: {exc}") from exc
    unknown = sorted(set(data) - {"schema_version", "defaults", "floors"})
    if unknown:
        raise SettingsError(f"{path}: unknown table(s) {', '.join(unknown)} (expected [defaults], [floors])")
    org = OrgPolicy(floors=_flatten(data.get("floors", {})), defaults=_flatten(data.get("defaults", {})))
    try:
        WellbeingSettings(org)  # validate now so a bad file fails at load, naming the file
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from exc
    return org


def default_org_policy_path() -> Path:
    """Path of the organisation policy shipped with the app (``resources/wellbeing/org-defaults.toml``)."""
    return resource_path("wellbeing", "org-defaults.toml")


class WellbeingSettings:
    """Effective values: organisation defaults, tightened (never loosened) by the reviewer's own choices.

    Stored personal values that the organisation no longer allows are dropped in favour of the default
    and described in :attr:`problems`, so the UI can tell the reviewer why their setting changed.
    """

    def __init__(self, org: OrgPolicy | None = None, personal: dict[str, Any] | None = None) -> None:
        org = org or OrgPolicy()
        self._floors: dict[str, Any] = {s.key: s.floor for s in SETTINGS}
        self._defaults: dict[str, Any] = {s.key: s.default for s in SETTINGS}
        for key, value in org.floors.items():
            sp = spec(key)
            if not sp.protective:
                raise SettingsError(f"{sp.title} ({key}) protects nothing, so it has no floor.")
            self._floors[key] = sp.check_type_and_range(value)
        for key, value in org.defaults.items():
            self._defaults[key] = spec(key).check_type_and_range(value)
        for sp in SETTINGS:
            if sp.weaker(self._defaults[sp.key], self._floors[sp.key]):
                raise SettingsError(
                    f"the organisation default for {sp.title} ({sp.key}) is weaker than its floor "
                    f"({self._defaults[sp.key]!r} vs {self._floors[sp.key]!r})."
                )
        self._personal: dict[str, Any] = {}
        self.problems: list[str] = []
        for key, value in (personal or {}).items():
            try:
                self.set(key, value)
            except SettingsError as exc:
                self.problems.append(f"{exc} Using the organisation default instead.")

    def get(self, key: str) -> Any:
        spec(key)
        return self._personal.get(key, self._defaults[key])

    def default(self, key: str) -> Any:
        spec(key)
        return self._defaults[key]

    def floor(self, key: str) -> Any:
        spec(key)
        return self._floors[key]

    def set(self, key: str, value: Any) -> None:
        """Choose a value; :class:`SettingsError` if it is unknown, mistyped, out of range or too weak."""
        sp = spec(key)
        value = sp.check_type_and_range(value)
        if sp.weaker(value, self._floors[key]):
            raise SettingsError(
                f"{sp.title} cannot be set to {_fmt(value, sp.unit)}: your organisation's limit is "
                f"{_fmt(self._floors[key], sp.unit)}. You can choose a more protective value."
            )
        if value == self._defaults[key]:
            self._personal.pop(key, None)
        else:
            self._personal[key] = value

    def reset(self, key: str) -> None:
        spec(key)
        self._personal.pop(key, None)

    def personal(self) -> dict[str, Any]:
        """Only the values the reviewer changed, for persistence."""
        return dict(self._personal)

    def is_at_floor(self, key: str) -> bool:
        """Whether the value is already the weakest allowed (the UI greys the loosening direction)."""
        sp = spec(key)
        return sp.protective and self.get(key) == self._floors[key]

    def bounds(self, key: str) -> tuple[float | None, float | None]:
        """The range a spin box may offer: the declared range, cut at the floor."""
        sp = spec(key)
        low, high = sp.minimum, sp.maximum
        if sp.stronger == "higher":
            low = self._floors[key]
        elif sp.stronger == "lower":
            high = self._floors[key]
        return low, high

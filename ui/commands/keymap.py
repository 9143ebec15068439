"""Key bindings as data: the shipped TOML keymap merged with the user's overrides, conflicts reported.

A binding is a key sequence in Qt's portable text form ("K", "Shift+R", "Ctrl+K", "?"), normalised
through ``QKeySequence`` so "ctrl+k" and "Ctrl+K" are the same key. A user override replaces every
default key of its action; an empty list unbinds it. A key claimed twice never crashes the load: the
first claimant keeps it (defaults before overrides, then in the order the actions were registered), the later one loses
it, and the clash is listed in ``Keymap.conflicts`` for the window to show.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QKeyCombination, QSettings, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence

from reviewer.resources import resource_path
from ui.commands.spec import ActionSpec

SETTINGS_GROUP = "keymap"
_PORTABLE = QKeySequence.SequenceFormat.PortableText


def default_keymap_path() -> Path:
    """The keymap shipped with the app (``resources/keymap.toml``, package data ``reviewer_resources``)."""
    return resource_path("keymap.toml")



def chord(seq: QKeySequence, index: int) -> QKeyCombination:
    """The ``index``-th key combination of ``seq`` (Qt's ``operator[]``; IndexError past ``count()``)."""
    # PySide6's stubs leave out QKeySequence.__getitem__, which exists at run time.
    return seq[index]  # type: ignore[index]


def normalise_key(text: str) -> str | None:
    """``text`` in canonical portable form, or None when Qt cannot read it as a key sequence."""
    if not text.strip():
        return None
    seq = QKeySequence(text, _PORTABLE)
    if seq.isEmpty() or any(chord(seq, i).key() == Qt.Key.Key_unknown for i in range(seq.count())):
        return None
    return seq.toString(_PORTABLE)


def key_event_matches(key: str, event: QKeyEvent) -> bool:
    """Whether a key press is the single-chord binding ``key`` (a symbol like "?" may arrive with Shift)."""
    seq = QKeySequence(key, _PORTABLE)
    if seq.count() != 1:
        return False
    combo = chord(seq, 0)
    if combo.key() != Qt.Key(event.key()):
        return False
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    wanted = combo.keyboardModifiers()
    if mods == wanted:
        return True
    # Shift is consumed by the layout for symbols ("?" is Shift+/ on a US board), not for letters.
    is_letter = Qt.Key.Key_A.value <= event.key() <= Qt.Key.Key_Z.value
    return not is_letter and (mods & ~Qt.KeyboardModifier.ShiftModifier) == wanted


@dataclass(frozen=True)
class KeymapConflict:
    """One key claimed by several actions; ``action_ids[0]`` keeps it, the others lose it."""

    key: str
    action_ids: tuple[str, ...]

    def __str__(self) -> str:
        winner, *losers = self.action_ids
        return f"{self.key} is bound to {winner} and {', '.join(losers)}: kept by {winner}, ignored for the others"


@dataclass
class Keymap:
    """Action id → normalised keys, plus what went wrong while merging (never raised, only reported)."""

    bindings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    conflicts: list[KeymapConflict] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @classmethod
    def load(
        cls,
        specs: Iterable[ActionSpec],
        defaults: Path | None = None,
        overrides: Mapping[str, Iterable[str]] | None = None,
    ) -> Keymap:
        """Merge the defaults file with ``overrides`` (action id → keys replacing that action's keys).

        ``specs`` are every registered action (``ActionRegistry.specs()``): ids outside them are reported.
        """
        specs = tuple(specs)
        known = {spec.id for spec in specs}
        path = defaults or default_keymap_path()
        with path.open("rb") as fh:
            table = tomllib.load(fh).get("bindings", {})
        keymap = cls()
        default_keys = keymap._read_table(table, known, f"{path.name}: ")
        override_keys = keymap._read_table(overrides or {}, known, "override: ")

        owner: dict[str, str] = {}
        found: dict[str, list[str]] = {spec.id: [] for spec in specs}
        clashes: dict[str, list[str]] = {}
        tiers = (
            {aid: keys for aid, keys in default_keys.items() if aid not in override_keys},
            override_keys,
        )
        for tier in tiers:
            for spec in specs:
                for raw in tier.get(spec.id, ()):
                    key = normalise_key(raw)
                    if key is None:
                        keymap.unknown.append(f"invalid key {raw!r} for {spec.id}")
                    elif key not in owner:
                        owner[key] = spec.id
                        found[spec.id].append(key)
                    elif owner[key] != spec.id:
                        clashes.setdefault(key, [owner[key]]).append(spec.id)
        keymap.bindings = {aid: tuple(keys) for aid, keys in found.items()}
        keymap.conflicts = [KeymapConflict(key, tuple(ids)) for key, ids in clashes.items()]
        return keymap

    def _read_table(self, table: Mapping[str, object], known: set[str], where: str) -> dict[str, list[str]]:
        read: dict[str, list[str]] = {}
        for aid, value in table.items():
            if aid not in known:
                self.unknown.append(f"{where}unknown action {aid!r}")
            elif isinstance(value, str):
                read[aid] = [value]
            elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                read[aid] = list(value)
            else:
                self.unknown.append(f"{where}keys of {aid} are not a list of strings: {value!r}")
        return read

    def keys(self, action_id: str) -> tuple[str, ...]:
        return self.bindings.get(action_id, ())

    def action_for(self, key: str) -> str | None:
        """The action bound to ``key`` (any spelling Qt accepts), or None."""
        wanted = normalise_key(key)
        for aid, keys in self.bindings.items():
            if wanted in keys:
                return aid
        return None


def split_keys(text: str) -> list[str]:
    """Split "K, Ctrl+," or "K; U" into keys; a comma right after "+" (or alone) is the comma key."""
    keys: list[str] = []
    current = ""
    for ch in text:
        if ch in ",;" and current.strip() and not current.endswith("+"):
            keys.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        keys.append(current.strip())
    return keys


def _as_key_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_keys(value)
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def load_user_overrides(settings: QSettings) -> dict[str, list[str]]:
    """The user's remapped actions, stored as ``keymap/<action id>`` = list (or comma-joined string)."""
    settings.beginGroup(SETTINGS_GROUP)
    try:
        return {aid: _as_key_list(settings.value(aid)) for aid in settings.childKeys()}
    finally:
        settings.endGroup()


def save_user_override(settings: QSettings, action_id: str, keys: list[str]) -> None:
    """Replace the keys of ``action_id``; ``[]`` unbinds it (stored as "" so it survives INI files)."""
    settings.setValue(f"{SETTINGS_GROUP}/{action_id}", list(keys) if keys else "")


def clear_user_override(settings: QSettings, action_id: str) -> None:
    """Back to the shipped default keys for ``action_id``."""
    settings.remove(f"{SETTINGS_GROUP}/{action_id}")

"""Personal settings in QSettings (wellbeing under ``wellbeing/<key>``), the preview they imply, and
the ``Preferences`` object that owns them while the app runs.

Only the values a reviewer changed are stored (``WellbeingSettings.personal()``); everything else follows
the organisation policy, so a later organisation change to a default reaches every reviewer who did not
choose otherwise. QSettings hands values back as strings once they have been through an INI file, so each
value is converted back to its declared kind here. A value that cannot be converted, or that the
organisation no longer allows, is dropped by :class:`WellbeingSettings` and described in its ``problems``.
Keys under ``wellbeing/`` that no setting declares (say, from a newer version) are left alone. The
display theme is one more personal choice, stored under ``display/theme``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from reviewer.media.preview import PreviewSpec
from reviewer.wellbeing.settings import (
    SPECS,
    OrgPolicy,
    SettingSpec,
    WellbeingSettings,
    default_org_policy_path,
    load_org_policy,
)

GROUP = "wellbeing"
THEME_KEY = "display/theme"  # the theme's name (ui.accessibility.theme checks it names one)
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _key(setting_key: str) -> str:
    return f"{GROUP}/{setting_key}"


def _restore(sp: SettingSpec, raw: Any) -> Any:
    """``raw`` as ``sp.kind`` if it reads as one; otherwise ``raw`` unchanged (the settings then refuse it)."""
    if isinstance(raw, list) and sp.kind is str:  # an INI "a, b" that came back as a list
        return ", ".join(str(part) for part in raw)
    if not isinstance(raw, str) or sp.kind is str:
        if sp.kind is float and isinstance(raw, int) and not isinstance(raw, bool):
            return float(raw)
        return raw
    text = raw.strip()
    if sp.kind is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        return raw
    try:
        return sp.kind(text)
    except ValueError:
        return raw


def default_org_policy() -> OrgPolicy | None:
    """The shipped organisation policy file, if present (a broken file raises ``SettingsError``)."""
    path = default_org_policy_path()
    return load_org_policy(path) if path.is_file() else None


def load_wellbeing_settings(qsettings: QSettings, org: OrgPolicy | None = None) -> WellbeingSettings:
    """Effective settings: ``org`` (default: the shipped policy file) tightened by the stored choices."""
    if org is None:
        org = default_org_policy()
    personal: dict[str, Any] = {}
    for setting_key, sp in SPECS.items():
        if qsettings.contains(_key(setting_key)):
            personal[setting_key] = _restore(sp, qsettings.value(_key(setting_key)))
    return WellbeingSettings(org, personal)


def save_wellbeing_settings(qsettings: QSettings, settings: WellbeingSettings) -> None:
    """Store the personal values and remove stored keys that now equal the organisation's value."""
    personal = settings.personal()
    for setting_key in SPECS:
        if setting_key in personal:
            qsettings.setValue(_key(setting_key), personal[setting_key])
        else:
            qsettings.remove(_key(setting_key))
    qsettings.sync()


def preview_spec_from(settings: WellbeingSettings) -> PreviewSpec:
    """The preview rendering the settings ask for (blur strength and greyscale)."""
    return PreviewSpec(
        blur_px=float(settings.get("display.blur_px")), greyscale=bool(settings.get("display.greyscale"))
    )


class Preferences(QObject):
    """The one owner of the effective wellbeing settings on the UI thread; ``changed`` after each update.

    Features read ``prefs.wellbeing`` and react to ``changed``; nobody assigns settings into another
    object's fields.
    """

    changed = Signal()
    theme_changed = Signal(str)

    def __init__(self, qsettings: QSettings, wellbeing: WellbeingSettings, parent: QObject | None = None):
        super().__init__(parent)
        self._qsettings = qsettings
        self.wellbeing = wellbeing

    def update(self, settings: WellbeingSettings) -> None:
        """Adopt ``settings``, store the personal part and tell every feature."""
        self.wellbeing = settings
        save_wellbeing_settings(self._qsettings, settings)
        self.changed.emit()

    def set_value(self, key: str, value: Any) -> None:
        """Change one setting (``SettingsError`` when the organisation's floor forbids it)."""
        self.wellbeing.set(key, value)
        self.update(self.wellbeing)

    @property
    def theme(self) -> str:
        """The stored theme name ('' when none was chosen); as read from a file, so not trusted."""
        return str(self._qsettings.value(THEME_KEY, "") or "")

    def set_theme(self, name: str) -> None:
        """Store the theme ``name`` and emit ``theme_changed`` (the accessibility feature applies it)."""
        if name == self.theme:
            return
        self._qsettings.setValue(THEME_KEY, name)
        self._qsettings.sync()
        self.theme_changed.emit(name)

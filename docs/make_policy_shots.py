"""Render the policy changes view offscreen for the docs (``screenshots/policy-changes.png``): version
2026.12 of the built-in pack (one section reworded, one added) against 2026.11, VIO-2's diff shown.

Run from the repository root: ``.venv/bin/python docs/make_policy_shots.py [out_dir]``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from reviewer.policy import load_default_pack, load_pack
from reviewer.policy_updates import PackChanges, section_changes
from tests.support.policy_packs import second_version
from ui.accessibility.theme import apply_theme
from ui.policy_updates.changes_view import ChangesDialog


def main(out_dir: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    app.setFont(QFont("DejaVu Sans", 10))
    apply_theme(app, "")
    out_dir.mkdir(parents=True, exist_ok=True)
    old = load_default_pack()
    with tempfile.TemporaryDirectory() as tmp:
        new = load_pack(second_version(Path(tmp)))
    changes = PackChanges(new.version, old.version, tuple(section_changes(old, new)))
    view = ChangesDialog(changes)
    view.resize(1000, 560)
    view.show()
    app.processEvents()
    path = out_dir / "policy-changes.png"
    view.grab().save(str(path))
    view.close()
    print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "screenshots")

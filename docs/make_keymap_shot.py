"""Render the keymap editor offscreen for the docs (a 900x650 PNG), showing a refused clash.

Run from the repository root: ``.venv/bin/python docs/make_keymap_shot.py [out_dir]``.
Writes ``keymap-editor.png`` (default: next to this script). Nothing is written to the user's settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from ui.commands.keymap import Keymap
from ui.commands.keymap_editor import KeymapEditor
from ui.commands.registry import ActionRegistry
from ui.shell.main_window import action_specs


def main(out_dir: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    app.setFont(QFont("DejaVu Sans", 10))
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        registry = ActionRegistry()
        for spec in action_specs():
            registry.register(spec, lambda *_args: None)
        registry.set_keymap(Keymap.load(registry.specs()))
        editor = KeymapEditor(registry, settings)
        editor.assign("view.greyscale", "Ctrl+G")
        editor.select("queue.next")
        editor.assign("queue.next", "K")  # refused: shows the clash line and the swap key
        editor.resize(900, 650)
        editor.show()
        app.processEvents()
        path = out_dir / "keymap-editor.png"
        editor.grab().save(str(path))
        editor.close()
        print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)

"""Application start: open the database (with a way out when it is damaged or locked), then the window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from reviewer.conflicts import PolicyPackChanged
from reviewer.paths import sqlite_file, sqlite_url
from reviewer.policy import PolicyPackError
from reviewer.policy_sources import current_pack
from reviewer.storage.backup import list_backups, restore_latest
from reviewer.storage.database import Database
from reviewer.storage.errors import DatabaseOpenError, SchemaTooNewError
from reviewer.storage.migrate import open_database
from reviewer.vault.permissions import restrict_new_files
from ui.accessibility.theme import apply_theme
from ui.shell.plain import make_all_plain, message_box
from ui.shell.prefs import THEME_KEY

ORG, APP = "ReviewerWorkstation", "reviewer"
#: How long a worker thread may hold the GIL while the UI thread waits for it (Python's default: 5 ms).
#: Case loads and prefetch run in Python on worker threads; each hand-over to the UI thread (the key,
#: the decision's result, the paint) waited up to that long. 1 ms keeps the next case within a frame.
GIL_SWITCH_S = 0.001


def ensure_qapp() -> QApplication:
    sys.setswitchinterval(GIL_SWITCH_S)
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setStyle("Fusion")  # the same look everywhere; colours follow the theme (ui.accessibility)
    assert isinstance(app, QApplication)  # instance() is typed as the QCoreApplication base
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    apply_theme(app, str(QSettings().value(THEME_KEY, "") or ""))  # the window re-applies on a change
    return app


def open_with_recovery(url: str) -> Database | None:
    """Open ``url``; on failure explain and offer: open another file, restore the last backup, or quit."""
    while True:
        try:
            return open_database(url)
        except DatabaseOpenError as exc:
            db_file = sqlite_file(url)
            box = message_box(
                QMessageBox.Icon.Critical,
                "Cannot open the database",
                str(exc),
                buttons=QMessageBox.StandardButton.NoButton,
            )
            box.setInformativeText("Nothing has been changed or deleted.")
            other = box.addButton("&Open another database…", QMessageBox.ButtonRole.AcceptRole)
            restore = None
            if db_file is not None and list_backups(db_file) and not isinstance(exc, SchemaTooNewError):
                restore = box.addButton("&Restore the last backup", QMessageBox.ButtonRole.DestructiveRole)
                box.setInformativeText(
                    "Restoring moves the current file aside (it is kept, renamed) and puts the newest "
                    f"automatic backup in its place. Newest backup: {list_backups(db_file)[0].name}"
                )
            box.addButton("&Quit", QMessageBox.ButtonRole.RejectRole)
            make_all_plain(box)  # the informative text names a file
            box.exec()
            clicked = box.clickedButton()
            if clicked is other:
                start = str(db_file.parent) if db_file else str(Path.home())
                name, _ = QFileDialog.getOpenFileName(
                    None, "Open a database", start, "SQLite (*.sqlite3 *.db);;All (*)"
                )
                if not name:
                    return None
                url = sqlite_url(Path(name))
            elif restore is not None and clicked is restore and db_file is not None:
                used, aside = restore_latest(db_file)
                message_box(
                    QMessageBox.Icon.Information,
                    "Backup restored",
                    f"Restored {used.name}.\nThe damaged file was kept as {aside}.",
                ).exec()
            else:
                return None


def run_app(url: str) -> int:
    restrict_new_files()  # settings, backups, exports: 0600 files in 0700 folders
    app = ensure_qapp()
    db = open_with_recovery(url)
    if db is None:
        return 1
    try:
        pack = current_pack(db)  # the newest installed version, else the built-in pack
    except PolicyPackError as exc:
        message_box(QMessageBox.Icon.Critical, "Policy pack problem", str(exc)).exec()
        db.dispose()
        return 1
    from ui.shell.main_window import MainWindow, start_context

    try:
        context = start_context(db, pack)
    except PolicyPackChanged as exc:
        message_box(QMessageBox.Icon.Critical, "Policy pack changed without a new version", str(exc)).exec()
        db.dispose()
        return 1
    window = MainWindow(context)
    window.show()
    code = app.exec()
    window.shutdown()
    db.dispose()
    return code

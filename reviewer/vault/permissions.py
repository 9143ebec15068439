"""Files readable by their owner only: 0600 files in 0700 folders for everything the app stores.

``restrict_new_files`` sets the process umask (the CLI and the app call it first), so every file and
folder made afterwards — the database and its ``-wal``/``-shm``/``-journal``, media, backups, checkpoints,
settings, exports, key files — is private. ``tighten`` fixes what an older version left open.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE, DIR_MODE = 0o600, 0o700
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def restrict_new_files() -> None:
    os.umask(PRIVATE_UMASK)


@dataclass(frozen=True)
class TooOpen:
    path: Path
    mode: int

    def __str__(self) -> str:
        return f"{self.path} is {self.mode:04o} (readable by others)"


def _app_data_dir() -> Path | None:
    from reviewer.paths import data_dir

    try:
        return data_dir().resolve()
    except OSError:
        return None


def data_paths(db_file: Path, *, deep: bool = False) -> list[Path]:
    """What the app keeps for a SQLite database (those that exist): the file, its side files, checkpoints
    and key file, the media and backups folders (with everything in them when ``deep``), and its folder
    when that is the app's own data dir (a folder the user chose is left as it is: the files are private)."""
    from reviewer.paths import checkpoints_file
    from reviewer.storage.backup import backup_dir_for
    from reviewer.vault.keys import FILE_KEY_SUFFIX

    candidates = [
        db_file,
        *(db_file.with_name(db_file.name + s) for s in SQLITE_SIDE_FILES),
        checkpoints_file(db_file),
        db_file.with_name(db_file.name + FILE_KEY_SUFFIX),
    ]
    if db_file.parent.resolve() == _app_data_dir():
        candidates.insert(0, db_file.parent)
    for folder in (db_file.with_suffix(".media"), backup_dir_for(db_file)):
        if folder.is_dir():
            candidates.append(folder)
            if deep:
                candidates.extend(folder.rglob("*"))
    return [p for p in candidates if p.exists() and not p.is_symlink()]


def too_open(paths: list[Path]) -> list[TooOpen]:
    """Paths that group or others may read, write or enter."""
    found = []
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            found.append(TooOpen(path, mode))
    return found


def tighten(paths: list[Path]) -> list[TooOpen]:
    """chmod every too-open path to 0600 (files) or 0700 (folders). Returns what was changed; paths the
    user does not own are left (and still reported by ``too_open``)."""
    changed = []
    for item in too_open(paths):
        try:
            os.chmod(item.path, DIR_MODE if item.path.is_dir() else FILE_MODE)
        except OSError:
            continue
        changed.append(item)
    return changed


def tighten_database(db_file: Path | None) -> list[TooOpen]:
    """Tighten a SQLite database an older version left open, at open: the files beside it and the folders
    (a 0700 folder closes what is inside; ``reviewer doctor`` looks inside too). No-op for servers."""
    return [] if db_file is None else tighten(data_paths(db_file))

"""Errors a person can act on when a database (or a file beside it) cannot be used."""

from __future__ import annotations

import errno
import os


class DatabaseOpenError(RuntimeError):
    """The database cannot be opened or used; the message says why in one line and what to do."""


class SchemaTooNewError(DatabaseOpenError):
    """The database was written by a newer version of the app."""


class DatabaseMissingError(DatabaseOpenError):
    """There is no database where one was expected, and nothing was asked to create it."""


class ForeignDatabaseError(DatabaseOpenError):
    """The database holds tables of some other program; the app's tables are added only when asked."""


class DataLocationError(DatabaseOpenError):
    """A data folder or file cannot be made or written (a file where a folder belongs, read-only, full)."""


class BackupError(DatabaseOpenError):
    """No backup was taken; the message says why (never "damaged" unless the database is)."""


#: errno -> what it means for a place we write to, as the end of a sentence about that place.
_OS_REASONS = {
    errno.ENOSPC: "the disk is full (no space left)",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "it is on a read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "the operation is not permitted there",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENOENT: "the folder does not exist",
    errno.EEXIST: "something else is already there",
}


def os_reason(exc: OSError) -> str:
    """Why an OSError happened, in words a person understands (no errno numbers, no traceback)."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    if exc.errno is not None:
        return os.strerror(exc.errno).lower()
    return str(exc) or type(exc).__name__


def describe_os_error(exc: OSError, doing: str) -> str:
    """One sentence: ``cannot {doing}: {reason}``; for a full disk ``no space left on …``."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the disk: cannot {doing}"
    return f"cannot {doing}: {os_reason(exc)}"


def explain_sqlite_error(exc: BaseException, where: str) -> DatabaseOpenError:
    """Turn a driver error into one clear sentence."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "file is not a database" in text:
        msg = f"{where} is not a database file (or it is encrypted or damaged); open another file or restore it from a backup."
    elif "malformed" in text or "corrupt" in text:
        msg = f"{where} is damaged ({text}); restore it from a backup or open another database."
    elif "locked" in text or "busy" in text:
        msg = f"{where} is locked by another program or instance; close it or open another database."
    elif "readonly" in text or "read-only" in text:
        msg = f"{where} is read-only; move it to a writable folder or open another database."
    elif "unable to open" in text:
        msg = f"{where} cannot be opened (missing folder or no permission)."
    elif "disk is full" in text or "full" in text:
        msg = f"The disk holding {where} is full; free some space — nothing already saved was lost."
    else:
        msg = f"{where} cannot be used: {text}"
    err = DatabaseOpenError(msg)
    err.__cause__ = exc
    return err

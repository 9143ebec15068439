"""Errors a person can act on when a database cannot be used."""

from __future__ import annotations


class DatabaseOpenError(RuntimeError):
    """The database cannot be opened or used; the message says why in one line and what to do."""


class SchemaTooNewError(DatabaseOpenError):
    """The database was written by a newer version of the app."""


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

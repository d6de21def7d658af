"""Errors the core raises with a catalogue key, so every layer can show them in the user's language."""

from __future__ import annotations

import errno


class StationError(Exception):
    """An expected failure with a message key (see station/resources/translations) and format parameters.

    `code` is positional-only, so a message may itself have a `{code}` placeholder
    (`StationError("export.error.write_failed", code="ENOSPC")`).
    """

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str | None = None) -> str:
        from station.i18n import tr

        return tr(self.code, lang, **self.params)


class NotFound(StationError):
    pass


class PermissionDenied(StationError):
    pass


class ConflictError(StationError):
    pass


DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)})


def is_disk_full(exc: BaseException) -> bool:
    """True for a full disk (or file-size limit), whether it comes from the OS or from SQLite."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:  # SQLAlchemy wraps the driver's error
        seen.add(id(cur))
        if isinstance(cur, OSError) and cur.errno in DISK_FULL_ERRNOS:
            return True
        text = str(cur).lower()
        if "database or disk is full" in text or "sqlite_full" in text:
            return True
        cur = getattr(cur, "orig", None) or cur.__cause__ or cur.__context__
    return False


def is_db_damaged(exc: BaseException) -> bool:
    """True when SQLite/SQLCipher reports damaged pages (not a wrong key, not a missing file)."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "malformed" in text or "sqlite_corrupt" in text or "database corruption" in text


def from_exception(exc: BaseException) -> StationError:
    """One clear, catalogued message for any failure (used where a traceback must never reach the user).

    Personal data is never put into the message: only an error class name or an errno symbol.
    """
    if isinstance(exc, StationError):
        return exc
    if is_disk_full(exc):
        return StationError("error.disk_full")
    if is_db_damaged(exc):
        return StationError("fault.db_damaged")
    if isinstance(exc, MemoryError):
        return StationError("fault.out_of_memory")
    if isinstance(exc, OSError):
        reason = errno.errorcode.get(exc.errno or 0, "") or type(exc).__name__
        return StationError("fault.file_error", reason=reason)
    return StationError("fault.unexpected", kind=type(exc).__name__)

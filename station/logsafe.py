"""Logging failures without personal data: the exception's type and where it happened, never its message.

Exception messages can quote what was being saved (a database error lists the row's values; a decoding
error may quote a name), and log files outlive the encrypted database. So the message is left out.
"""

from __future__ import annotations

import logging
import traceback


def describe(exc: BaseException) -> str:
    """`Type at file:line in function <- ...` for the innermost frames; no message text."""
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in reversed(frames))
    return f"{type(exc).__module__}.{type(exc).__qualname__} at {where or '?'}"


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    logger.error("%s: %s", what, describe(exc))

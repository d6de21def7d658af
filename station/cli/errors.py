"""Turn every failure into one clear line on stderr in the user's language, and a non-zero exit code.

Expected failures are StationErrors; anything else (a full disk reported by SQLite, a damaged database,
an OSError from a pulled stick) is mapped by `station.errors.from_exception`, never shown as a
traceback. `STATION_DEBUG=1` lets unexpected errors through with their traceback, for developers.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from station.errors import StationError, from_exception

log = logging.getLogger(__name__)


@contextmanager
def report_errors() -> Iterator[None]:
    try:
        yield
    except StationError as exc:
        print(exc.message(), file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:  # the one place that turns any failure into a sentence
        if os.environ.get("STATION_DEBUG") == "1":
            raise
        # Only the class name is logged: an exception's text may quote saved values.
        log.debug("failure mapped to a message: %s", type(exc).__name__)
        print(from_exception(exc).message(), file=sys.stderr)
        raise SystemExit(1) from None

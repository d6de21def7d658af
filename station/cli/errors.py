"""Turn expected failures into one clear line on stderr in the user's language, and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from station.errors import StationError


@contextmanager
def report_errors() -> Iterator[None]:
    try:
        yield
    except StationError as exc:
        print(exc.message(), file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None

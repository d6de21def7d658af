"""Run one slow call (Argon2 key derivation) on Qt's thread pool; result or StationError back on the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from station.errors import StationError
from station.logsafe import log_failure

log = logging.getLogger(__name__)


class _Carrier(QObject):
    done = Signal(object)
    failed = Signal(object)  # a StationError (code + params, shown in the user's language)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], carrier: _Carrier) -> None:
        super().__init__()
        self.fn, self.carrier = fn, carrier

    def run(self) -> None:
        try:
            result = self.fn()
        except StationError as exc:
            self.carrier.failed.emit(exc)
        except Exception as exc:  # never let a worker die silently; no personal data in the log line
            log_failure(log, "background account task failed", exc)
            self.carrier.failed.emit(StationError("accounts.error.internal"))
        else:
            self.carrier.done.emit(result)


def run_off_thread(
    fn: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[StationError], None],
    parent: QObject, pool: QThreadPool | None = None,
) -> None:
    """`fn()` off the GUI thread; `on_done(result)` or `on_failed(StationError)` on it."""
    carrier = _Carrier(parent)  # lives in the GUI thread, so its signals are delivered there
    carrier.done.connect(on_done)
    carrier.failed.connect(on_failed)
    carrier.done.connect(carrier.deleteLater)
    carrier.failed.connect(carrier.deleteLater)
    (pool or QThreadPool.globalInstance()).start(_Task(fn, carrier))

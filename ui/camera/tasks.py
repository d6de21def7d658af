"""Run one function on Qt's thread pool and get its result (or StationError key) back on the GUI thread."""

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
    failed = Signal(str)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], carrier: _Carrier) -> None:
        super().__init__()
        self.fn, self.carrier = fn, carrier

    def run(self) -> None:
        try:
            self.carrier.done.emit(self.fn())
        except StationError as exc:
            self.carrier.failed.emit(exc.code)
        except Exception as exc:
            log_failure(log, "background task failed", exc)
            self.carrier.failed.emit("camera.image.corrupt")


def run_in_pool(
    fn: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[str], None],
    parent: QObject, pool: QThreadPool | None = None,
) -> None:
    """`fn()` off the GUI thread; `on_done(result)` or `on_failed(message_key)` on it."""
    carrier = _Carrier(parent)  # lives in the GUI thread, so its signals arrive there
    carrier.done.connect(on_done)
    carrier.failed.connect(on_failed)
    carrier.done.connect(carrier.deleteLater)
    carrier.failed.connect(carrier.deleteLater)
    (pool or QThreadPool.globalInstance()).start(_Task(fn, carrier))

"""Background work: run a function on the thread pool, get the result or error back on the GUI thread.

`run_off_thread` is the one helper for short jobs (Argon2 sign-in, loading a photo, listing cameras):
the result, or the StationError (a message key in the user's language), arrives on the GUI thread.
`TaskRunner` adds progress reporting and lets tests run tasks at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from station.errors import StationError
from station.logsafe import log_failure

log = logging.getLogger(__name__)


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class Task(QRunnable):
    """Runs `fn(progress)` off the GUI thread; `progress(done, total)` may be called from inside."""

    def __init__(self, fn: Callable[[Callable[[int, int], None]], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn(self.signals.progressed.emit)
        except Exception as exc:
            log.warning("background task failed: %s", type(exc).__name__)
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)


class TaskRunner:
    """Owns the pool; tests swap in `immediate=True` so tasks run at once (deterministic UI tests)."""

    def __init__(self, immediate: bool = False) -> None:
        self.immediate = immediate
        self.pool = QThreadPool.globalInstance()
        self._alive: set[Task] = set()

    def submit(
        self,
        fn: Callable[[Callable[[int, int], None]], Any],
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Task:
        task = Task(fn)
        task.setAutoDelete(False)
        self._alive.add(task)
        if on_success:
            task.signals.succeeded.connect(on_success)
        if on_error:
            task.signals.failed.connect(on_error)
        if on_progress:
            task.signals.progressed.connect(on_progress)
        task.signals.succeeded.connect(lambda _r: self._alive.discard(task))
        task.signals.failed.connect(lambda _e: self._alive.discard(task))
        if self.immediate:
            task.run()
        else:
            self.pool.start(task)
        return task


class _Carrier(QObject):
    done = Signal(object)
    failed = Signal(object)  # a StationError


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], carrier: _Carrier, fallback: str) -> None:
        super().__init__()
        self.fn, self.carrier, self.fallback = fn, carrier, fallback

    def run(self) -> None:
        try:
            result = self.fn()
        except StationError as exc:
            self.carrier.failed.emit(exc)
        except Exception as exc:  # never let a worker die silently; no personal data in the log line
            log_failure(log, "background job failed", exc)
            self.carrier.failed.emit(StationError(self.fallback))
        else:
            self.carrier.done.emit(result)


def run_off_thread(
    fn: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[StationError], None],
    parent: QObject, pool: QThreadPool | None = None, *, fallback: str = "error.storage_failed",
) -> None:
    """`fn()` off the GUI thread; `on_done(result)` or `on_failed(StationError)` on it.

    An unexpected exception is logged (type and place only) and reported as StationError(`fallback`).
    """
    carrier = _Carrier(parent)  # lives in the GUI thread, so its signals are delivered there
    carrier.done.connect(on_done)
    carrier.failed.connect(on_failed)
    carrier.done.connect(carrier.deleteLater)
    carrier.failed.connect(carrier.deleteLater)
    (pool or QThreadPool.globalInstance()).start(_Job(fn, carrier, fallback))


def run_in_pool(
    fn: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[str], None],
    parent: QObject, pool: QThreadPool | None = None, *, fallback: str = "camera.image.corrupt",
) -> None:
    """Like run_off_thread, handing `on_failed` the message key only."""
    run_off_thread(fn, on_done, lambda exc: on_failed(exc.code), parent, pool, fallback=fallback)

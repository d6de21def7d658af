"""Background work: run a function on the thread pool, get the result or error back on the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

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

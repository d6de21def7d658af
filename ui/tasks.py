"""Background work, the one way the window runs anything off the GUI thread (after Anki's taskman + operations).

`run_task(fn, on_done, on_failed, parent)` runs `fn(progress)` on the thread pool. Exactly one of
`on_done(result)` or `on_failed(error)` is then called on the GUI thread, and `on_progress(done, total)`
for each progress report. `on_failed` always receives a StationError, whose `message()` is in the user's
language: an expected failure as raised; anything unexpected is logged first (its type and place only,
never its text: station.logsafe) and turned into a catalogued message (`station.errors.from_exception`,
or the caller's `fallback` key). `fn` must not touch widgets.

`run_off_thread` / `run_in_pool` are the same for jobs without progress. `TaskRunner` carries the pool
and an `immediate` switch so tests run every job at once, in order (Picard's test pool does the same).
The camera's frame stream is the one dedicated thread (ui/camera/worker.py): it is a long-lived loop
that owns the device, not a job with an end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from station.errors import StationError, from_exception
from station.logsafe import log_failure

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Job = Callable[[Progress], Any]  # receives a progress(done, total) callback

def failure_of(exc: BaseException, fallback: str | None = None) -> StationError:
    """The error to show for `exc`: a StationError as is; anything else logged and catalogued."""
    if isinstance(exc, StationError):
        return exc
    log_failure(log, "background job failed", exc)
    error = from_exception(exc)
    if fallback and error.code == "fault.unexpected":
        return StationError(fallback)
    return error


class _Dispatcher(QObject):
    """One long-lived object on the GUI thread: workers post callables to it, it runs them there.

    Workers never hold a Qt object of the caller's, so nothing the GUI thread owns is ever freed from
    a worker (per-job signal carriers raced with their own deletion).
    """

    posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @staticmethod
    def _run(call: Callable[[], None]) -> None:
        call()


_dispatcher: _Dispatcher | None = None


def _gui_dispatcher() -> _Dispatcher:
    """Created on first use, which is on the GUI thread (run_task is only called from there)."""
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = _Dispatcher()
    return _dispatcher


class _Job(QRunnable):
    def __init__(self, fn: Job, deliver: Callable[[Callable[[], None]], None], on_done: Callable[[Any], None],
                 on_failed: Callable[[StationError], None], on_progress: Progress | None,
                 fallback: str | None) -> None:
        super().__init__()  # auto-deleted: the pool owns the job from start() until run() has returned
        self._parts: tuple[Any, ...] | None = (fn, deliver, on_done, on_failed, on_progress, fallback)

    def run(self) -> None:
        assert self._parts is not None
        fn, deliver, on_done, on_failed, on_progress, fallback = self._parts
        self._parts = None  # what the job held goes to the GUI thread with its outcome

        def progress(done: int, total: int) -> None:
            if on_progress is not None:
                deliver(partial(on_progress, int(done), int(total)))

        try:
            result = fn(progress)
        except Exception as exc:  # never let a worker die silently or leave a dialog busy
            deliver(partial(on_failed, failure_of(exc, fallback)))
        else:
            deliver(partial(on_done, result))


def run_task(
    fn: Job, on_done: Callable[[Any], None], on_failed: Callable[[StationError], None],
    parent: QObject | None = None, *, pool: QThreadPool | None = None, on_progress: Progress | None = None,
    fallback: str | None = None, immediate: bool = False,
) -> None:
    """`fn(progress)` off the GUI thread (or at once when `immediate`); its outcome on the GUI thread.

    With a `parent`, the outcome is dropped if the parent was deleted meanwhile (a closed dialog).
    """
    dispatcher = _gui_dispatcher()

    def deliver(call: Callable[[], None]) -> None:
        def guarded() -> None:
            if parent is None or shiboken6.isValid(parent):
                call()

        if immediate:
            guarded()
        else:
            dispatcher.posted.emit(guarded)

    job = _Job(fn, deliver, on_done, on_failed, on_progress, fallback)
    if immediate:
        job.run()
    else:
        (pool or QThreadPool.globalInstance()).start(job)


def run_off_thread(
    fn: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[StationError], None],
    parent: QObject, pool: QThreadPool | None = None, *, fallback: str | None = "error.storage_failed",
) -> None:
    """`fn()` off the GUI thread; `on_done(result)` or `on_failed(StationError)` on it."""
    run_task(lambda _progress: fn(), on_done, on_failed, parent, pool=pool, fallback=fallback)


def run_in_pool(
    fn: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[str], None],
    parent: QObject, pool: QThreadPool | None = None, *, fallback: str = "camera.image.corrupt",
) -> None:
    """Like run_off_thread, handing `on_failed` the message key only."""
    run_off_thread(fn, on_done, lambda exc: on_failed(exc.code), parent, pool, fallback=fallback)


class TaskRunner:
    """The window's pool; tests pass `immediate=True` so jobs run at once (deterministic UI tests)."""

    def __init__(self, immediate: bool = False, pool: QThreadPool | None = None) -> None:
        self.immediate = immediate
        self.pool = pool or QThreadPool.globalInstance()

    def submit(
        self, fn: Job, on_success: Callable[[Any], None], on_error: Callable[[StationError], None],
        on_progress: Progress | None = None, *, parent: QObject | None = None, fallback: str | None = None,
    ) -> None:
        """`on_error` is required: a caller that ignores failures says so (and why) in its own callback."""
        run_task(fn, on_success, on_error, parent, pool=self.pool, on_progress=on_progress,
                 fallback=fallback, immediate=self.immediate)

"""A producer thread with a short, bounded hand-over: the office import reads the next batch while this one merges.

The import's work is two kinds: reading the pack (file, AES-GCM, record framing and hashes, JSON, the column
checks of station.export.codec, search tokens) and writing it (SQLite statements, page encryption, the
tracing hook). Python's sqlite3 drivers release the GIL inside each statement's step and `cryptography`
while it decrypts, so on a laptop's two cores the two kinds overlap in two threads. `ReadAhead` runs the
producer in a daemon thread; the caller's thread takes the items in order. Nothing else changes:
- only what the producer has checked is handed over (each chunk is authenticated before its records are
  read; the manifest and the origin signature are checked when the stream ends, before the caller commits,
  exactly as in one thread), and the database is touched by the caller's thread alone;
- an error in the producer reaches the consumer as that same exception, after the items handed over
  before it (the caller's transaction is rolled back: nothing half-imported);
- an error in the consumer stops the producer at its next hand-over, and `close()` waits for it, so no
  thread reads a file the caller has closed;
- at most `depth` items wait between the two threads (memory stays bounded whatever the pack's size).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_DONE = object()
_POLL_S = 0.1  # how often a blocked hand-over looks whether the consumer gave up


class _Stopped(Exception):
    """The consumer gave up: the producer ends at its next hand-over."""


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class ReadAhead(Generic[T]):
    """`with ReadAhead(produce) as ahead: for item in ahead: ...`; `produce(put)` runs in a thread and calls
    `put(item)` for each item, in order. Leaving the block (normally or by an exception) stops the producer
    and waits for its thread."""

    def __init__(self, produce: Callable[[Callable[[T], None]], None], depth: int = 1,
                 name: str = "pack-read-ahead") -> None:
        self._produce = produce
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> ReadAhead[T]:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _put(self, item: Any) -> None:
        while True:
            if self._stop.is_set():
                raise _Stopped
            try:
                self._queue.put(item, timeout=_POLL_S)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        try:
            self._produce(self._put)
            self._put(_DONE)
        except _Stopped:
            return
        except BaseException as exc:  # handed to the consumer, which raises it in its own thread
            try:
                self._put(_Failed(exc))
            except _Stopped:
                return

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item

    def close(self) -> None:
        """Stop the producer (if it still runs) and wait for its thread; items not taken are dropped."""
        self._stop.set()  # a producer waiting in a hand-over sees it within _POLL_S
        self._thread.join()

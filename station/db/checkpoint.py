"""Copy the write-ahead log into the database file in the background, while nobody is saving.

SQLite copies the log at the commit that crosses `wal_autocheckpoint` pages, inside that commit: at 200,000
people one desk save in six then also wrote about a thousand pages to random places of the database file
and synced it (30 ms of CPU and 100-300 ms on a busy disk, on top of a 20 ms commit). Here a daemon thread
runs a PASSIVE checkpoint (it blocks neither readers nor writers) once no commit has come for `idle`
seconds; the engine's `wal_autocheckpoint` (station.db.engine) stays as the safety net
for a log that grows faster than the thread copies it. The log is as durable as the file (synchronous=FULL),
so a power cut between commit and checkpoint loses nothing: SQLite replays the log on the next open.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from station.errors import StationError
from station.logsafe import log_failure

log = logging.getLogger(__name__)
IDLE_SECONDS = 0.5


class BackgroundCheckpoint:
    def __init__(self, engine: Engine, idle: float | None = None) -> None:
        self.engine = engine
        self.idle = IDLE_SECONDS if idle is None else idle
        self.done = 0  # checkpoints run (for tests)
        self._wake = threading.Event()
        self._stop = False
        self._last = 0.0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def nudge(self) -> None:
        """A commit happened: checkpoint once the station has been quiet for `idle` seconds."""
        with self._lock:
            if self._stop:
                return
            self._last = time.monotonic()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        """No checkpoint after this returns. Waits for one in progress (PASSIVE: it waits for no lock, so it
        ends): a connection still checked out would survive the engine's dispose, and the log would not be
        folded into the file when the last connection closes (a file moved or copied then lacks it)."""
        with self._lock:
            self._stop = True
            thread = self._thread
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            while True:  # wait for a quiet moment: each commit pushes it back
                with self._lock:
                    if self._stop:
                        return
                    left = self._last + self.idle - time.monotonic()
                if left <= 0:
                    break
                time.sleep(min(left, 0.25))
            try:
                raw = self.engine.raw_connection()  # outside any transaction (the engine's begin hook)
                try:
                    cur = raw.cursor()
                    cur.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    cur.fetchall()
                    cur.close()
                finally:
                    raw.close()
                self.done += 1
            except (SQLAlchemyError, StationError, OSError) as exc:  # the next commit's nudge tries again,
                log_failure(log, "background checkpoint failed", exc)  # and SQLite's own one stays as a net

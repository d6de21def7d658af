"""One long job (export, import, report) on a QThread, with progress and the outcome sent back as signals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal

from station.errors import StationError
from station.logsafe import log_failure

log = logging.getLogger(__name__)

Job = Callable[[Callable[[int, int], None]], Any]  # receives a progress(done, total) callback


class JobThread(QThread):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)  # message, already in the user's language

    def __init__(self, job: Job, parent: Any = None) -> None:
        super().__init__(parent)
        self._job = job

    def run(self) -> None:
        try:
            result = self._job(lambda done, total: self.progressed.emit(int(done), int(total)))
        except StationError as exc:
            self.failed.emit(exc.message())
        except Exception as exc:  # never leave the dialog hanging; details go to the log, not the screen
            log_failure(log, "export job failed", exc)
            self.failed.emit(StationError("export.error.write_failed", code="internal").message())
        else:
            self.succeeded.emit(result)

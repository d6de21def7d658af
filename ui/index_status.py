"""The desk's status-bar note while the search index is rebuilt in the background (issue 18)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from station.i18n import tr
from station.services.search_index_background import CatchUp

POLL_MS = 1000  # how often the percentage is read from the worker (a lock and two integers)


class IndexStatus(QLabel):
    """'Search index being updated: 34%' while the worker runs; hidden once it ends (finished, failed or
    stopped: searches stay correct either way, search_index_background). `finished` once it completed."""

    finished = Signal()

    def __init__(self, catch_up: CatchUp | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("indexStatus")
        self._catch_up = catch_up
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.refresh)
        self.setVisible(False)
        if catch_up is not None:
            self._timer.start()
            self.refresh()

    def refresh(self) -> None:
        """Read the worker's progress again (also after a language change)."""
        work = self._catch_up
        if work is None:
            return
        if not work.running:
            self._timer.stop()
            self._catch_up = None
            self.setVisible(False)
            if work.finished:
                self.finished.emit()
            return
        self.setText(tr("ui.status.index_updating", percent=work.percent()))
        self.setVisible(True)

"""Idle watcher: an application-wide event filter; emits `idle()` after N minutes without keyboard or mouse."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from station.settings import StationSettings

_ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate, QEvent.Type.TabletPress, QEvent.Type.InputMethod,
})


class IdleWatcher(QObject):
    """Call `start()` after sign-in and after each unlock; `idle()` fires once, then the watcher stops.

    A cheap timestamp is taken on every input event; a timer checks it every `check_ms`. Minutes <= 0
    switch the watcher off.
    """

    idle = Signal()

    def __init__(self, minutes: float = StationSettings.idle_lock_minutes, parent: QObject | None = None, *,
                 check_ms: int = 1000) -> None:
        super().__init__(parent)
        self._timeout_s = float(minutes) * 60.0
        self._last = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @classmethod
    def from_settings(cls, settings: StationSettings, parent: QObject | None = None) -> IdleWatcher:
        return cls(settings.idle_lock_minutes, parent)

    def set_minutes(self, minutes: float) -> None:
        self._timeout_s = float(minutes) * 60.0
        if self._timeout_s <= 0:
            self.stop()

    def set_timeout_seconds(self, seconds: float) -> None:
        self._timeout_s = float(seconds)

    def start(self) -> None:
        self._last = time.monotonic()
        if self._timeout_s > 0:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def is_running(self) -> bool:
        return self._timer.isActive()

    def seconds_idle(self) -> float:
        return time.monotonic() - self._last

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._last = time.monotonic()
        return False

    def _on_timer_timeout(self) -> None:
        if self._timeout_s > 0 and self.seconds_idle() >= self._timeout_s:
            self._timer.stop()
            self.idle.emit()

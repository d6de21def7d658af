"""Cycles are collected on the GUI thread, never on a worker that happens to allocate (ui.gc_guard): a Qt
object caught in a cycle must not be destroyed on another thread."""

from __future__ import annotations

import gc
import threading
from typing import Any

from PySide6.QtWidgets import QApplication

from ui import gc_guard


class _Cycle:
    def __init__(self, seen: list[str]) -> None:
        self.me = self
        self.seen = seen

    def __del__(self) -> None:
        self.seen.append(threading.current_thread().name)


def test_a_worker_allocating_never_collects_and_the_gui_thread_does(qtbot: Any) -> None:
    app = QApplication.instance()
    assert app is not None
    guard = gc_guard.install(app)
    assert gc_guard.install(app) is guard  # one per application
    assert not gc.isenabled()
    seen: list[str] = []
    gc.collect()
    _Cycle(seen)  # unreachable at once, freed only by the collector

    kept: list[list[list[int]]] = []

    def allocate() -> None:  # far past every threshold: the automatic collector would run here
        kept.append([[i] for i in range(200_000)])

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    assert seen == []
    qtbot.waitUntil(lambda: seen != [], timeout=3 * gc_guard.INTERVAL_MS)
    assert seen == [threading.current_thread().name]


def test_collection_turned_back_on_by_someone_is_turned_off_again(qtbot: Any) -> None:
    app = QApplication.instance()
    assert app is not None
    guard = gc_guard.install(app)
    gc.enable()
    guard.check()
    assert not gc.isenabled()

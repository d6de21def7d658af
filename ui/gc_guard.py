"""Python's cycle collector run on the GUI thread only, on a timer (as Anki's GarbageCollector does).

Left automatic, the collector runs in whichever thread happens to allocate when a threshold is crossed: a
worker reading a scanned image or a pack. If the garbage it finds holds a Qt object (a closed dialog, a
widget's wrapper in a reference cycle), that object is destroyed on the worker thread, and Qt widgets may
only be touched on the GUI thread: the window crashed that way in the test suite (a scan dialog's worker
collecting while PIL loaded a plugin). So automatic collection is turned off and the GUI thread collects,
generation by generation as the thresholds say, a few times a second. Reference counting still frees
everything that is not in a cycle at once, in any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GarbageCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(INTERVAL_MS)

    def check(self) -> None:
        """Collect what the automatic collector would have collected by now, on this (the GUI) thread."""
        if not gc.isenabled():  # an import may pause collection and turn it back on; here it stays off
            counts = gc.get_count()
            for generation in (2, 1, 0):
                if counts[generation] > self.threshold[generation]:
                    gc.collect(generation)
                    return
        else:
            gc.disable()


def install(parent: QObject) -> GarbageCollector:
    """Turn automatic collection off and collect on `parent`'s (the GUI) thread from now on."""
    existing = parent.findChild(GarbageCollector)
    return existing if isinstance(existing, GarbageCollector) else GarbageCollector(parent)

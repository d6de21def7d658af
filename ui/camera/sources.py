"""SourcePicker: a combo of cameras found, a network camera and a video file; emits the chosen source text."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QInputDialog, QWidget

from station.i18n import tr
from station.scanning.frames import CameraInfo, SourceKind, SourceSpec

NETWORK, VIDEO_FILE = "__network__", "__file__"


class SourcePicker(QComboBox):
    source_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current = ""
        self.cameras: list[CameraInfo] | None = None  # None: not probed (yet)
        self.activated.connect(self._on_activated)

    def searching(self) -> None:
        self.clear()
        self.addItem(tr("camera.source.searching"), None)

    def fill(self, cameras: list[CameraInfo] | None, current: str) -> None:
        """Rebuild the list: the current source first when it is not one of the cameras found."""
        if cameras is not None:
            self.cameras = cameras
        self.current = current
        found = self.cameras or []
        self.clear()
        known = {str(c.index) for c in found}
        if current and current not in known:
            self.addItem(SourceSpec.parse(current).label(), current)
        if self.cameras is not None and not found:
            self.addItem(tr("camera.source.none"), None)
        for c in found:
            self.addItem(tr("camera.source.device", name=c.name, index=c.index), str(c.index))
        self.addItem(tr("camera.source.network"), NETWORK)
        self.addItem(tr("camera.source.file"), VIDEO_FILE)
        self.setCurrentIndex(max(0, self.findData(current)))

    def no_camera_found(self) -> bool:
        """Probed, nothing answered, and the current source is a device index."""
        return self.cameras == [] and (not self.current or SourceSpec.parse(self.current).kind is SourceKind.DEVICE)

    def _on_activated(self, index: int) -> None:
        data = self.itemData(index)
        if data == NETWORK:
            url, ok = QInputDialog.getText(self, tr("camera.url.title"), tr("camera.url.prompt"))
            data = url.strip() if ok and url.strip() else None
        elif data == VIDEO_FILE:
            path, _f = QFileDialog.getOpenFileName(self, tr("camera.video.title"), "", tr("camera.video.filter"))
            data = path or None
        if data:
            self.fill(None, str(data))
            self.source_chosen.emit(str(data))
        else:
            self.setCurrentIndex(max(0, self.findData(self.current)))

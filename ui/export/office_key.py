"""Install the office public key from a file (its USB stick): from set-up, the export dialog or the Station menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from station.errors import StationError
from station.export.drives import removable_drives
from station.i18n import tr
from station.services import export as ex
from station.services.station import StationContext

MAX_KEY_FILE = 64 * 1024  # a public key is a few hundred bytes; anything larger is not one


def read_key_file(path: Path) -> bytes:
    """The file's bytes, refused with a clear message when it is unreadable, not a regular file or too large."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_KEY_FILE:
            raise StationError("export.error.public_key_invalid")
        return path.read_bytes()
    except OSError:
        raise StationError("export.error.public_key_unreadable") from None


def install_from(ctx: StationContext, path: Path) -> str:
    """Install the key in `path`; returns its fingerprint for the administrator to compare with the office's."""
    return ex.set_office_key(ctx.db, ctx.actor, read_key_file(path))


def start_folder() -> str:
    drives = removable_drives()
    return str(drives[0].mount) if drives else str(Path.home())


def choose_and_install(ctx: StationContext, parent: QWidget) -> str | None:
    """Ask for the key file and install it; the fingerprint is shown, errors are explained. None if cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, tr("export.ui.office_key_title"), start_folder(),
                                          tr("export.ui.office_key_filter") + " (*.pub *.pem *.txt);;* (*)")
    if not path:
        return None
    try:
        fingerprint = install_from(ctx, Path(path))
    except StationError as exc:
        QMessageBox.warning(parent, tr("export.ui.office_key_title"), exc.message())
        return None
    QMessageBox.information(parent, tr("export.ui.office_key_title"),
                            tr("export.ui.office_key_installed", fingerprint=fingerprint))
    return fingerprint

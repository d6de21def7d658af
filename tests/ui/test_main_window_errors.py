"""Storage failures reach the clerk as a clear message in their language."""

from __future__ import annotations


def test_full_disk_message_is_clear() -> None:
    from sqlalchemy.exc import OperationalError

    from station.i18n import tr
    from ui.main_window import storage_error_key

    exc = OperationalError("INSERT", {}, Exception("database or disk is full"))
    assert storage_error_key(exc) == "error.disk_full"
    assert "nothing was lost" in tr("error.disk_full")

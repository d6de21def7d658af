"""Storage failures reach the clerk as a clear message in their language."""

from __future__ import annotations


def test_full_disk_message_is_clear() -> None:
    from sqlalchemy.exc import OperationalError

    from station.i18n import tr
    from ui.main_window import storage_error_key

    exc = OperationalError("INSERT", {}, Exception("database or disk is full"))
    assert storage_error_key(exc) == "error.disk_full"
    assert "nothing was lost" in tr("error.disk_full")


def test_a_closed_desk_stops_watching_for_idle(window) -> None:  # type: ignore[no-untyped-def]
    # the window may outlive its close until Qt deletes it: it must never lock (and write) after that
    assert window.idle.is_running()
    window.form.dirty = False
    window.close()
    assert not window.idle.is_running()

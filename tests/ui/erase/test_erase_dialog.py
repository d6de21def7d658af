"""The erase confirmation cannot be triggered by accident: only the exact word or an uninterrupted hold."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from station.services import erase
from station.services.station import initialize, is_set_up
from tests.conftest import PASSPHRASE
from ui.erase.widget import HOLD_SECONDS, EraseDialog


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _dialog(qtbot, clock: FakeClock | None = None) -> tuple[EraseDialog, list[int]]:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    d = EraseDialog(Path("/nonexistent"), erase_fn=lambda: calls.append(1), clock=clock or FakeClock())
    qtbot.addWidget(d)
    return d, calls


def test_enter_click_and_wrong_words_do_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    d, calls = _dialog(qtbot)
    d.show()
    qtbot.keyClick(d, Qt.Key.Key_Return)  # Enter is Cancel
    qtbot.mouseClick(d.erase_button, Qt.MouseButton.LeftButton)
    for word in ("erase", "ERAS", "delete", " "):
        d.word.setText(word)
        assert not d.erase_button.isEnabled()
        d.erase_button.click()
    assert calls == []


def test_typed_word_erases(qtbot) -> None:  # type: ignore[no-untyped-def]
    d, calls = _dialog(qtbot)
    qtbot.keyClicks(d.word, "ERASE")
    assert d.erase_button.isEnabled()
    qtbot.mouseClick(d.erase_button, Qt.MouseButton.LeftButton)
    assert calls == [1]


def test_short_or_interrupted_hold_does_nothing_full_hold_erases(qtbot) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    d, calls = _dialog(qtbot, clock)
    d.hold.pressed.emit()
    clock.now += HOLD_SECONDS - 0.5
    d.hold.tick()
    d.hold.released.emit()  # let go early
    clock.now += 10
    d.hold.tick()
    assert calls == [] and d.bar.value() == 0
    d.hold.pressed.emit()
    clock.now += HOLD_SECONDS
    d.hold.tick()
    assert calls == [1]


def test_dialog_erases_a_real_station(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    d = EraseDialog(home, (ctx,))
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.erased):
        d.word.setText("ERASE")
        d.erase_button.click()
    assert erase.was_erased(home) and not is_set_up(home) and ctx.db_key is None


def test_server_site_is_told_the_server_keeps_its_records(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """On a PostgreSQL site the dialog says, before and after, that the records on the server are not erased."""
    import json

    from station.i18n import tr

    (tmp_path / "settings.json").write_text(json.dumps({"station": {"database_url": "postgresql+psycopg://d@db/s"}}))
    calls: list[int] = []
    d = EraseDialog(tmp_path, erase_fn=lambda: calls.append(1), clock=FakeClock())
    qtbot.addWidget(d)
    assert tr("erase.server_note") in d.warning.text()
    d.word.setText(erase.CONFIRM_WORD)
    d.erase_button.click()
    assert calls == [1] and tr("erase.server_note") in d.result_label.text()
    laptop, _ = _dialog(qtbot)
    assert tr("erase.server_note") not in laptop.warning.text()

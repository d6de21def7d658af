"""Sign-in widget: signs in off the GUI thread, shows core messages in the user's language, emits the context."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station import i18n
from station.errors import StationError
from station.services import station as st
from station.services.station import StationContext
from tests.conftest import PASSPHRASE
from ui.signin.widget import SignInWidget


@pytest.fixture
def station_home(home: Path) -> Path:
    ctx, _ = st.initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    ctx.close()
    return home


def _submit(qtbot: QtBot, w: SignInWidget, user: str, secret: str) -> None:
    w.panel.account.setText(user)
    w.panel.passphrase.setText(secret)
    qtbot.mouseClick(w.panel.button, Qt.MouseButton.LeftButton)


def test_signs_in_and_emits_context(qtbot: QtBot, station_home: Path) -> None:
    w = SignInWidget(station_home, station_code="MKH-02")
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.signed_in, timeout=10000) as sig:
        _submit(qtbot, w, "admin", PASSPHRASE)
        assert w.panel.busy.isVisible() and not w.panel.button.isEnabled()  # work happens off the GUI thread
    ctx = sig.args[0]
    assert isinstance(ctx, StationContext) and ctx.actor.username == "admin"
    ctx.close()
    assert w.panel.passphrase.text() == "" and not w.panel.busy.isVisible()


def test_wrong_passphrase_message_in_arabic(qtbot: QtBot, station_home: Path) -> None:
    i18n.set_language("ar")
    w = SignInWidget(station_home)
    qtbot.addWidget(w)
    w.show()
    emitted: list[object] = []
    w.signed_in.connect(emitted.append)
    _submit(qtbot, w, "admin", "not the passphrase")
    qtbot.waitUntil(lambda: w.panel.button.isEnabled(), timeout=10000)
    assert w.panel.message.text() == i18n.tr("error.bad_credentials", "ar") != i18n.tr("error.bad_credentials", "en")
    assert w.panel.passphrase.text() == "" and emitted == []
    assert w.panel.button.text() == "تسجيل الدخول"
    assert w.panel.subheading.text() == ""  # the station's code is sealed until someone signs in (issue 15)


def test_lock_message_from_core(qtbot: QtBot, station_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(st.time, "sleep", lambda s: None)
    for _ in range(st.LOCK_AFTER):
        with pytest.raises(StationError):
            st.sign_in("admin", "nope nope nope", station_home)
    w = SignInWidget(station_home)
    qtbot.addWidget(w)
    _submit(qtbot, w, "admin", PASSPHRASE)
    qtbot.waitUntil(lambda: w.panel.button.isEnabled(), timeout=10000)
    assert "locked for 15 minutes" in w.panel.message.text()


def test_empty_fields_are_not_sent(qtbot: QtBot) -> None:
    calls: list[tuple[str, str]] = []
    w = SignInWidget(sign_in_fn=lambda u, p: calls.append((u, p)))
    qtbot.addWidget(w)
    _submit(qtbot, w, "", "")
    assert calls == [] and w.panel.message.text() == i18n.tr("signin.empty")


def test_a_long_sign_in_says_why(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an update the first sign-in migrates and rebuilds the index: the screen says so, not just spins."""
    import threading

    from ui.signin import widget as signin_widget

    monkeypatch.setattr(signin_widget, "SLOW_SIGNIN_MS", 100)
    release = threading.Event()
    w = SignInWidget(sign_in_fn=lambda u, p: release.wait(10))
    qtbot.addWidget(w)
    _submit(qtbot, w, "admin", PASSPHRASE)
    assert w.panel.message.text() == i18n.tr("signin.working")
    qtbot.waitUntil(lambda: w.panel.message.text() == i18n.tr("signin.slow"), timeout=5000)
    with qtbot.waitSignal(w.signed_in, timeout=10000):
        release.set()
    assert w.panel.busy.isHidden()


def test_the_one_time_rebuild_shows_how_far_it_is(qtbot, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """After an update the sign-in rebuilds the search index once: the screen says how far, not just 'wait'."""
    import threading

    from station.i18n import tr
    from station.services import station as st
    from ui.signin.widget import SignInWidget

    release = threading.Event()

    def slow_sign_in(user, secret, home=None, progress=None):  # type: ignore[no-untyped-def]
        progress(1, 4)
        release.wait(10)
        raise st.StationError("error.bad_credentials")

    monkeypatch.setattr(st, "sign_in", slow_sign_in)
    widget = SignInWidget(tmp_path, station_code="MKH-01")
    qtbot.addWidget(widget)
    widget.panel.account.setText("amina")
    widget.panel.passphrase.setText("a long passphrase here")
    widget._on_panel_submitted("amina", "a long passphrase here")
    try:
        expected = tr("signin.rebuilding", percent=25)
        qtbot.waitUntil(lambda: widget.panel.message.text() == expected, timeout=5000)
        bar = widget.panel.busy  # a bar that fills, not the endless busy stripe
        assert (bar.minimum(), bar.maximum(), bar.value()) == (0, 100, 25) and not bar.isHidden()
    finally:
        release.set()
    qtbot.waitUntil(lambda: widget.panel.busy.isHidden(), timeout=5000)
    assert widget.panel.busy.maximum() == 0  # the next sign-in starts with the busy stripe again

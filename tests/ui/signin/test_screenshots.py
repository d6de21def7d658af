"""Screenshots of the sign-in and lock screens in English and Arabic (right to left).

Always rendered (and checked) in a temporary folder; STATION_WRITE_SCREENSHOTS=1 also writes
docs/screenshots/signin-{en,ar}.png and lock-{en,ar}.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QImage
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
from pytestqt.qtbot import QtBot

from station import i18n
from station.paths import fonts_dir
from station.services.station import StationContext
from ui.lock.overlay import LockOverlay
from ui.signin.widget import SignInWidget

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def lang_app(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    lang = request.param
    for f in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"):
        assert QFontDatabase.addApplicationFont(str(fonts_dir() / f)) >= 0
    old_font, old_dir = qapp.font(), qapp.layoutDirection()
    qapp.setFont(QFont("Noto Sans Arabic" if lang == "ar" else "Noto Sans", 11))
    qapp.setLayoutDirection(Qt.LayoutDirection.RightToLeft if i18n.is_rtl(lang) else Qt.LayoutDirection.LeftToRight)
    i18n.set_language(lang)
    yield lang
    qapp.setFont(old_font)
    qapp.setLayoutDirection(old_dir)
    i18n.set_language("en")


def _save(img: QImage, name: str, tmp_path: Path) -> None:
    assert not img.isNull() and img.width() >= 800
    assert img.save(str(tmp_path / name))
    if os.environ.get("STATION_WRITE_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        assert img.save(str(out / name))


@pytest.mark.parametrize("lang_app", ["en", "ar"], indirect=True)
def test_signin_screenshot(qtbot: QtBot, lang_app: str, tmp_path: Path) -> None:
    w = SignInWidget(station_code="MKH-02", sign_in_fn=lambda u, p: None)
    qtbot.addWidget(w)
    w.resize(900, 620)
    w.panel.account.setText("sara")
    w.panel.passphrase.setText("xxxxxxxxxxxx")
    w.panel.show_error(i18n.tr("error.bad_credentials"))
    w.panel.passphrase.setText("xxxxxxxx")
    w.show()
    qtbot.waitExposed(w)
    assert w.panel.layoutDirection() == (Qt.LayoutDirection.RightToLeft if lang_app == "ar"
                                         else Qt.LayoutDirection.LeftToRight)
    _save(w.grab().toImage(), f"signin-{lang_app}.png", tmp_path)


@pytest.mark.parametrize("lang_app", ["en", "ar"], indirect=True)
def test_lock_screenshot(qtbot: QtBot, lang_app: str, tmp_path: Path, sqlite_ctx: StationContext) -> None:
    win = QMainWindow()
    secret = QLabel("فاطمة أحمد علي الجبوري — MKH-02-000123-K")
    win.setCentralWidget(secret)
    win.resize(900, 620)
    qtbot.addWidget(win)
    win.show()
    ov = LockOverlay(win, sqlite_ctx)
    ov.lock("idle")
    qtbot.waitExposed(win)
    assert not secret.isVisible()
    _save(win.grab().toImage(), f"lock-{lang_app}.png", tmp_path)

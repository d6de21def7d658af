"""Language on screen: fonts that cover Arabic and Sorani, right-to-left layout, Qt's own translations."""

from __future__ import annotations

import os

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from station import i18n
from station.paths import fonts_dir

_state: dict[str, object] = {}

UI_FONTS = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoNaskhArabic-Regular.ttf",
            "NotoNaskhArabic-Bold.ttf")


def register_fonts() -> list[str]:
    """Load the shipped fonts once; returns the family names."""
    if "families" in _state:
        return _state["families"]  # type: ignore[return-value]
    families: list[str] = []
    for name in UI_FONTS:
        fid = QFontDatabase.addApplicationFont(os.fspath(fonts_dir() / name))
        if fid >= 0:
            families.extend(f for f in QFontDatabase.applicationFontFamilies(fid) if f not in families)
    _state["families"] = families
    return families


def apply_language(app: QApplication, lang: str) -> None:
    """Switch the whole application: catalogue, direction, Qt's standard dialogs, font fallbacks."""
    i18n.set_language(lang)
    register_fonts()
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if i18n.is_rtl(lang) else Qt.LayoutDirection.LeftToRight)
    QLocale.setDefault(QLocale("ar" if lang == "ar" else "ckb" if lang == "ckb" else "en"))
    old = _state.pop("qt_translator", None)
    if isinstance(old, QTranslator):
        app.removeTranslator(old)
    qt_lang = {"ar": "ar", "ckb": "ar"}.get(lang)  # Qt ships no Sorani catalogue; Arabic buttons read well
    if qt_lang:
        translator = QTranslator(app)
        if translator.load(f"qtbase_{qt_lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(translator)
            _state["qt_translator"] = translator
    font = QFont("Noto Sans")
    font.setFamilies(["Noto Sans", "Noto Naskh Arabic"])
    font.setPointSize(10)
    app.setFont(font)

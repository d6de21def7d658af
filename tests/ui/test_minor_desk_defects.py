"""The desk issue's smaller defects, each checked where it showed: direction, language, focus."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from station.i18n import tr
from ui.main_window import MainWindow
from ui.qt_i18n import apply_language


def test_arabic_names_stay_right_aligned_in_the_english_window(qtbot, window: MainWindow) -> None:
    edit = window.form.editor.ar["given"]
    assert edit.layoutDirection() == Qt.LayoutDirection.RightToLeft
    # AlignRight alone is mirrored by Qt on a right-to-left widget (the text sat on the left)
    assert edit.alignment() & Qt.AlignmentFlag.AlignAbsolute
    assert edit.alignment() & Qt.AlignmentFlag.AlignRight


def test_times_and_latin_names_read_left_to_right_in_arabic(qtbot) -> None:
    from station.domain.codes import HouseholdStatus
    from station.domain.model import HouseholdSummary
    from ui.records.register_model import RegisterModel

    model = RegisterModel()
    model.set_rows([HouseholdSummary("h1", "MKH-01-000001-5", datetime(2026, 12, 1, 10, 7, tzinfo=UTC), "فاطمة",
                                     "Fatima Ahmed Ali Al-Jubouri", 5, "Ninewa", HouseholdStatus.ACTIVE)])
    arrived = model.data(model.index(0, RegisterModel.COL_ARRIVED))
    latin = model.data(model.index(0, RegisterModel.COL_HEAD_LAT))
    assert arrived == "\u206601/12 10:07\u2069"  # isolated: never shown as "10:07 01/12"
    assert latin.startswith("\u2066") and latin.endswith("\u2069")
    align = model.data(model.index(0, RegisterModel.COL_HEAD_LAT), Qt.ItemDataRole.TextAlignmentRole)
    assert align & int(Qt.AlignmentFlag.AlignAbsolute)


def test_camera_resolutions_are_not_reversed(qtbot, tmp_path) -> None:
    from ui.camera.dialog import CameraDialog

    dlg = CameraDialog(source=str(tmp_path / "none.avi"), probe_cameras=False)
    qtbot.addWidget(dlg)
    label = dlg.res_combo.itemText(0)
    assert label.startswith("\u2066") and label.endswith("\u2069")
    dlg.close()


def test_no_photo_placeholder_follows_the_language(qtbot) -> None:
    from ui.widgets.portrait import PortraitLabel

    label = PortraitLabel()
    qtbot.addWidget(label)
    assert label.text() == tr("ui.portrait.none", "en")
    apply_language(QApplication.instance(), "ar")
    try:
        QApplication.sendEvent(label, QEvent(QEvent.Type.LanguageChange))
        assert label.text() == tr("ui.portrait.none", "ar") != tr("ui.portrait.none", "en")
    finally:
        apply_language(QApplication.instance(), "en")


def test_sign_in_offers_the_language_and_titles_in_it(qtbot, tmp_path) -> None:
    from ui.signin.widget import SignInWidget

    widget = SignInWidget(tmp_path, station_code="MKH-01")
    qtbot.addWidget(widget)
    chosen: list[str] = []
    widget.language_chosen.connect(chosen.append)
    widget.language.setCurrentIndex(widget.language.findData("ckb"))
    assert chosen == ["ckb"]
    apply_language(QApplication.instance(), "ar")
    try:
        widget.retranslate()
        assert widget.windowTitle() == tr("signin.title", "ar")
    finally:
        apply_language(QApplication.instance(), "en")


def test_the_desk_opens_with_focus_in_the_form(qtbot, window: MainWindow) -> None:
    window.register.search.setFocus()
    window.form.focus_first()
    assert QApplication.focusWidget() in (window.form.governorate, window.form.governorate.lineEdit())

"""Issue 11 (scanning): values in the ID-scan dialog are readable in full at its default size, and codes
are shown as translated labels."""

from __future__ import annotations

from station.domain.codes import FieldSource
from station.i18n import tr
from station.scanning.fill import Check, FieldValue, MemberFields
from ui.scanning.dialog import IdScanDialog


def test_values_whole_and_document_type_translated(qtbot) -> None:
    mrz = FieldSource.MRZ
    fields = MemberFields({
        "surname": FieldValue("ABDULRAHMAN AL QURAISHI", mrz, Check.PASSED),
        "given_names": FieldValue("MUHAMMADALI HUSSEIN ABDULKARIM", mrz, Check.NONE),
        "sex": FieldValue("F", mrz), "document_type": FieldValue("national_id", mrz),
        "document_number": FieldValue("AB1234567890123", mrz, Check.REPAIRED),
    }, valid=True)
    dlg = IdScanDialog(camera=False)
    qtbot.addWidget(dlg)
    dlg.show()  # the dialog's own default size
    qtbot.waitExposed(dlg)
    dlg.view.set_fields(fields)
    qtbot.wait(50)
    assert dlg.view.edits["document_type"].text() == tr("code.doc.national_id") != "national_id"
    assert dlg.view.edits["sex"].text() == tr("code.sex.F")
    for name in ("surname", "given_names", "document_number", "document_type"):
        edit = dlg.view.edits[name]
        needed = edit.fontMetrics().horizontalAdvance(edit.text())
        assert edit.width() > needed, name
        assert edit.visibleRegion().boundingRect().width() > needed, name

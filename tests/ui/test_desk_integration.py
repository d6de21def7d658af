"""The desk window with its features wired in: lock and unlock, scanned codes, document fields, roles."""

from __future__ import annotations

from PySide6.QtCore import Qt

from station import i18n
from station.domain.codes import FieldSource
from station.domain.roles import Role
from station.scanning.fill import Check, FieldValue, MemberFields
from station.services.accounts import create_account
from station.services.registration import register_household
from station.services.station import sign_in
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five
from ui.main_window import MainWindow


def test_lock_hides_records_and_keeps_unsaved_work(qtbot, window: MainWindow) -> None:
    window.form.editor.ar["given"].setText("سعد")
    window.lock_action.trigger()
    assert window.is_locked()
    assert not window.centralWidget().isVisible()  # no name, no register on screen
    assert not window.menuBar().isVisible()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # shortcuts are dead while locked
    window.desk_actions.open_code("anything")  # a scanner burst is ignored too
    window.overlay.panel.passphrase.setText("wrong passphrase!")
    window.overlay.panel.submitted.emit(window.ctx.actor.username, "wrong passphrase!")
    qtbot.waitUntil(lambda: window.overlay.panel.message.text() != "", timeout=10_000)
    assert window.is_locked()
    window.overlay.panel.submitted.emit(window.ctx.actor.username, PASSPHRASE)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=10_000)
    assert window.centralWidget().isVisible()
    assert window.form.editor.ar["given"].text() == "سعد"  # the form survived the lock


def test_scanned_code_opens_household(qtbot, window: MainWindow) -> None:
    with window.ctx.db.uow() as uow:
        saved = register_household(uow, window.ctx.actor, family_of_five())
    window.desk_actions.open_code(saved.registration_number.lower())
    assert window.form.view is not None and window.form.view.id == saved.id
    with window.ctx.db.reader() as uow:
        from sqlalchemy import select

        from station.db.rows import AuditEventRow

        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "scan.code")).one()
    assert ev.entity_id == saved.id and ev.details["format"] == "regno"


def test_document_fields_marked_and_failed_check_blocks_save(qtbot, window: MainWindow) -> None:
    mrz = FieldSource.MRZ
    ok = Check.PASSED
    fields = MemberFields({
        "surname": FieldValue("AL JUBOURI", mrz, ok), "given_names": FieldValue("FATIMA AHMED", mrz, ok),
        "sex": FieldValue("F", mrz, ok), "birth_date": FieldValue("1990-05-17", mrz, Check.PASSED),
        "nationality": FieldValue("IRQ", mrz, ok), "document_type": FieldValue("passport", mrz, ok),
        "document_number": FieldValue("A1234567", mrz, Check.FAILED),
        "document_expiry": FieldValue("2030-01-01", mrz, Check.PASSED),
        "issuing_country": FieldValue("IRQ", mrz, ok),
    }, valid=False)
    ed = window.form.editor
    ed.ar["given"].setText("فاطمة")
    window.desk_actions.fill_member_from_document(fields)
    assert ed.lat["given"].text() == "Fatima" and ed.lat["family"].text() == "Al Jubouri"
    assert ed.birth.text() == "17/05/1990"
    assert ed.fields["birth_date"].source() == ("mrz", True)
    assert ed.fields["doc_number"].source() == ("mrz", False)
    assert ed.fields["doc_number"].badge.isVisible()
    window.form.request_save()
    assert window.form.view is None  # never accepted silently
    assert ed.fields["doc_number"].error.isVisible()
    ed.doc_number.setText("")  # the clerk retypes it from the passport
    qtbot.keyClicks(ed.doc_number, "A1234567")
    assert ed.fields["doc_number"].source() is None
    window.form.request_save()
    assert window.form.view is not None
    saved = window.form.view.members[0]
    assert saved.field_sources.get("birth_date") == "mrz" and "doc_number" not in saved.field_sources


def test_a_document_type_read_unsurely_is_confirmed_by_choosing_it(qtbot, window: MainWindow) -> None:
    """A list field read from the document but not verified (read, please confirm) blocks the save until the
    clerk chooses it, even the same item: the badge says so, and no value is taken silently."""
    mrz = FieldSource.MRZ
    fields = MemberFields({
        "surname": FieldValue("AL JUBOURI", mrz, Check.NONE), "given_names": FieldValue("FATIMA", mrz, Check.NONE),
        "sex": FieldValue("F", mrz, Check.PASSED), "birth_date": FieldValue("1990-05-17", mrz, Check.PASSED),
        "document_type": FieldValue("passport", mrz, Check.NONE),
        "document_number": FieldValue("A1234567", mrz, Check.PASSED),
    }, valid=True)
    ed = window.form.editor
    ed.ar["given"].setText("فاطمة")
    window.desk_actions.fill_member_from_document(fields)
    assert ed.fields["doc_type"].source() == ("mrz", False)
    assert ed.fields["doc_type"].badge.text() == i18n.tr("ui.source.unverified", source=i18n.tr("ui.source.mrz"))
    for key in ("given_lat", "family_lat"):
        assert ed.fields[key].source() == ("mrz", False)
    window.form.request_save()
    assert window.form.view is None  # never accepted silently
    for edit, name in ((ed.lat["given"], "Fatima"), (ed.lat["family"], "Al Jubouri")):
        edit.clear()
        qtbot.keyClicks(edit, name)  # the clerk retypes the names from the passport
    window.form.request_save()
    assert window.form.view is None  # the document type is still unconfirmed
    index = ed.doc_type.currentIndex()
    ed.doc_type.activated.emit(index)  # the clerk opens the list and chooses the same item
    assert ed.doc_type.currentIndex() == index and ed.fields["doc_type"].source() is None
    window.form.request_save()
    assert window.form.view is not None


def test_menus_follow_the_role(qtbot, sqlite_ctx, home) -> None:
    create_account(sqlite_ctx, "karim", Role.CLERK, "clerk passphrase 1")
    clerk = sign_in("karim", "clerk passphrase 1", home)
    w = MainWindow(clerk)
    qtbot.addWidget(w)
    visible = {name for name, (action, _p) in w.desk_actions.actions.items() if action.isVisible()}
    assert {"print_card", "photo", "scan", "export", "distribute"} <= visible
    assert not {"accounts", "audit", "import", "merge_duplicate", "mark_departed"} & visible
    assert "karim" in w.user_label.text() and "karim" not in w.windowTitle()
    clerk.close()


def test_register_shows_the_heads_portrait(qtbot, window: MainWindow) -> None:
    import cv2
    import numpy as np

    from station.services.photos import save_portrait

    ok, buf = cv2.imencode(".jpg", np.full((160, 120, 3), 90, np.uint8))
    assert ok
    with window.ctx.db.uow() as uow:
        saved = register_household(uow, window.ctx.actor, family_of_five())
        save_portrait(uow, window.ctx.actor, saved.members[0].id, bytes(buf))
    window.refresh_register()
    qtbot.waitUntil(lambda: window.register_settled() and len(window.register.model.rows) == 1, timeout=3000)
    window.register.table.selectRow(0)
    qtbot.waitUntil(lambda: not window.register.portrait.pixmap().isNull(), timeout=3000)


def test_register_marks_households_found_by_another_spelling(qtbot, window: MainWindow) -> None:
    import dataclasses

    from PySide6.QtCore import Qt as QtNs

    from station.domain.model import NameParts

    base = family_of_five()
    head = dataclasses.replace(base.members[0], name_lat=NameParts("Muhammad", "Husain", "", "Jabouri"))
    with window.ctx.db.uow() as uow:
        saved = register_household(uow, window.ctx.actor, dataclasses.replace(base, members=(head,)))
    window.register.search.setText("Mohammed Jubouri")
    qtbot.waitUntil(lambda: len(window.register.model.rows) == 1, timeout=3000)
    model = window.register.model
    assert model.rows[0].id == saved.id and model.rows[0].approximate
    first = model.index(0, 0)
    assert model.data(first).startswith("≈ ") and model.data(first, QtNs.ItemDataRole.FontRole).italic()
    assert "sounds alike" in model.data(first, QtNs.ItemDataRole.ToolTipRole)
    with window.ctx.db.uow() as uow:  # a household spelt as typed: listed first, whichever way the list is sorted
        exact = register_household(uow, window.ctx.actor, family_of_five())
    window.register.search.setText("Jubouri")
    qtbot.waitUntil(lambda: len(window.register.model.rows) == 2, timeout=3000)
    proxy = window.register.proxy
    for column in (0, 1, 3):
        for order in (QtNs.SortOrder.AscendingOrder, QtNs.SortOrder.DescendingOrder):
            window.register.table.sortByColumn(column, order)
            ids = [proxy.data(proxy.index(r, 0), model.ID_ROLE) for r in range(proxy.rowCount())]
            assert ids == [exact.id, saved.id], (column, order)

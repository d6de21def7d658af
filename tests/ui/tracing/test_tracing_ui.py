"""Tracing screens and the duplicate dialog, driven as a clerk and a supervisor would."""

from __future__ import annotations

from sqlalchemy import select

from station.db.rows import AuditEventRow
from station.domain.codes import DocumentType, Relationship, Sex
from station.domain.model import Document, HouseholdDraft, MemberDraft, NameParts, Origin
from station.domain.tracing import CaseDraft, CaseStatus
from station.services import tracing
from station.services.duplicates import apply_decisions, check_member_duplicates
from station.services.photos import save_portrait
from station.services.registration import register_household
from tests.factories import family_of_five
from tests.station.export.conftest import jpeg
from ui.registration import duplicate_dialog
from ui.registration.duplicate_dialog import DIFFERENT, DuplicateDialog, resolve_duplicates
from ui.tracing.alerts_dialog import AlertsDialog
from ui.tracing.case_form import CaseFormDialog
from ui.tracing.cases_view import CasesDialog

MOSUL = Origin("Ninewa", "Mosul", "Mosul")


def _son() -> HouseholdDraft:
    return HouseholdDraft(members=(MemberDraft(NameParts("عمر", "خالد", "حسن", "العبيدي"),
                                               NameParts("Omer", "Khaled", "Hasan", "Obaidi"), Sex.MALE,
                                               Relationship.HEAD, age_years=18),), origin=MOSUL)


def test_case_form_alert_review_and_confirm(qtbot, sqlite_ctx) -> None:
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        seeker = register_household(uow, ctx.actor, family_of_five())
    form = CaseFormDialog(ctx, seeker)
    qtbot.addWidget(form)
    for edit, text in zip(form.names_lat, ("Omar", "Khalid", "Hassan", "Al-Obaidi"), strict=True):
        qtbot.keyClicks(edit, text)
    form.sex.setCurrentIndex(form.sex.findData("M"))
    form.age.setValue(17)
    qtbot.keyClicks(form.origin, "Mosul")
    qtbot.keyClicks(form.circumstances, "injured, taken to hospital in Erbil")
    form.consent.setChecked(True)
    with qtbot.waitSignal(form.case_opened) as opened:
        form.save_btn.click()
    case = opened.args[0]
    assert case.status is CaseStatus.OPEN and case.seeker_individual_id == seeker.members[0].id
    with ctx.db.uow() as uow:  # the son arrives and is photographed
        son = register_household(uow, ctx.actor, _son())
        save_portrait(uow, ctx.actor, son.members[0].id, jpeg(7, 300, 400))

    cases = CasesDialog(ctx)
    qtbot.addWidget(cases)
    assert cases.model.rowCount() == 1 and cases.model.cases[0].open_alerts == 1
    qtbot.keyClicks(cases.search, "Umar")  # found by a sound-alike spelling
    assert cases.model.rowCount() == 1
    cases.search.setText("Zainab")
    assert cases.model.rowCount() == 0

    alerts = AlertsDialog(ctx)
    qtbot.addWidget(alerts)
    assert alerts.current is not None and alerts.current.candidate.household_id == son.id
    assert "Omer" in alerts.found_text.text() and "Erbil" in alerts.case_text.text()
    assert "same sex" in alerts.reasons.text() and alerts.portrait.pixmap() is not None
    assert not alerts.portrait.pixmap().isNull()
    with qtbot.waitSignal(alerts.decided) as decided:
        alerts.confirm_btn.click()
    assert decided.args[0].status is CaseStatus.FOUND
    assert seeker.registration_number in alerts.message.text()
    assert alerts.current is None and not alerts.confirm_btn.isEnabled()


def test_dismiss_in_the_review(qtbot, sqlite_ctx) -> None:
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, _son())
        seeker = register_household(uow, ctx.actor, family_of_five())
    form = CaseFormDialog(ctx, seeker)
    qtbot.addWidget(form)
    for edit, text in zip(form.names_ar, ("عمر", "خالد", "حسن", "العبيدي"), strict=True):
        edit.setText(text)  # QTest types ASCII only
    form.sex.setCurrentIndex(form.sex.findData("M"))
    form.age.setValue(18)
    form.save_btn.click()
    alerts = AlertsDialog(ctx)
    qtbot.addWidget(alerts)
    assert len(alerts.alerts) == 1
    qtbot.keyClicks(alerts.note, "the mother saw the photo: not him")
    alerts.dismiss_btn.click()
    assert alerts.alerts == []
    with ctx.db.reader() as uow:
        assert tracing.list_alerts(uow, ctx.actor) == []


def test_case_form_refuses_a_single_name(qtbot, sqlite_ctx) -> None:
    with sqlite_ctx.db.uow() as uow:
        seeker = register_household(uow, sqlite_ctx.actor, family_of_five())
    form = CaseFormDialog(sqlite_ctx, seeker)
    qtbot.addWidget(form)
    qtbot.keyClicks(form.names_lat[0], "Omar")
    form.save_btn.click()
    assert "two names" in form.error.text() and form.result() == 0


def _same_document_member() -> MemberDraft:
    return MemberDraft(NameParts("سلمى", "خالد", "", ""), NameParts("Salma", "Khalid", "", ""), Sex.FEMALE,
                       Relationship.HEAD, age_years=40,
                       documents=(Document(DocumentType.UNIFIED_ID, "199012345678"),))


def test_duplicate_dialog_needs_a_reason_for_the_same_document(qtbot, sqlite_ctx) -> None:
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        first = register_household(uow, ctx.actor, family_of_five())
        save_portrait(uow, ctx.actor, first.members[0].id, jpeg(3, 300, 400))
    member = _same_document_member()
    with ctx.db.reader() as uow:
        found = check_member_duplicates(uow, ctx.actor, member, MOSUL)
    dialog = DuplicateDialog(member, MOSUL, found, lambda iid: jpeg(3, 300, 400))
    qtbot.addWidget(dialog)
    assert first.registration_number in dialog.other_text.text() and "same document" in dialog.other_text.text()
    assert not dialog.portrait.pixmap().isNull()
    assert not dialog.save_btn.isEnabled() and dialog.back_btn.isDefault()
    qtbot.keyClicks(dialog.reason_edit, "card lent to her sister, checked")
    assert dialog.save_btn.isEnabled()
    dialog.save_btn.click()
    assert dialog.choice == DIFFERENT
    draft = HouseholdDraft(members=(member,), origin=MOSUL)
    with ctx.db.uow() as uow:
        saved = register_household(uow, ctx.actor, draft)
        apply_decisions(uow, ctx.actor, saved, dialog.decisions(1))
    with ctx.db.reader() as uow:
        ev = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "duplicate.not_same")).one()
    assert ev.details["reason"] == "card lent to her sister, checked" and ev.details["same_document"] is True


def test_resolve_duplicates_back_and_nothing_to_ask(qtbot, sqlite_ctx, monkeypatch) -> None:
    ctx = sqlite_ctx
    lone = HouseholdDraft(members=(_same_document_member(),), origin=MOSUL)
    assert resolve_duplicates(None, ctx, lone) == []  # empty register: no dialog, nothing to record
    with ctx.db.uow() as uow:
        register_household(uow, ctx.actor, family_of_five())
    shown: list[DuplicateDialog] = []

    def fake_exec(self: DuplicateDialog) -> int:
        shown.append(self)
        self.back_btn.click()
        return int(self.result())

    monkeypatch.setattr(duplicate_dialog.DuplicateDialog, "exec", fake_exec)
    assert resolve_duplicates(None, ctx, lone) is None and len(shown) == 1


def test_a_save_at_the_desk_raises_its_tracing_alert_after_the_commit(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """The desk notes the case with the save and confirms it on a worker (station.services.tracing_deferred):
    the supervisor's alert arrives, and nothing is left noted."""
    from station.db.rows import MetaRow, TracingAlertRow

    ctx = window.ctx
    with ctx.db.uow() as uow:
        seeker = register_household(uow, ctx.actor, family_of_five())
        case = tracing.open_case(uow, ctx.actor, CaseDraft(
            seeker.id, sought_ar=("عمر", "خالد", "حسن", "العبيدي"),
            sought_lat=("Omar", "Khalid", "Hassan", "Al-Obaidi"), sex="M", age_years=17, origin="Mosul, Ninewa"))
    window.new_household()
    window.form.editor.load(_son().members[0])
    assert window.form.commit_member()
    window.form.request_save()
    assert not window.form.dirty  # saved

    def alerted() -> bool:
        with ctx.db.reader() as uow:
            alerts = list(uow.session.scalars(select(TracingAlertRow.case_id)))
            notes = list(uow.session.scalars(select(MetaRow.key).where(MetaRow.key.like("tracing_pending:%"))))
        return alerts == [case.id] and notes == []

    qtbot.waitUntil(alerted, timeout=10_000)

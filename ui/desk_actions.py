"""Menus of the desk window and the dialogs they open (photo, scan, print, export, accounts, audit, lock).

Kept apart from ui/main_window.py so that the window stays the register + form, and each feature's
wiring is found in one place. Every action is enabled by the signed-in role; the core checks it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from station.domain.roles import Permission
from station.errors import StationError
from station.i18n import tr

if TYPE_CHECKING:
    from station.scanning.fill import MemberFields
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)


# Everything a clerk does many times an evening has a key (shown in the menus).
SHORTCUTS = {  # none that a line edit takes for itself on X11 (Ctrl+E is "end of line")
    "distribute": "Ctrl+D", "photo": "Ctrl+T", "scan": "Ctrl+I", "print_card": "Ctrl+P",
    "print_wristbands": "Ctrl+Shift+P", "export": "Ctrl+Shift+E", "sign_out": "Ctrl+Shift+Q",
}


class DeskActions:
    """Builds the menu bar of `window` and opens each feature's dialog."""

    def __init__(self, window: MainWindow) -> None:
        self.w = window
        self.actions: dict[str, tuple[QAction, Permission | None]] = {}
        self.menus: dict[str, QMenu] = {}
        bar = window.menuBar()
        for key, items in (
            ("household", [("print_wristbands", self.print_wristbands, Permission.PRINT_FIRST),
                           ("print_card", self.print_card, Permission.PRINT_FIRST),
                           ("print_sheet", self.print_sheet, Permission.PRINT_FIRST),
                           ("photo", self.photo_for_selected, Permission.PHOTOGRAPH),
                           ("scan", self.scan_document, Permission.SCAN),
                           ("distribute", self.distribute, Permission.DISTRIBUTE),
                           ("mark_departed", self.mark_departed, Permission.MARK_DEPARTED),
                           ("merge_duplicate", self.merge_duplicate, Permission.MERGE_DUPLICATES),
                           ("tracing_request", self.tracing_request, Permission.REGISTER)]),
            ("day", [("export", self.export_day, Permission.EXPORT_PACK),
                     ("report", self.day_report, Permission.SEARCH),
                     ("import", self.import_packs, Permission.IMPORT),
                     ("tracing_cases", self.tracing_cases, Permission.MERGE_DUPLICATES)]),
            ("station", [("accounts", self.accounts, Permission.MANAGE_ACCOUNTS),
                         ("office_key", self.office_key, Permission.MANAGE_SETTINGS),
                         ("station_settings", self.station_settings, Permission.MANAGE_SETTINGS),
                         ("audit", self.audit, Permission.VIEW_AUDIT),
                         ("privacy_mode", self.privacy_mode, None),
                         ("change_passphrase", self.change_passphrase, None),
                         ("sign_out", self.sign_out, None)]),
        ):
            menu = bar.addMenu("")
            self.menus[key] = menu
            for name, slot, permission in items:
                action = QAction(window)
                action.triggered.connect(lambda _c=False, s=slot: self._guarded(s))
                menu.addAction(action)
                self.actions[name] = (action, permission)
        for name, keys in SHORTCUTS.items():
            self.actions[name][0].setShortcut(QKeySequence(keys))
        self.actions["privacy_mode"][0].setCheckable(True)  # blurs every portrait on screen (need to know)
        self.sign_out_requested: Callable[[], None] | None = None
        window.form.photo_requested.connect(lambda iid: self._guarded(lambda: self.photo(iid)))
        window.form.scan_requested.connect(lambda: self._guarded(self.scan_document))
        self._install_wedge_scanner()
        self.refresh_roles()
        self.retranslate()

    def retranslate(self) -> None:
        for key, menu in self.menus.items():
            menu.setTitle(tr(f"ui.menu.{key}"))
        for name, (action, _p) in self.actions.items():
            action.setText(tr(f"ui.menu.{name}"))

    def refresh_roles(self) -> None:
        actor = self.w.ctx.actor
        for action, permission in self.actions.values():
            action.setVisible(permission is None or actor.can(permission))
        from station.services.views import sees_protection

        self.w.form.set_need_to_know(sees_protection(actor))

    def _guarded(self, slot: Callable[[], Any]) -> None:
        try:
            slot()
        except StationError as exc:
            self.w.show_error(exc.message())

    # household -----------------------------------------------------------------------------------
    def _saved_household_id(self) -> str | None:
        view = self.w.form.view
        if view is None or self.w.form.dirty:
            self.w.show_error(tr("ui.error.save_first"))
            return None
        return view.id

    def _print(self, kind: str) -> None:
        from ui.printing.dialog import PrintDialog

        hid = self._saved_household_id()
        if hid is None:
            return
        dialog = PrintDialog(self.w.ctx.db, self.w.ctx.actor, hid, kind=kind, parent=self.w)
        dialog.printed.connect(self._on_printed)
        dialog.exec()
        self.w.reload_current()  # a printed card moves the household to a new version

    def _on_printed(self, kind: str, ref: str) -> None:
        key = "ui.status.saved_pdf" if ref == "pdf" else "ui.status.printed"
        self.w.statusBar().showMessage(tr(key, kind=tr(f"printing.kind.{kind}")), 8000)

    def print_wristbands(self) -> None:
        self._print("wristband")

    def print_card(self) -> None:
        self._print("card")

    def print_sheet(self) -> None:
        self._print("sheet")

    def photo_for_selected(self) -> None:
        form = self.w.form
        row = form.editing if form.editing is not None else form.table.currentRow()
        if row < 0 and len(form.members) == 1:
            row = 0  # one person: no need to pick
        if self._saved_household_id() is None:
            return
        if not 0 <= row < len(form.members) or not form.members[row].id:
            self.w.show_error(tr("ui.error.pick_member"))
            return
        self.photo(form.members[row].id or "")

    def photo(self, individual_id: str) -> None:
        from station.services.photos import save_portrait
        from ui.camera.dialog import CameraDialog

        if self._saved_household_id() is None:
            return
        dialog = CameraDialog(self.w, home=self.w.ctx.home)

        def store(jpeg: bytes, quality: dict[str, Any], reason: str) -> None:
            try:
                with self.w.ctx.db.uow() as uow:
                    save_portrait(uow, self.w.ctx.actor, individual_id, jpeg, quality, reason or None)
            except StationError as exc:
                self.w.show_error(exc.message())
                return
            self.w.statusBar().showMessage(tr("ui.status.photo_saved"), 6000)
            self.w.reload_current()

        dialog.portrait_accepted.connect(store)
        dialog.exec()

    def scan_document(self) -> None:
        from ui.scanning.dialog import IdScanDialog

        dialog = IdScanDialog(self.w)
        dialog.fields_accepted.connect(self.fill_member_from_document)
        dialog.household_requested.connect(self.open_code)
        dialog.exec()

    def fill_member_from_document(self, fields: MemberFields) -> None:
        """Put what the document says into the member editor, each field marked with its source and check."""
        from station.scanning.fill import Check, member_from_document

        ed = self.w.form.editor
        member, _problems = ed.draft()
        filled, sources = member_from_document(member, fields)
        ed.load(replace(filled, field_sources=sources))
        self.w.form.dirty = True
        failed = sum(1 for fv in fields.values.values() if fv.check is Check.FAILED)
        self._record_scan(kind="document", fmt="mrz", valid=fields.valid, failed_checks=failed)

    def _record_scan(self, **details: Any) -> None:
        from station.services.scans import record_scan

        with self.w.ctx.db.uow() as uow:
            record_scan(uow, self.w.ctx.actor, **details)

    # station codes from the hand-held scanner -------------------------------------------------------
    def _install_wedge_scanner(self) -> None:
        from ui.scanning.wedge import WedgeScannerFilter

        self.wedge = WedgeScannerFilter(self.w)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.wedge)
        self.wedge.code_scanned.connect(lambda text: self._guarded(lambda: self.open_code(text)))

    def open_code(self, text: str) -> None:
        """A scanned wristband, ration card or registration number opens that household."""
        from station.scanning.station_codes import CodeKind, classify_code
        from station.services.printing import verify_card_payload
        from station.services.registration import find_by_regno

        if self.w.is_locked():
            return
        text = text.strip()
        card = text.upper().startswith("RS1:")
        card_ok = False
        if card:
            with self.w.ctx.db.reader() as uow:
                check = verify_card_payload(uow, text)
            card_ok = check.valid
            message = tr(check.reason, current=check.current_issue)
            if not check.regno or check.reason == "printing.check.mac":
                self.w.show_error(message)
                return
            if not check.valid:  # superseded or closed: still opened, so the clerk can act on it
                QMessageBox.warning(self.w, tr("ui.error.title"), message)
            regno = check.regno
        else:
            match = classify_code(text)
            if match.kind is CodeKind.BAD_REGNO:
                raise StationError("error.regno.check")
            if match.regno is None:
                self.w.statusBar().showMessage(tr("ui.status.code_not_ours"), 6000)
                return
            regno = str(match.regno)
        with self.w.ctx.db.reader() as uow:
            view = find_by_regno(uow, self.w.ctx.actor, regno)
        self._record_scan(kind="code", fmt="station_card" if card else "regno", valid=True, household_id=view.id)
        self.w.open_household(view.id)
        if card_ok and self.w.ctx.actor.can(Permission.DISTRIBUTE):
            self.w.statusBar().showMessage(tr("ui.status.card_ok_handout"), 10000)  # the usual next step

    def distribute(self) -> None:
        """Record relief items handed to the open household (a scanned ration card opens it first)."""
        from ui.distribution.dialog import DistributionDialog

        if self._saved_household_id() is None or self.w.form.view is None:
            return
        dialog = DistributionDialog(self.w.ctx, self.w.form.view, self.w)

        def done(round_no: int | None) -> None:
            text = tr("ui.status.handout_round", round=round_no) if round_no else tr("ui.status.handout")
            self.w.statusBar().showMessage(text, 10000)

        dialog.recorded.connect(done)
        dialog.exec()

    def mark_departed(self) -> None:
        """Close the open household because it left the site (supervisors); its cards stop drawing rations."""
        from PySide6.QtWidgets import QInputDialog

        from station.domain.codes import HouseholdStatus
        from station.services.registration import set_status

        hid = self._saved_household_id()
        view = self.w.form.view
        if hid is None or view is None:
            return
        # The same action brings a departed household back (people return to a site).
        back = view.status is HouseholdStatus.DEPARTED
        target = HouseholdStatus.ACTIVE if back else HouseholdStatus.DEPARTED
        prompt = tr("ui.departed.back_reason" if back else "ui.departed.reason")
        reason, ok = QInputDialog.getText(self.w, tr("ui.menu.mark_departed"), prompt)
        if not ok:
            return
        with self.w.ctx.db.uow() as uow:
            set_status(uow, self.w.ctx.actor, hid, target, reason)
        self.w.reload_current()
        self.w.refresh_register()

    def merge_duplicate(self) -> None:
        """Close the open household as a duplicate of another one (supervisors)."""
        from PySide6.QtWidgets import QInputDialog

        from station.services.duplicates import merge_duplicate
        from station.services.registration import find_by_regno

        dup_id = self._saved_household_id()
        if dup_id is None:
            return
        number, ok = QInputDialog.getText(self.w, tr("ui.menu.merge_duplicate"), tr("ui.merge.kept_number"))
        if not ok or not number.strip():
            return
        reason, ok = QInputDialog.getText(self.w, tr("ui.menu.merge_duplicate"), tr("ui.merge.reason"))
        if not ok:
            return
        with self.w.ctx.db.uow() as uow:
            kept = find_by_regno(uow, self.w.ctx.actor, number)
            merge_duplicate(uow, self.w.ctx.actor, kept.id, dup_id, reason)
        self.w.reload_current()
        self.w.refresh_register()

    # day -----------------------------------------------------------------------------------------
    def tracing_request(self) -> None:
        """Someone in the open household is looking for a relative: open a tracing case."""
        from ui.tracing.case_form import CaseFormDialog

        if self._saved_household_id() is None or self.w.form.view is None:
            return
        CaseFormDialog(self.w.ctx, self.w.form.view, self.w).exec()

    def tracing_cases(self) -> None:
        """Supervisors: the open cases and the possible matches waiting for a decision."""
        from ui.tracing.cases_view import CasesDialog

        CasesDialog(self.w.ctx, self.w).exec()

    def export_day(self) -> None:
        from ui.export.dialog import ExportDialog

        ExportDialog(self.w.ctx, self.w).exec()

    def day_report(self) -> None:
        from ui.export.import_dialog import ReportDialog

        ReportDialog(self.w.ctx, self.w).exec()

    def import_packs(self) -> None:
        from ui.export.import_dialog import ImportDialog

        dialog = ImportDialog(self.w.ctx, self.w)
        dialog.imports_finished.connect(lambda _r: self.w.refresh_register())
        dialog.exec()

    # station -------------------------------------------------------------------------------------
    def accounts(self) -> None:
        from ui.accounts.accounts_dialog import AccountsDialog

        AccountsDialog(self.w.ctx, self.w).exec()

    def office_key(self) -> None:
        from ui.export.office_key import choose_and_install

        choose_and_install(self.w.ctx, self.w)

    def privacy_mode(self) -> None:
        from ui.widgets.portrait import set_privacy_mode

        set_privacy_mode(self.actions["privacy_mode"][0].isChecked())

    def station_settings(self) -> None:
        from ui.admin.station_settings import StationSettingsDialog

        StationSettingsDialog(self.w.ctx, self.w).exec()

    def audit(self) -> None:
        from ui.audit.dialog import AuditDialog

        AuditDialog(self.w.ctx, self.w).exec()

    def change_passphrase(self) -> None:
        from ui.accounts.passphrase_dialogs import ChangeOwnPassphraseDialog

        ChangeOwnPassphraseDialog(self.w.ctx, self.w).exec()

    def sign_out(self) -> None:
        if self.w.form.dirty and not self.w.confirm_discard():
            return
        if self.sign_out_requested is not None:
            self.sign_out_requested()

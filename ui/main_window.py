"""The desk window: the register on one side, the household form on the other. Thin: calls the core."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QToolBar,
    QWidget,
)
from sqlalchemy.exc import OperationalError

from station import clock, i18n
from station.domain.model import HouseholdDraft, HouseholdSummary
from station.domain.validation import ValidationFailed, validate_household
from station.errors import StationError
from station.i18n import tr
from station.services.register_rows import day_register, household_summary
from station.services.registration import correct_household, get_household, register_household
from station.services.search import search_page
from station.services.station import StationContext
from station.services.tracing_deferred import confirm_pending, defer_confirmation
from ui.records.register_view import RegisterView
from ui.registration.household_form import HouseholdForm
from ui.tasks import run_off_thread

log = logging.getLogger(__name__)

DAY_FIRST_PAGE = 100  # a day's list: rows read and painted first (more than a screen holds); the rest follows
# rows; how many match in all (a search's first page) and whether that count stopped at its cap
_Read = tuple[list[HouseholdSummary], int | None, bool]


def storage_error_key(exc: BaseException) -> str:
    text = str(exc).lower()
    return "error.disk_full" if "full" in text or "disk i/o" in text else "error.storage_failed"


class MainWindow(QMainWindow):
    language_changed = Signal(str)
    lock_requested = Signal()
    household_saved = Signal(object)  # HouseholdView

    def __init__(self, ctx: StationContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.register = RegisterView(self)
        self.form = HouseholdForm(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.register)
        scroll = QScrollArea(self)  # small laptop screens (1366x768) scroll the form, never clip it
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        split.addWidget(scroll)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([420, 946])  # 1366 px: the register's columns, and the whole form without scrolling
        self.setCentralWidget(split)
        self._build_toolbar()
        self.statusBar().setSizeGripEnabled(False)  # there from the start, so "Saved as ..." never resizes the form
        from ui.index_status import IndexStatus

        # the search index rebuilt in the background after an update (issue 18): its progress, then hidden
        self.index_status = IndexStatus(getattr(ctx, "catch_up", None), self)
        self.statusBar().addPermanentWidget(self.index_status)
        # The register is read off the GUI thread, latest wins (refresh_register): one worker, so a refresh
        # asked for while another runs waits for it, and one that is no longer the newest is skipped.
        self._register_pool = QThreadPool(self)
        self._register_pool.setMaxThreadCount(1)
        self._register_seq = 0  # the newest refresh asked for
        self._register_shown = 0  # the newest refresh that came back (shown, or its error told)
        self._register_open_single = False  # Return in the search: open the household if it is the only one
        # A save notes the tracing cases its people may match; they are confirmed against the whole register
        # here, after the commit (station.services.tracing_deferred), one at a time, and waited for at close.
        self._tracing_pool = QThreadPool(self)
        self._tracing_pool.setMaxThreadCount(1)
        self.register.search_changed.connect(self._on_register_search_changed)
        self.register.search_submitted.connect(self._on_register_search_submitted)
        self.register.day_changed.connect(lambda _d: self.refresh_register())
        self.register.open_requested.connect(self.open_household)
        self.form.save_requested.connect(self._on_form_save_requested)
        from ui.registration.precheck import MemberPrecheck

        self.precheck = MemberPrecheck(ctx, self)  # each member checked for duplicates as it is added
        self.form.members_changed.connect(self.precheck.members_changed)
        self.form.portrait_loader = self.load_portrait
        self.register.selected.connect(self._on_register_selected)
        self.index_status.finished.connect(self.refresh_register)  # every household in the index now
        from ui.desk_actions import DeskActions

        self.desk_actions = DeskActions(self)
        self._setup_lock()
        self.retranslate()
        self.refresh_register()
        self.confirm_tracing()  # what a save noted before a crash is confirmed now
        self.resize(1360, 760)

    def _setup_lock(self) -> None:
        from ui.lock.idle import IdleWatcher
        from ui.lock.overlay import LockOverlay

        self.overlay = LockOverlay(self, self.ctx)
        self.idle = IdleWatcher.from_settings(self.ctx.settings, self)
        self.idle.idle.connect(lambda: self.overlay.lock("idle"))
        self.lock_action.triggered.connect(lambda: self.overlay.lock("shortcut"))
        self.overlay.unlocked.connect(self._on_overlay_unlocked)
        self.idle.start()

    def _on_overlay_unlocked(self, _actor: object) -> None:
        self.desk_actions.refresh_roles()
        self.retranslate()
        self.idle.start()

    def open_erase(self) -> None:
        """Emergency erase from the desk: keys, then files; the window closes once the station is gone."""
        from PySide6.QtWidgets import QApplication, QMessageBox

        from ui.erase.widget import EraseDialog

        dialog = EraseDialog(self.ctx.home, (self.ctx,), parent=self)
        if dialog.exec() and self.ctx.db_key is None:
            self.form.dirty = False
            QMessageBox.information(self, tr("erase.ui.title"), tr("erase.ui.done"))
            QApplication.exit(0)

    def is_locked(self) -> bool:
        return self.overlay.is_locked()

    def _build_toolbar(self) -> None:
        bar = QToolBar(self)
        bar.setMovable(False)
        self.addToolBar(bar)
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_household)
        self.find_action = QAction(self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self._on_find_triggered)
        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock_requested)
        self.erase_action = QAction(self)  # emergency erase (issue 15), behind its own confirmation
        self.erase_action.triggered.connect(self.open_erase)
        for a in (self.new_action, self.find_action, self.lock_action):
            bar.addAction(a)
        spacer = QWidget(self)
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding,
                             spacer.sizePolicy().verticalPolicy().Preferred)
        bar.addWidget(spacer)
        self.user_label = QLabel(self)
        bar.addWidget(self.user_label)
        self.language = QComboBox(self)
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(i18n.current_language()))
        self.language.currentIndexChanged.connect(
            lambda _i: self.language_changed.emit(self.language.currentData()))
        bar.addWidget(self.language)
        bar.addAction(self.erase_action)

    def retranslate(self) -> None:
        # The title names the station and the clerk, never a beneficiary.
        self.setWindowTitle(tr("ui.window_title", station=self.ctx.station_code))
        self.new_action.setText(tr("ui.action.new_household"))
        self.find_action.setText(tr("ui.action.find"))
        self.lock_action.setText(tr("ui.action.lock"))
        self.erase_action.setText(tr("erase.ui.open"))
        self.user_label.setText(tr("ui.signed_in_as", user=self.ctx.actor.username,
                                   role=tr(f"code.role.{self.ctx.actor.role.value}")))
        self.register.retranslate()
        self.form.retranslate()
        if hasattr(self, "index_status"):
            self.index_status.refresh()
        if hasattr(self, "desk_actions"):
            self.desk_actions.retranslate()
        if hasattr(self, "overlay") and hasattr(self.overlay, "retranslate"):
            self.overlay.retranslate()

    # register ------------------------------------------------------------------------------------
    def refresh_register(self, *, open_single: bool = False) -> None:
        """Read the register again off the GUI thread: the first page for the search text, else the day's list.

        Latest wins: each refresh has a number, and a result (or an error) of any but the newest is dropped,
        so the typing and the list never wait on a search. A day's list comes in two reads: a first page
        (more than a screen holds) painted at once, then the whole day added below it. `open_single`: open
        the household when the result holds exactly one (Return in the search box).
        """
        self._register_seq += 1
        seq = self._register_seq
        self._register_open_single = open_single
        text = self.register.search.text().strip()
        day = self.register.selected_day()
        ctx = self.ctx

        def read() -> _Read | None:
            if seq != self._register_seq:
                return None  # a newer refresh was asked for while this one waited: skip the work
            with ctx.db.reader() as uow:  # a unit of work of its own, on the worker (as exports and prints)
                if text:  # the first page, and how many match in all ("200 of 1,340 shown")
                    page = search_page(uow, ctx.actor, text)
                    return page.rows, page.total, page.capped
                return day_register(uow, ctx.actor, day, limit=DAY_FIRST_PAGE), None, False

        self._read_register(seq, read, lambda result: self._on_register_read(seq, text, day, result))

    def _read_register(self, seq: int, read: Callable[[], _Read | None], done: Callable[[_Read | None], None]) -> None:
        # no "save failed" fallback: this is a read, and an unexpected failure is reported as one (fault.unexpected)
        run_off_thread(read, done, lambda error: self._on_register_failed(seq, error), self, self._register_pool,
                       fallback=None)

    def register_settled(self) -> bool:
        """The register shows the whole outcome of the newest refresh asked for (tests wait on it)."""
        return self._register_shown == self._register_seq

    def _on_register_read(self, seq: int, text: str, day: date, result: _Read | None) -> None:
        if seq != self._register_seq or result is None:
            return  # an older refresh: a newer one is on its way
        rows, total, capped = result
        more_coming = not text and len(rows) >= DAY_FIRST_PAGE
        self.show_register_rows(rows, searching=bool(text), total=total, more_coming=more_coming, capped=capped)
        if more_coming:
            ctx = self.ctx

            def read_day() -> _Read | None:
                if seq != self._register_seq:
                    return None
                with ctx.db.reader() as uow:
                    return day_register(uow, ctx.actor, day), None, False

            self.register.after_next_paint(lambda: self._read_register(  # the first rows painted first
                seq, read_day, lambda whole: self._on_register_day_read(seq, whole)))
            return
        self._register_shown = seq
        if self._register_open_single and len(rows) == 1:
            self._register_open_single = False
            self.register.open_requested.emit(rows[0].id)

    def _on_register_day_read(self, seq: int, result: _Read | None) -> None:
        if seq != self._register_seq or result is None:
            return
        self._register_shown = seq
        self.register.extend_rows(result[0])

    def _on_register_failed(self, seq: int, error: StationError) -> None:
        if seq != self._register_seq:
            return
        self._register_shown = seq
        self.show_error(error.message())

    def show_register_rows(self, rows: list[HouseholdSummary], searching: bool, total: int | None,
                           more_coming: bool = False, capped: bool = False) -> None:
        """Fill the register with the newest refresh's rows (on the GUI thread)."""
        self.register.set_rows(rows, searching=searching, total=total, more_coming=more_coming, capped=capped)

    def _on_register_search_changed(self, _text: str) -> None:
        self.refresh_register()

    def _on_register_search_submitted(self, _text: str) -> None:
        self.refresh_register(open_single=True)

    def _on_find_triggered(self) -> None:
        self.register.search.setFocus()
        self.register.search.selectAll()

    def open_household(self, household_id: str) -> None:
        if self.form.dirty and not self.confirm_discard():
            return
        try:
            with self.ctx.db.reader() as uow:
                view = get_household(uow, self.ctx.actor, household_id)
        except StationError as exc:
            self.show_error(exc.message())
            return
        self.form.load(view)

    def reload_current(self) -> None:
        """Read the open household again (after a photo or a print changed it)."""
        view = self.form.view
        if view is not None and not self.form.dirty:
            self.open_household(view.id)

    def load_portrait(self, individual_id: str) -> bytes | None:
        from station.services.photos import load_portrait

        try:
            with self.ctx.db.reader() as uow:
                return load_portrait(uow, self.ctx.actor, individual_id)
        except StationError:
            return None

    def _on_register_selected(self, household_id: str) -> None:
        from station.services.photos import head_portrait

        try:
            with self.ctx.db.reader() as uow:
                jpeg = head_portrait(uow, self.ctx.actor, household_id)
        except StationError:
            jpeg = None
        self.register.show_portrait(jpeg)

    def new_household(self) -> None:
        if self.form.dirty and not self.confirm_discard():
            return
        self.form.new_household()

    def confirm_discard(self) -> bool:
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        answer = QMessageBox.question(self, tr("ui.confirm.title"), tr("ui.confirm.discard"), yes | no, no)
        return answer == yes  # Enter keeps the work: throwing typing away takes a deliberate "Yes"

    # saving --------------------------------------------------------------------------------------
    def _on_form_save_requested(self, draft: HouseholdDraft) -> None:
        from station.services.duplicates import apply_decisions
        from ui.registration.duplicate_dialog import resolve_duplicates

        # Likely earlier registrations of the same people (same document first) are shown before saving: the
        # clerk goes back, links them, or saves anyway with a reason. Only a draft that would save is checked.
        # members checked as typed, and those unchanged since the household was loaded, are not checked again
        decisions = [] if validate_household(draft, clock.local_today()) else resolve_duplicates(
            self, self.ctx, draft, self.precheck.results, saved=self.form.loaded_draft())
        if decisions is None:
            return  # back to the form, nothing saved
        try:
            with self.ctx.db.uow() as uow:
                defer_confirmation(uow)  # the register-wide tracing check runs after the commit (confirm_tracing)
                if draft.id is None:
                    view = register_household(uow, self.ctx.actor, draft)
                else:
                    view = correct_household(uow, self.ctx.actor, draft)
                apply_decisions(uow, self.ctx.actor, view, decisions)
                row_summary = household_summary(uow, self.ctx.actor, view.id)
        except ValidationFailed as exc:
            self.form.show_problems(exc.problems)
            self.statusBar().showMessage(tr("ui.status.fix_problems"), 6000)
            return
        except StationError as exc:
            self.show_error(exc.message())
            return
        except OperationalError as exc:  # disk full, I/O error: the form keeps everything typed
            log.error("save failed: %s", type(exc.orig).__name__)
            self.show_error(tr(storage_error_key(exc)))
            return
        self.precheck.saved()  # the household just saved may be the next member's earlier registration
        self.confirm_tracing()
        self.form.show_saved(view)
        if not self.register.search.text().strip() and view.arrived_at.date() == self.register.selected_day():
            self.register.model.upsert(row_summary)
            self.register.update_count()
        if not self.register_settled():
            self.refresh_register()  # the list being read may predate this save: read it again (latest wins)
        self.statusBar().showMessage(tr("ui.status.saved", number=view.registration_number), 8000)
        self.household_saved.emit(view)

    def confirm_tracing(self) -> None:
        """Confirm the tracing cases saves have noted, off the GUI thread; a failure is told in the status
        bar, and the notes stay for the next try (the next save, or the next desk opened)."""
        run_off_thread(lambda: confirm_pending(self.ctx.db), lambda _raised: None,
                       lambda error: self.statusBar().showMessage(error.message(), 8000), self, self._tracing_pool,
                       fallback=None)  # the save itself went through: an unexpected failure is not "the save failed"

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, tr("ui.error.title"), message)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.form.dirty and not self.confirm_discard():
            event.ignore()
            return
        self.idle.stop()  # a closed desk never locks itself later over records that are closed by then
        self._register_seq += 1  # a register read still running is dropped, and waited for: the records
        self._register_pool.waitForDone()  # close after this window (sign-out), with no read still open
        self._tracing_pool.waitForDone()
        event.accept()

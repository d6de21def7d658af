"""First-run set-up dialog: who this station is, the administrator account, then the recovery code."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from station import i18n
from station.errors import StationError
from station.i18n import current_language, tr
from station.services.station import StationContext, initialize
from ui.tasks import TaskRunner


class SetupWizard(QDialog):
    finished_setup = Signal(object)  # StationContext
    language_chosen = Signal(str)

    def __init__(self, home: Path, runner: TaskRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.home = home
        self.runner = runner or TaskRunner()
        self.ctx: StationContext | None = None
        self.code = ""
        self._continued = False
        self.pages = QStackedWidget(self)
        self._build_form_page()
        self._build_code_page()
        box = QVBoxLayout(self)
        box.addWidget(self.pages)
        self.retranslate()
        self.resize(620, 460)

    def _build_form_page(self) -> None:
        page = QWidget(self)
        self.intro = QLabel(page)
        self.intro.setWordWrap(True)
        self.language = QComboBox(page)
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(i18n.current_language()))
        self.language.currentIndexChanged.connect(lambda _i: self.language_chosen.emit(self.language.currentData()))
        self.site = QLineEdit(page)
        self.site.setMaxLength(5)
        self.site.setPlaceholderText("MKH")
        self.station = QSpinBox(page)
        self.station.setRange(1, 99)
        self.admin = QLineEdit(page)
        self.admin.setPlaceholderText("admin")
        self.passphrase = QLineEdit(page)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(page)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        # The office public key (office.pub from the office's stick): optional here, needed before the first export.
        self.office_key = QLineEdit(page)
        self.office_key.setObjectName("officeKey")
        self.office_key_btn = QPushButton(page)
        self.office_key_btn.clicked.connect(self._on_office_key_browse)
        key_row = QHBoxLayout()
        key_row.addWidget(self.office_key, 1)
        key_row.addWidget(self.office_key_btn)
        self.error = QLabel(page)
        self.error.setStyleSheet("color:#b00020;")
        self.error.setWordWrap(True)
        self.busy = QProgressBar(page)
        self.busy.setRange(0, 0)
        self.busy.hide()
        self.create_btn = QPushButton(page)
        self.create_btn.setDefault(True)
        self.create_btn.clicked.connect(self.create_station)
        self.form = QFormLayout()
        self.form_labels = [QLabel(page) for _ in range(6)]
        for label, w in zip(self.form_labels, (self.language, self.site, self.station, self.admin, self.passphrase,
                                               self.confirm), strict=True):
            label.setBuddy(w)
            self.form.addRow(label, w)
        self.office_key_label = QLabel(page)
        self.office_key_label.setBuddy(self.office_key)
        self.form.addRow(self.office_key_label, key_row)
        v = QVBoxLayout(page)
        v.addWidget(self.intro)
        v.addLayout(self.form)
        v.addWidget(self.error)
        v.addWidget(self.busy)
        v.addStretch(1)
        v.addWidget(self.create_btn, alignment=Qt.AlignmentFlag.AlignRight)
        self.pages.addWidget(page)
        for a, b in ((self.site, self.station), (self.station, self.admin), (self.admin, self.passphrase),
                     (self.passphrase, self.confirm), (self.confirm, self.office_key),
                     (self.office_key, self.office_key_btn), (self.office_key_btn, self.create_btn),
                     (self.create_btn, self.language)):
            QWidget.setTabOrder(a, b)
        self.site.setFocus()  # the language is chosen by a click; the keyboard starts with the site code

    def _build_code_page(self) -> None:
        page = QWidget(self)
        self.code_intro = QLabel(page)
        self.code_intro.setWordWrap(True)
        self.code_label = QLabel(page)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(16)
        self.code_label.setFont(mono)
        self.code_label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.warning = QLabel(page)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color:#8a1c00; font-weight:bold;")
        self.sheet_btn = QPushButton(page)
        self.sheet_btn.clicked.connect(self.save_sheet)
        self.print_sheet_btn = QPushButton(page)
        self.print_sheet_btn.clicked.connect(self.print_sheet)
        self.sheet_status = QLabel(page)
        self.key_status = QLabel(page)
        self.key_status.setWordWrap(True)
        self.kept = QCheckBox(page)
        self.continue_btn = QPushButton(page)
        self.continue_btn.setEnabled(False)
        self.kept.toggled.connect(self.continue_btn.setEnabled)
        self.kept.toggled.connect(self.continue_btn.setDefault)  # ticked, Enter continues
        self.continue_btn.clicked.connect(self._on_continue_clicked)
        v = QVBoxLayout(page)
        v.addWidget(self.code_intro)
        v.addWidget(self.code_label)
        v.addWidget(self.warning)
        row = QHBoxLayout()
        row.addWidget(self.print_sheet_btn)
        row.addWidget(self.sheet_btn)
        row.addWidget(self.sheet_status, 1)
        v.addLayout(row)
        v.addWidget(self.key_status)
        v.addStretch(1)
        v.addWidget(self.kept)
        v.addWidget(self.continue_btn, alignment=Qt.AlignmentFlag.AlignRight)
        self.pages.addWidget(page)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("ui.setup.title"))
        self.intro.setText(tr("ui.setup.intro"))
        for label, key in zip(self.form_labels, ("language", "site", "station", "admin", "passphrase", "confirm"),
                              strict=True):
            label.setText(tr(f"ui.setup.{key}"))
        self.create_btn.setText(tr("ui.setup.create"))
        self.office_key_label.setText(tr("ui.setup.office_key"))
        self.office_key.setPlaceholderText(tr("ui.setup.office_key_hint"))
        self.office_key_btn.setText(tr("ui.setup.browse"))
        self.code_intro.setText(tr("ui.setup.code_intro"))
        self.warning.setText(tr("cli.recovery_warning"))
        self.sheet_btn.setText(tr("ui.setup.save_sheet"))
        self.print_sheet_btn.setText(tr("ui.setup.print_sheet"))
        self.kept.setText(tr("ui.setup.kept"))
        self.continue_btn.setText(tr("ui.setup.continue"))

    def create_station(self) -> None:
        if self.passphrase.text() != self.confirm.text():
            self.error.setText(tr("ui.setup.mismatch"))
            return
        self.error.clear()
        self.create_btn.setEnabled(False)
        self.busy.show()
        args = {"site_code": self.site.text(), "station_number": self.station.value(),
                "admin_username": self.admin.text(), "admin_passphrase": self.passphrase.text(),
                "language": self.language.currentData(), "home": self.home}
        self.runner.submit(lambda _p: initialize(**args), self._on_created, self._on_failed)

    def _on_created(self, result: tuple[StationContext, str]) -> None:
        self.busy.hide()
        self.ctx, self.code = result
        self.passphrase.clear()
        self.confirm.clear()
        self.code_label.setText(self.code)
        self._install_office_key()
        self.pages.setCurrentIndex(1)
        self.setWindowTitle(tr("ui.setup.code_title"))
        self.kept.setFocus()

    def _on_office_key_browse(self) -> None:
        from ui.export.office_key import start_folder

        path, _ = QFileDialog.getOpenFileName(self, tr("export.ui.office_key_title"), start_folder(),
                                              tr("export.ui.office_key_filter") + " (*.pub *.pem *.txt);;* (*)")
        if path:
            self.office_key.setText(path)

    def _install_office_key(self) -> None:
        """Install the chosen office key with the new administrator's rights; a bad file never undoes the set-up."""
        from ui.export.office_key import install_from

        path = self.office_key.text().strip()
        if not path or self.ctx is None:
            self.key_status.setText(tr("ui.setup.office_key_later"))
            return
        try:
            fingerprint = install_from(self.ctx, Path(path))
        except StationError as exc:
            self.key_status.setText(exc.message() + " " + tr("ui.setup.office_key_later"))
            return
        self.key_status.setText(tr("export.ui.office_key_installed", fingerprint=fingerprint))

    def _on_failed(self, exc: BaseException) -> None:
        self.busy.hide()
        self.create_btn.setEnabled(True)
        self.error.setText(exc.message() if isinstance(exc, StationError) else tr("error.storage_failed"))

    def save_sheet(self) -> None:
        from ui.export.office_key import start_folder  # a stick to lock away, never the program folder

        path, _ = QFileDialog.getSaveFileName(self, tr("ui.setup.save_sheet"),
                                              str(Path(start_folder()) / "recovery-sheet.pdf"), "PDF (*.pdf)")
        if not path or self.ctx is None:
            return
        try:
            from station.printing.recovery_sheet import render_recovery_sheet

            render_recovery_sheet(self.code, self.ctx.station_code, Path(path), lang=current_language())
        except (ImportError, OSError):
            self.sheet_status.setText(tr("ui.setup.sheet_failed"))
            return
        self.sheet_status.setText(tr("ui.setup.sheet_saved"))

    def print_sheet(self) -> None:
        """Print the sheet on the default printer, straight from memory (no file anywhere)."""
        from station.printing import spool
        from station.printing.recovery_sheet import recovery_sheet_pdf

        if self.ctx is None:
            return
        printers = [p for p in spool.list_printers() if p.enabled and p.accepting]
        if not printers:
            self.sheet_status.setText(tr("printing.dialog.no_printers"))
            return
        printer = next((p for p in printers if p.is_default), printers[0])
        pdf = recovery_sheet_pdf(self.code, self.ctx.station_code, lang=current_language())
        self.sheet_status.setText(tr("printing.dialog.sending"))
        self.runner.submit(lambda _p: spool.send(pdf, printer.name, "recovery", (210.0, 297.0)),
                           lambda _r: self.sheet_status.setText(tr("ui.setup.sheet_printed", printer=printer.name)),
                           lambda exc: self.sheet_status.setText(exc.message()))

    def reject(self) -> None:
        """Escape on the code page must not skip "I have the code on paper": the station exists already."""
        if self.pages.currentIndex() == 1 and not self._continued:
            if self.kept.isChecked():
                self._on_continue_clicked()
            return
        super().reject()

    def _on_continue_clicked(self) -> None:
        if self._continued:
            return
        self._continued = True  # before the signal: the desk that opens closes this dialog
        self.code = ""
        self.code_label.clear()
        self.finished_setup.emit(self.ctx)
        self.accept()

"""Station settings dialog (administrators): how long acknowledged households stay, the office's
acknowledgements, purge; the duress passphrase. Every change goes through station.services, off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from station.domain.roles import Permission
from station.errors import StationError
from station.i18n import tn, tr
from station.security.keyring import DURESS_ENTRY, Keyring
from station.services import duress, retention
from station.services.authz import require
from ui.tasks import run_off_thread
from ui.widgets.field import secret_field

PURGE_WORD = "PURGE"



class StationSettingsDialog(QDialog):
    """Open with an administrator's StationContext."""

    def __init__(self, ctx: Any, parent: QWidget | None = None, pool: QThreadPool | None = None) -> None:
        require(ctx.actor, Permission.MANAGE_SETTINGS)  # before any window is made: a clerk gets none
        super().__init__(parent)
        self._ctx, self._pool = ctx, pool
        self.setWindowTitle(tr("ui.settings.title"))
        self.setMinimumWidth(520)
        # retention
        self.retention_box = QGroupBox(tr("ui.settings.retention"), self)
        self.retention_state = QLabel(self.retention_box)
        self.retention_state.setWordWrap(True)
        self.never = QCheckBox(tr("ui.settings.never"), self.retention_box)
        self.days = QSpinBox(self.retention_box)
        self.days.setRange(0, retention.MAX_KEEP_DAYS)
        self.days.setSuffix(" " + tr("ui.settings.days_suffix"))
        self.never.toggled.connect(lambda on: self.days.setEnabled(not on))
        self.buttons: dict[str, QPushButton] = {}
        for key, slot in (("save_days", self._on_save_days_clicked), ("acks", self._on_acks_clicked),
                          ("purge", self._on_purge_clicked), ("set_duress", self._on_set_duress_clicked),
                          ("clear_duress", self._on_clear_duress_clicked)):
            b = QPushButton(tr(f"ui.settings.{key}"), self)
            b.clicked.connect(slot)
            self.buttons[key] = b
        form = QFormLayout()
        form.addRow(self.never)
        form.addRow(tr("ui.settings.keep_for"), self.days)
        row = QHBoxLayout()
        for key in ("save_days", "acks", "purge"):
            row.addWidget(self.buttons[key])
        rbox = QVBoxLayout(self.retention_box)
        rbox.addWidget(self.retention_state)
        rbox.addLayout(form)
        rbox.addLayout(row)
        # duress
        self.duress_box = QGroupBox(tr("ui.settings.duress"), self)
        self.duress_state = QLabel(self.duress_box)
        self.duress_state.setWordWrap(True)
        self.duress1, self.duress2 = secret_field(self, "duress1"), secret_field(self, "duress2")
        dform = QFormLayout()
        dform.addRow(tr("ui.settings.duress_new"), self.duress1)
        dform.addRow(tr("ui.settings.duress_repeat"), self.duress2)
        drow = QHBoxLayout()
        drow.addWidget(self.buttons["set_duress"])
        drow.addWidget(self.buttons["clear_duress"])
        dbox = QVBoxLayout(self.duress_box)
        dbox.addWidget(self.duress_state)
        dbox.addLayout(dform)
        dbox.addLayout(drow)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.retention_box)
        box.addWidget(self.duress_box)
        box.addWidget(self.message)
        box.addWidget(close)
        # Hooks the tests replace (modal prompts cannot be answered offscreen).
        self.choose_folder: Callable[[], Path | None] = self._ask_folder
        self.confirm_purge: Callable[[], str | None] = self._ask_word
        self.busy = False
        self.refresh()

    # state ---------------------------------------------------------------------------------------
    def refresh(self) -> None:
        st = retention.status(self._ctx)
        lines = [tr("retention.cli.never") if st.keep_days is None else tn("retention.cli.keep_days", st.keep_days),
                 tn("retention.cli.packs_waiting", st.packs_waiting), tn("retention.cli.households", st.households)]
        self.retention_state.setText("\n".join(lines))
        self.never.setChecked(st.keep_days is None)
        self.days.setValue(st.keep_days if st.keep_days is not None else 90)
        self.days.setEnabled(st.keep_days is not None)
        has = Keyring.load(self._ctx.home).has(DURESS_ENTRY)
        self.duress_state.setText(tr("duress.cli.is_set" if has else "duress.cli.not_set"))
        self.buttons["clear_duress"].setEnabled(has)

    def _run(self, job: Callable[[], Any], done: Callable[[Any], str]) -> None:
        self.busy = True
        for b in self.buttons.values():
            b.setEnabled(False)
        self.message.clear()

        def ok(result: Any) -> None:
            self._finish()
            self.message.setText(done(result))

        def failed(exc: StationError) -> None:
            self._finish()
            self.message.setText(exc.message())

        run_off_thread(job, ok, failed, self, self._pool)

    def _finish(self) -> None:
        self.busy = False
        for b in self.buttons.values():
            b.setEnabled(True)
        self.refresh()

    # retention -----------------------------------------------------------------------------------
    def _on_save_days_clicked(self) -> None:
        days = None if self.never.isChecked() else self.days.value()
        self._run(lambda: retention.set_keep_days(self._ctx, days), lambda _r: tr("ui.settings.saved"))

    def _on_acks_clicked(self) -> None:
        folder = self.choose_folder()
        if folder is None:
            return
        self._run(lambda: retention.accept_acks(self._ctx, folder),
                  lambda n: tn("retention.cli.acks_accepted", int(n)))

    def _on_purge_clicked(self) -> None:
        word = self.confirm_purge()
        if word is None:
            return
        if word.strip() != PURGE_WORD:
            self.message.setText(tr("retention.error.not_confirmed", word=PURGE_WORD))
            return

        def said(result: retention.PurgeResult) -> str:
            if result.acknowledged_upto is None:
                return tr("retention.cli.nothing_acknowledged")
            return tn("retention.cli.purged", result.households, people=tn("count.people", result.people))

        self._run(lambda: retention.purge_by_setting(self._ctx), said)

    def _ask_folder(self) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, tr("ui.settings.acks"))
        return Path(chosen) if chosen else None

    def _ask_word(self) -> str | None:
        word, ok = QInputDialog.getText(self, tr("ui.settings.purge"),
                                        tr("ui.settings.purge_prompt", word=PURGE_WORD))
        return word if ok else None

    # duress --------------------------------------------------------------------------------------
    def _on_set_duress_clicked(self) -> None:
        secret = self.duress1.text()
        if secret != self.duress2.text():
            self.message.setText(tr("accounts.error.passphrases_differ"))
            return
        self.duress1.clear()
        self.duress2.clear()
        self._run(lambda: duress.set_duress_passphrase(self._ctx, secret), lambda _r: tr("duress.cli.saved"))

    def _on_clear_duress_clicked(self) -> None:
        self._run(lambda: duress.clear_duress_passphrase(self._ctx), lambda _r: tr("duress.cli.cleared"))

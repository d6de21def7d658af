"""Accounts dialog for administrators: list, create, change role, reset, deactivate, reactivate, lift lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.domain.roles import Permission, Role
from station.errors import StationError
from station.i18n import tr
from station.security.signin_guard import LOCK_AFTER
from station.services import accounts
from station.services.accounts import AccountView
from station.services.authz import require
from ui.accounts.passphrase_dialogs import HandoverPassphraseDialog, NewAccountDialog


def _status(a: AccountView) -> str:
    parts = [tr("accounts.status.active" if a.active else "accounts.status.inactive")]
    if a.locked_failures >= LOCK_AFTER:
        parts.append(tr("accounts.status.locked"))
    if a.must_change_password:
        parts.append(tr("accounts.status.must_change"))
    return ", ".join(parts)


class AccountsDialog(QDialog):
    """Open with an administrator's StationContext. Every change goes through station.services.accounts."""

    def __init__(self, ctx: Any, parent: QWidget | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        require(ctx.actor, Permission.MANAGE_ACCOUNTS)
        self._ctx, self._pool = ctx, pool
        self.accounts: list[AccountView] = []
        self.setWindowTitle(tr("accounts.dialog.title"))
        self.resize(820, 480)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([tr(k) for k in (
            "accounts.col.username", "accounts.col.display_name", "accounts.col.role", "accounts.col.status")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, slot in (("new", self._on_new_clicked), ("change_role", self._on_change_role_clicked),
                          ("reset", self._on_reset_clicked), ("deactivate", self._on_deactivate_clicked),
                          ("reactivate", self._on_reactivate_clicked),
                          ("clear_lockout", self._on_clear_lockout_clicked), ("close", self.accept)):
            b = QPushButton(tr(f"accounts.{key}"), self)
            b.clicked.connect(slot)
            self.buttons[key] = b
            row.addWidget(b)
        box = QVBoxLayout(self)
        box.addWidget(self.table, 1)
        box.addWidget(self.message)
        box.addLayout(row)
        # Hooks the tests replace (modal prompts cannot be answered offscreen).
        self.confirm: Callable[[str], bool] = self._ask
        self.choose_role: Callable[[Role], Role | None] = self._ask_role
        self.open_dialog: Callable[[QDialog], int] = lambda d: d.exec()
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.reload()

    # data

    def reload(self) -> None:
        keep = self.selected()
        self.accounts = accounts.list_accounts(self._ctx)
        self.table.setRowCount(len(self.accounts))
        for r, a in enumerate(self.accounts):
            for c, text in enumerate((a.username, a.display_name, tr(f"accounts.role.{a.role.value}"), _status(a))):
                self.table.setItem(r, c, QTableWidgetItem(text))
            if keep and a.username == keep.username:
                self.table.selectRow(r)
        self._update_buttons()

    def selected(self) -> AccountView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.accounts[rows[0].row()] if rows and rows[0].row() < len(self.accounts) else None

    def select(self, username: str) -> None:
        for r, a in enumerate(self.accounts):
            if a.username == username:
                self.table.selectRow(r)

    def _update_buttons(self) -> None:
        a = self.selected()
        me = a is not None and a.username == self._ctx.actor.username
        self.buttons["change_role"].setEnabled(a is not None)
        self.buttons["reset"].setEnabled(a is not None and a.active)
        self.buttons["deactivate"].setEnabled(a is not None and a.active and not me)
        self.buttons["reactivate"].setEnabled(a is not None and not a.active)
        self.buttons["clear_lockout"].setEnabled(a is not None and a.locked_failures > 0)

    def _run(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except StationError as exc:
            self.message.setText(exc.message())
            return
        self.message.setText(tr("accounts.saved"))
        self.reload()

    # prompts

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, tr("accounts.dialog.title"), text)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_role(self, current: Role) -> Role | None:
        names = [tr(f"accounts.role.{r.value}") for r in Role]
        text, ok = QInputDialog.getItem(self, tr("accounts.change_role").rstrip("…"), tr("accounts.col.role"),
                                        names, list(Role).index(current), False)
        return list(Role)[names.index(text)] if ok else None

    # slots

    def _on_new_clicked(self) -> None:
        if self.open_dialog(NewAccountDialog(self._ctx, self, self._pool)):
            self.message.setText(tr("accounts.saved"))
            self.reload()

    def _on_change_role_clicked(self) -> None:
        a = self.selected()
        role = self.choose_role(a.role) if a else None
        if a is not None and role is not None and role != a.role:
            self._run(lambda: accounts.set_role(self._ctx, a.username, role))

    def _on_reset_clicked(self) -> None:
        a = self.selected()
        if a is not None and self.open_dialog(HandoverPassphraseDialog(self._ctx, a.username, parent=self,
                                                                       pool=self._pool)):
            self.message.setText(tr("accounts.saved"))
            self.reload()

    def _on_reactivate_clicked(self) -> None:
        a = self.selected()
        if a is not None and self.open_dialog(HandoverPassphraseDialog(self._ctx, a.username, reactivate=True,
                                                                       parent=self, pool=self._pool)):
            self.message.setText(tr("accounts.saved"))
            self.reload()

    def _on_deactivate_clicked(self) -> None:
        a = self.selected()
        if a is not None and self.confirm(tr("accounts.confirm_deactivate", user=a.username)):
            self._run(lambda: accounts.deactivate_account(self._ctx, a.username))

    def _on_clear_lockout_clicked(self) -> None:
        a = self.selected()
        if a is not None:
            self._run(lambda: accounts.clear_lockout(self._ctx, a.username))

"""Roles and what each may do. Checked in the core services, not only by hiding buttons."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


class Permission(StrEnum):
    REGISTER = "register"  # create households, add members
    EDIT_BEFORE_PRINT = "edit_before_print"  # correct a household whose card was not printed yet
    EDIT_AFTER_PRINT = "edit_after_print"
    SEARCH = "search"
    PHOTOGRAPH = "photograph"
    SCAN = "scan"
    PRINT_FIRST = "print_first"
    REPRINT = "reprint"
    MARK_DEPARTED = "mark_departed"
    DISTRIBUTE = "distribute"  # record relief items handed out
    SET_ROUND = "set_round"  # open the next distribution round
    MERGE_DUPLICATES = "merge_duplicates"
    EXPORT_PACK = "export_pack"
    EXPORT_PLAIN = "export_plain"  # unencrypted spreadsheets
    IMPORT = "import"
    VIEW_AUDIT = "view_audit"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_SETTINGS = "manage_settings"


_CLERK = frozenset(
    {
        Permission.REGISTER,
        Permission.EDIT_BEFORE_PRINT,
        Permission.SEARCH,
        Permission.PHOTOGRAPH,
        Permission.SCAN,
        Permission.PRINT_FIRST,
        Permission.EXPORT_PACK,
        Permission.DISTRIBUTE,
    }
)
_SUPERVISOR = _CLERK | {
    Permission.EDIT_AFTER_PRINT,
    Permission.REPRINT,
    Permission.MARK_DEPARTED,
    Permission.SET_ROUND,
    Permission.MERGE_DUPLICATES,
    Permission.EXPORT_PLAIN,
    Permission.IMPORT,
    Permission.VIEW_AUDIT,
}
# The administrator runs the station (accounts, settings, keys); registering people is staff work,
# but an administrator on a small site is often also the supervisor, so they get both.
_ADMINISTRATOR = _SUPERVISOR | {Permission.MANAGE_ACCOUNTS, Permission.MANAGE_SETTINGS}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: _CLERK,
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.ADMINISTRATOR: frozenset(_ADMINISTRATOR),
}


@dataclass(frozen=True)
class Actor:
    """The signed-in person on whose behalf a service runs."""

    username: str
    role: Role
    station: str  # e.g. "MKH-02"

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

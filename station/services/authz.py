"""Permission checks used by every service."""

from __future__ import annotations

from station.domain.roles import Actor, Permission
from station.errors import PermissionDenied


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDenied("error.permission_denied", permission=permission.value)

"""Role boundaries, called through the core services themselves (not through hidden buttons)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import update

from station.db.rows import HouseholdRow
from station.domain.codes import HouseholdStatus, ReliefItem
from station.domain.roles import GRANTS, Actor, Permission, Role
from station.errors import PermissionDenied, StationError
from station.services import (
    accounts,
    audit,
    distribution,
    duplicates,
    export,
    pack_import,
    photos,
    printing,
    recovery,
    registration,
    scans,
    search,
)
from station.services.station import StationContext
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five

# The role table of the specification, written out independently of station.domain.roles.
CLERK = {"register", "edit_before_print", "search", "photograph", "scan", "print_first", "export_pack",
         "distribute"}
SUPERVISOR_EXTRA = {"edit_after_print", "reprint", "mark_departed", "set_round", "merge_duplicates", "export_plain",
                    "import", "view_audit"}
ADMIN_EXTRA = {"manage_accounts", "manage_settings"}


def test_grants_match_the_role_table() -> None:
    assert {p.value for p in GRANTS[Role.CLERK]} == CLERK
    assert {p.value for p in GRANTS[Role.SUPERVISOR]} == CLERK | SUPERVISOR_EXTRA
    assert {p.value for p in GRANTS[Role.ADMINISTRATOR]} == CLERK | SUPERVISOR_EXTRA | ADMIN_EXTRA


@pytest.fixture
def world(sqlite_ctx: StationContext) -> Iterator[dict[str, Any]]:
    """A station with one household; `as_role(role)` gives a context whose actor has that role."""
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        hh = registration.register_household(uow, ctx.actor, family_of_five())
    accounts.create_account(ctx, "target", Role.CLERK, PASSPHRASE)

    def as_role(role: Role) -> StationContext:
        return dataclasses.replace(ctx, actor=Actor(f"user-{role.value}", role, ctx.station_code))

    yield {"ctx": ctx, "hh": hh, "as_role": as_role}


def _draft(ctx: StationContext, hh_id: str) -> Any:
    with ctx.db.reader() as uow:
        view = registration.get_household(uow, ctx.actor, hh_id)
    base = family_of_five()
    members = tuple(dataclasses.replace(m, id=v.id) for m, v in zip(base.members, view.members, strict=True))
    return dataclasses.replace(base, id=hh_id, members=members, notes="corrected")


def _jpeg() -> bytes:
    import cv2
    import numpy as np

    ok, buf = cv2.imencode(".jpg", np.full((80, 60, 3), 128, np.uint8))
    assert ok
    return bytes(buf)


def _op(permission: Permission) -> Callable[[StationContext, dict[str, Any]], object]:
    """A real service call that needs `permission` (every permission has one)."""
    def in_uow(fn: Callable[..., object]) -> Callable[[StationContext, dict[str, Any]], object]:
        def run(c: StationContext, w: dict[str, Any]) -> object:
            with c.db.uow() as uow:
                return fn(uow, c, w)
        return run

    ops: dict[Permission, Callable[[StationContext, dict[str, Any]], object]] = {
        Permission.REGISTER: in_uow(lambda u, c, w: registration.register_household(u, c.actor, family_of_five())),
        Permission.EDIT_BEFORE_PRINT: in_uow(
            lambda u, c, w: registration.correct_household(u, c.actor, _draft(w["ctx"], w["hh"].id))),
        Permission.EDIT_AFTER_PRINT: _edit_after_print,
        Permission.SEARCH: in_uow(lambda u, c, w: search.search(u, c.actor, "Fatima")),
        Permission.PHOTOGRAPH: in_uow(
            lambda u, c, w: photos.save_portrait(u, c.actor, w["hh"].members[0].id, _jpeg())),
        Permission.PRINT_FIRST: in_uow(lambda u, c, w: printing.prepare_wristbands(u, c.actor, [w["hh"].id])),
        Permission.REPRINT: _reprint,
        Permission.MARK_DEPARTED: in_uow(lambda u, c, w: registration.set_status(
            u, c.actor, w["hh"].id, HouseholdStatus.DEPARTED, "left for Erbil")),
        Permission.DISTRIBUTE: in_uow(lambda u, c, w: distribution.record_handout(
            u, c.actor, w["hh"].id, {ReliefItem.WATER: 2}, in_round=False)),
        Permission.SET_ROUND: in_uow(lambda u, c, w: distribution.open_round(u, c.actor, 1)),
        Permission.VIEW_AUDIT: in_uow(lambda u, c, w: audit.browse(u, c.actor, audit.AuditFilter(actor="admin"))),
        Permission.MANAGE_ACCOUNTS: lambda c, w: accounts.list_accounts(c),
        Permission.MANAGE_SETTINGS: lambda c, w: recovery.rotate_recovery_code(c),
        Permission.EXPORT_PACK: _export_pack,
        Permission.EXPORT_PLAIN: lambda c, w: export.export_plain(
            c.db, c.actor, c.home / "register.csv"),
        Permission.IMPORT: _import_pack,
        Permission.SCAN: in_uow(lambda u, c, w: scans.record_scan(u, c.actor, kind="document", fmt="TD3",
                                                                   valid=True)),
        Permission.MERGE_DUPLICATES: in_uow(lambda u, c, w: duplicates.merge_duplicate(
            u, c.actor, w["hh"].id, registration.register_household(u, w["ctx"].actor, family_of_five()).id,
            "registered twice")),
    }
    assert set(ops) == set(Permission), "every permission must be listed"
    return ops[permission]


def _gate_only(fn: Callable[[], object], expected_code: str) -> object:
    """Past the permission check the call fails for a known, unrelated reason (no office key, no file)."""
    try:
        return fn()
    except PermissionDenied:
        raise
    except StationError as exc:
        assert exc.code == expected_code
        return None


def _export_pack(c: StationContext, w: dict[str, Any]) -> object:
    return _gate_only(lambda: export.export_pack(c.db, c.actor, c.home), "export.error.no_office_key")


def _import_pack(c: StationContext, w: dict[str, Any]) -> object:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    key = X25519PrivateKey.generate()
    return _gate_only(lambda: pack_import.import_pack(c.db, c.actor, c.home / "missing.pack", key),
                      "export.error.pack_unreadable")


def _edit_after_print(c: StationContext, w: dict[str, Any]) -> object:
    ctx = w["ctx"]
    with ctx.db.uow() as uow:  # a card was printed: set behind the services' back
        uow.session.execute(update(HouseholdRow).where(HouseholdRow.id == w["hh"].id).values(card_issue=1))
    with c.db.uow() as uow:
        return registration.correct_household(uow, c.actor, _draft(ctx, w["hh"].id))


def _reprint(c: StationContext, w: dict[str, Any]) -> object:
    ctx = w["ctx"]
    with ctx.db.uow() as uow:  # the first wristbands were printed by the administrator
        job = printing.prepare_wristbands(uow, ctx.actor, [w["hh"].id])
        printing.record_printed(uow, ctx.actor, job, printer="pdf", job_ref=job.job_id)
    with c.db.uow() as uow:
        return printing.prepare_wristbands(uow, c.actor, [w["hh"].id], reason="wristband torn")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_role_boundary(world: dict[str, Any], permission: Permission, role: Role) -> None:
    op = _op(permission)
    c = world["as_role"](role)
    if permission in GRANTS[role]:
        op(c, world)  # allowed: runs through
    else:
        with pytest.raises(PermissionDenied) as err:
            op(c, world)
        assert err.value.params["permission"] == permission.value


@pytest.mark.parametrize("role", list(Role))
def test_account_services_need_manage_accounts(world: dict[str, Any], role: Role) -> None:
    c = world["as_role"](role)
    calls: list[Callable[[], object]] = [
        lambda: accounts.list_accounts(c),
        lambda: accounts.create_account(c, f"new-{role.value}", Role.CLERK, PASSPHRASE),
        lambda: accounts.set_role(c, "target", Role.SUPERVISOR),
        lambda: accounts.set_display_name(c, "target", "Desk 2"),
        lambda: accounts.reset_passphrase(c, "target", "another long passphrase"),
        lambda: accounts.deactivate_account(c, "target"),
        lambda: accounts.reactivate_account(c, "target", "a third long passphrase"),
    ]
    for call in calls:
        if role is Role.ADMINISTRATOR:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


@pytest.mark.parametrize("role", list(Role))
def test_audit_queries_need_view_audit(world: dict[str, Any], role: Role) -> None:
    c = world["as_role"](role)
    with c.db.reader() as uow:
        for call in (lambda: audit.browse(uow, c.actor), lambda: audit.verify(uow, c.actor),
                     lambda: audit.known_values(uow, c.actor)):
            if role is Role.CLERK:
                with pytest.raises(PermissionDenied):
                    call()
            else:
                call()


@pytest.mark.parametrize("role", list(Role))
def test_clearing_a_lockout_needs_supervisor(world: dict[str, Any], role: Role) -> None:
    c = world["as_role"](role)
    if role is Role.CLERK:
        with pytest.raises(PermissionDenied):
            accounts.clear_lockout(c, "target")
    else:
        accounts.clear_lockout(c, "target")


def test_denied_call_changes_nothing(world: dict[str, Any]) -> None:
    ctx, clerk = world["ctx"], world["as_role"](Role.CLERK)
    with ctx.db.reader() as uow:
        before = audit.event_count(uow)
    with pytest.raises(PermissionDenied), clerk.db.uow() as uow:
        registration.set_status(uow, clerk.actor, world["hh"].id, HouseholdStatus.DEPARTED, "x")
    with ctx.db.reader() as uow:
        assert audit.event_count(uow) == before
        assert uow.session.get(HouseholdRow, world["hh"].id).status == "active"  # type: ignore[union-attr]

"""Portraits: stored as JPEG rows in the encrypted database, one per individual."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from station.db.rows import IndividualRow, PhotoRow
from station.db.uow import UnitOfWork
from station.domain.portrait import JPEG_MAGIC, MAX_PORTRAIT_BYTES
from station.domain.roles import Actor, Permission
from station.errors import NotFound, StationError
from station.services import audit
from station.services.authz import require


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from the JPEG's SOF marker (no decoding)."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
        i += 2 + length
    raise StationError("error.photo_invalid")


def save_portrait(
    uow: UnitOfWork,
    actor: Actor,
    individual_id: str,
    jpeg: bytes,
    quality: dict[str, Any] | None = None,
    override_reason: str | None = None,
) -> None:
    """Store (or replace) the portrait of one individual; the quality figures and any override go with it."""
    require(actor, Permission.PHOTOGRAPH)
    if not jpeg.startswith(JPEG_MAGIC) or len(jpeg) > MAX_PORTRAIT_BYTES:
        raise StationError("error.photo_invalid")
    width, height = _jpeg_size(jpeg)
    ind = uow.session.get(IndividualRow, individual_id)
    if ind is None:
        raise NotFound("error.individual_not_found")
    row = uow.session.get(PhotoRow, individual_id)
    replaced = row is not None
    if row is None:
        row = PhotoRow(individual_id=individual_id)
        uow.session.add(row)
    row.jpeg, row.width, row.height = jpeg, width, height
    row.quality = dict(quality or {})
    row.override_reason = (override_reason or "").strip()
    row.taken_at = audit.utcnow()
    row.taken_by = actor.username
    audit.record(uow, actor, "photo.replace" if replaced else "photo.create", "individual", individual_id,
                 {"household_id": ind.household_id, "bytes": len(jpeg), "override": row.override_reason})


def load_portrait(uow: UnitOfWork, actor: Actor, individual_id: str) -> bytes | None:
    require(actor, Permission.SEARCH)
    return uow.session.scalar(select(PhotoRow.jpeg).where(PhotoRow.individual_id == individual_id))


def head_portrait(uow: UnitOfWork, actor: Actor, household_id: str) -> bytes | None:
    """The head of household's portrait in one query (the register shows it as the clerk moves along)."""
    require(actor, Permission.SEARCH)
    return uow.session.scalar(
        select(PhotoRow.jpeg)
        .join(IndividualRow, IndividualRow.id == PhotoRow.individual_id)
        .where(IndividualRow.household_id == household_id, IndividualRow.relationship_to_head == "head")
        .limit(1)
    )

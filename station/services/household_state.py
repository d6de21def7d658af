"""Digests of households as stored (trail_guard signs them at commit; trail_verify checks them): the
household, its members, their documents (not the images), needs and portraits (by hash)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.db.rows import DocumentRow, HouseholdRow, IndividualRow, NeedRow, PhotoRow
from station.security import signing

IN_LIST = 500  # ids per IN (...) list
_IN = IN_LIST


def _rows(s: Session, table: Any, where: Any, skip: tuple[str, ...], order: Any) -> list[dict[str, Any]]:
    cols = [c for c in table.columns if c.key not in skip]
    return [dict(r._mapping) for r in s.execute(select(*cols).where(where).order_by(order))]


def household_digest(s: Session, household_id: str) -> str | None:
    """SHA-256 over a household's rows as stored: the household, its members, their documents (not the
    images), needs and portraits (by hash)."""
    return household_digests(s, [household_id]).get(household_id)


def household_digests(s: Session, ids: Iterable[str]) -> dict[str, str]:
    """`household_digest` of many households, five queries per 500 of them (absent ones: no entry)."""
    hh_t, m_t = HouseholdRow.__table__, IndividualRow.__table__
    d_t, n_t, p_t = DocumentRow.__table__, NeedRow.__table__, PhotoRow.__table__
    out: dict[str, str] = {}
    wanted = sorted(set(ids))
    for chunk in (wanted[i:i + _IN] for i in range(0, len(wanted), _IN)):
        heads = _rows(s, hh_t, hh_t.c.id.in_(chunk), ("updated_at",), hh_t.c.id)
        if not heads:
            continue
        members = _rows(s, m_t, m_t.c.household_id.in_(chunk), ("updated_at",), m_t.c.id)
        docs: dict[str, list[Any]] = {}
        needs: dict[str, list[Any]] = {}
        photos: dict[str, str] = {}
        mids = [m["id"] for m in members]
        for part in (mids[i:i + _IN] for i in range(0, len(mids), _IN)):
            for d in _rows(s, d_t, d_t.c.individual_id.in_(part), ("image_jpeg",), d_t.c.id):
                docs.setdefault(d["individual_id"], []).append(d)
            for n in _rows(s, n_t, n_t.c.individual_id.in_(part), (), n_t.c.id):
                needs.setdefault(n["individual_id"], []).append({k: v for k, v in n.items() if k != "id"})
            photos.update((r.individual_id, hashlib.sha256(r.jpeg).hexdigest()) for r in s.execute(
                select(p_t.c.individual_id, p_t.c.jpeg).where(p_t.c.individual_id.in_(part))))
        of: dict[str, list[Any]] = {}
        for m in members:
            of.setdefault(m["household_id"], []).append(
                [m, docs.get(m["id"], []), needs.get(m["id"], []), photos.get(m["id"], "")])
        for head in heads:
            out[head["id"]] = hashlib.sha256(signing.canonical([head, *of.get(head["id"], [])])).hexdigest()
    return out

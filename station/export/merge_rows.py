"""A pack's household as it is checked and merged: its records grouped, its digest, the plain table rows
and search tokens a new household is written with (bulk inserts, no ORM objects: station.export.merge),
and the check that a batch's members and registration numbers are not another household's here."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from station.db.rows import DocumentRow, HouseholdRow, IndividualRow, NeedRow, PhotoRow
from station.domain.name_index import household_tokens
from station.errors import StationError
from station.export.codec import digest
from station.export.merge_tokens import IDS_PER_IN, Prepared, chunks, prepare_rows, prepare_tokens

MAX_NEEDS = 64
NAME_COLS = ("given_ar", "father_ar", "grandfather_ar", "family_ar",
             "given_lat", "father_lat", "grandfather_lat", "family_lat")  # household_tokens' order
_HH_COLS = frozenset(c.name for c in HouseholdRow.__table__.columns)
_IND_COLS = frozenset(c.name for c in IndividualRow.__table__.columns) | {"needs"}
_DOC_COLS = frozenset(c.name for c in DocumentRow.__table__.columns)


def hostile() -> StationError:
    return StationError("export.error.hostile")


@dataclass
class Group:
    """One household of a pack with the records that travel with it, as checked by the codec."""

    meta: dict[str, Any]
    hh: dict[str, Any]
    members: list[tuple[dict[str, Any], dict[str, Any], list[tuple[str, str]]]] = field(default_factory=list)
    docs: list[tuple[dict[str, Any], dict[str, Any], bytes]] = field(default_factory=list)
    portraits: list[tuple[dict[str, Any], bytes]] = field(default_factory=list)
    prints: list[dict[str, Any]] = field(default_factory=list)
    dists: list[dict[str, Any]] = field(default_factory=list)
    member_ids: set[str] = field(default_factory=set)
    _tokens: set[str] | None = field(default=None, repr=False)

    def digest(self) -> str:
        return bundle_digest(
            {k: v for k, v in self.meta.items() if k in _HH_COLS},
            [{k: v for k, v in m.items() if k in _IND_COLS} for m, _, _ in self.members],
            [({k: v for k, v in d.items() if k in _DOC_COLS}, img) for d, _, img in self.docs],
        )

    def tokens(self) -> set[str]:
        """The household's search tokens: the same function registration indexes a household with (computed
        once, when the batch is handed on: Merger._hand_on_groups; the group is complete by then)."""
        if self._tokens is None:
            self._tokens = household_tokens((tuple(kw[c] for c in NAME_COLS) for _, kw, _ in self.members),
                                            (kw["number"] for _, kw, _ in self.docs),
                                            self.hh.get("origin_key") or "")
        return self._tokens


def bundle_digest(
    hh: dict[str, Any], members: list[dict[str, Any]], docs: Iterable[tuple[dict[str, Any], bytes]]
) -> str:
    return digest(hh, members, [(d, hashlib.sha256(img).hexdigest()) for d, img in docs])


def needs_of(raw: Any) -> list[tuple[str, str]]:
    if not isinstance(raw, list) or len(raw) > MAX_NEEDS:
        raise hostile()
    out = []
    for item in raw:
        if (not isinstance(item, list) or len(item) != 2 or not all(isinstance(x, str) for x in item)
                or len(item[0]) > 32 or len(item[1]) > 4096):
            raise hostile()
        out.append((item[0], item[1]))
    return out


@dataclass
class FreshRows:
    """Rows of households new here, table by table, in insert order (parents first)."""

    households: list[dict[str, Any]] = field(default_factory=list)
    individuals: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    needs: list[dict[str, Any]] = field(default_factory=list)


def fresh_rows(groups: list[Group]) -> FreshRows:
    """The rows of `groups` (households not on file here) as plain dicts for executemany. The same rows the
    ORM wrote before (needs in pack order, so their ids keep that order; an empty image is no image)."""
    out = FreshRows()
    for g in groups:
        out.households.append(g.hh)
        for _, kw, needs in g.members:
            out.individuals.append(kw)
            out.needs.extend({"individual_id": kw["id"], "code": c, "note": n} for c, n in needs)
        out.documents.extend({**kw, "image_jpeg": img or None} for _, kw, img in g.docs)
    return out


@dataclass(frozen=True)
class Ready:
    """A batch's rows made ready for the driver (merge_tokens.prepare_rows) in the thread that checked it, as
    if every household of the batch were new here: used as they are when that holds (nearly always at the
    office), otherwise the merger builds the rows of the households that are new."""

    fresh: tuple[Prepared, ...]  # households, individuals, documents, needs: insert order
    tokens: Prepared
    portraits: Prepared  # every portrait of the batch, in pack order
    extra: object = None  # what the caller's `prepare` made of the rows (the households hook takes it)


# A service's work on a batch's rows that needs no database (station.services.matching.key_batch: the
# people's blocking keys), done where the batch is checked: the import's read-ahead thread.
PrepareHook = Callable[[Dialect, FreshRows], object]


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def ready_rows(dialect: Dialect, groups: list[Group], prepare: PrepareHook | None = None) -> Ready:
    rows = fresh_rows(groups)
    fresh = tuple(prepare_rows(dialect, _table(model), batch) for model, batch in (
        (HouseholdRow, rows.households), (IndividualRow, rows.individuals), (DocumentRow, rows.documents),
        (NeedRow, rows.needs)))
    portraits = [dict(kw, jpeg=jpeg) for g in groups for kw, jpeg in g.portraits]
    return Ready(fresh, prepare_tokens(dialect, [(g.hh["id"], g.tokens()) for g in groups]),
                 prepare_rows(dialect, _table(PhotoRow), portraits),
                 prepare(dialect, rows) if prepare is not None else None)


def check_ownership(s: Session, groups: list[Group]) -> None:
    """Refuse members or registration numbers that belong to a different household here (or to two
    households of the pack)."""
    owner_of: dict[str, str] = {}
    for g in groups:
        for iid in g.member_ids:
            if owner_of.setdefault(iid, g.hh["id"]) != g.hh["id"]:
                raise StationError("export.error.inconsistent")
    for chunk in chunks(list(owner_of), IDS_PER_IN):
        rows = s.execute(select(IndividualRow.id, IndividualRow.household_id).where(IndividualRow.id.in_(chunk)))
        for iid, hid in rows:
            if owner_of[iid] != hid:
                raise StationError("export.error.inconsistent")
    regnos = {g.hh["registration_number"]: g.hh["id"] for g in groups}
    if len(regnos) != len(groups):
        raise StationError("export.error.regno_conflict")
    for chunk in chunks(list(regnos), IDS_PER_IN):
        for regno, hid in s.execute(select(HouseholdRow.registration_number, HouseholdRow.id)
                                    .where(HouseholdRow.registration_number.in_(chunk))):
            if regnos[regno] != hid:
                raise StationError("export.error.regno_conflict")


def apply_group(row: HouseholdRow, g: Group) -> int:
    """Overwrite a household on file (loaded with its members, their documents and needs) with the pack's
    version `g`: members, documents and needs replaced through the ORM. Returns the members written."""
    for key, value in g.hh.items():
        setattr(row, key, value)
    old = {m.id: m for m in row.members}
    docs: dict[str, list[tuple[dict[str, Any], bytes]]] = {}
    for _, kw, img in g.docs:
        docs.setdefault(kw["individual_id"], []).append((kw, img))
    members = []
    for _, kw, needs in g.members:
        ind = old.get(kw["id"]) or IndividualRow()
        for key, value in kw.items():
            if key != "household_id":
                setattr(ind, key, value)
        old_docs = {d.id: d for d in ind.documents}
        new_docs = []
        for dkw, img in docs.get(ind.id, []):
            doc = old_docs.get(dkw["id"]) or DocumentRow()
            for key, value in dkw.items():
                if key != "individual_id":
                    setattr(doc, key, value)
            doc.image_jpeg = img or None
            new_docs.append(doc)
        ind.documents = new_docs
        ind.needs = [NeedRow(code=c, note=n) for c, n in needs]
        members.append(ind)
    row.members = members
    return len(members)

"""Search while the name index is rebuilt after being emptied (migration 0007): a name scan over the households
not yet rebuilt (search_index_background goes through them in household id order), beside the index."""

from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from station.db.rows import HouseholdRow, IndividualRow
from station.db.uow import UnitOfWork
from station.domain.model import HouseholdSummary
from station.domain.name_index import MAX_QUERY_WORDS, query_words
from station.services.register_rows import NEWEST, SUMMARY_COLUMNS, summaries
from station.services.search_index_background import TOKENS_STATE, load_state, read_meta
from station.services.search_index_chunks import NAME_COLUMNS

SCAN_CAP = 2000  # households a name scan returns at most (search.COUNT_CAP)


def unindexed_after(s: Session) -> str | None:
    """While the index is rebuilt after being emptied: the last household id with tokens rebuilt (those
    after it have none unless saved meanwhile); None when searching the index finds everybody."""
    state = load_state(read_meta(s, TOKENS_STATE))
    return state.after if state is not None and state.emptied else None


def unindexed_rows(uow: UnitOfWork, text: str, after: str, skip: set[str],
                   limit: int) -> tuple[list[HouseholdSummary], int, bool]:
    """Households after `after` in id order (not yet in the index) whose people's names or origin hold
    every typed word (as typed, hyphens and spaces free, or folded) anywhere in a name part: a plain scan,
    only while the index is rebuilt after being emptied. Returns the newest `limit` not in `skip`, how many
    match beside `skip` (up to SCAN_CAP) and whether that count stopped at its cap."""
    conds = []
    for typed in text.split()[:MAX_QUERY_WORDS]:
        forms = {typed, *(f for w in query_words(typed) for f in (w.exact, w.text))}
        patterns = sorted({"%" + "%".join(_escape(f).replace("-", " ").split()) + "%" for f in forms if f.strip("-")})
        columns = (*NAME_COLUMNS, HouseholdRow.origin_key)
        conds.append(or_(*[c.ilike(p, escape="\\") for p in patterns for c in columns]))
    if not conds:
        return [], 0, False
    every = [func.max(case((c, 1), else_=0)) == 1 for c in conds]
    ids = [i for i in uow.session.scalars(
        select(IndividualRow.household_id).join(HouseholdRow, HouseholdRow.id == IndividualRow.household_id)
        .where(IndividualRow.household_id > after).group_by(IndividualRow.household_id)
        .having(and_(*every)).limit(SCAN_CAP)) if i not in skip]
    if not ids or limit <= 0:
        return [], len(ids), len(ids) >= SCAN_CAP
    rows = summaries(uow, select(*SUMMARY_COLUMNS).where(HouseholdRow.id.in_(ids)).order_by(*NEWEST).limit(limit))
    return rows, len(ids), len(ids) >= SCAN_CAP


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

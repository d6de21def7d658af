"""Keep the name index in step with the code that builds it.

Each household's search tokens (exact folded words and sound-alike keys) are written when it is saved.
When a new version of the station folds names differently, the tokens already on file are rebuilt once,
at start-up after the migrations, in one transaction: a crash leaves the old index and the old version
mark, so the rebuild simply runs again next time. It reads plain columns and writes in bulk (about 5 s
for 100,000 people, see tests/perf).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import delete, insert, select, text

from station.db.rows import DocumentRow, HouseholdRow, IndividualRow, MetaRow, NameTokenRow
from station.db.uow import Database
from station.services.registration import household_tokens

VERSION_KEY = "search_index_version"
# 1: folded words and articles joined; 2: + sound-alike keys (station.domain.soundalike).
INDEX_VERSION = 2
BATCH = 1000
_NAMES = (IndividualRow.given_ar, IndividualRow.father_ar, IndividualRow.grandfather_ar, IndividualRow.family_ar,
          IndividualRow.given_lat, IndividualRow.father_lat, IndividualRow.grandfather_lat, IndividualRow.family_lat)


def is_current(db: Database) -> bool:
    with db.reader() as uow:
        mark = uow.session.get(MetaRow, VERSION_KEY)
        return mark is not None and mark.value == str(INDEX_VERSION)


def ensure_current(db: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild every household's tokens if an older version built them; returns how many were rebuilt."""
    if is_current(db):
        return 0
    with db.uow() as uow:
        s = uow.session
        if db.dialect == "postgresql":  # one desk of a site rebuilds; the others wait here, then find it done
            s.execute(text("LOCK TABLE name_tokens IN SHARE ROW EXCLUSIVE MODE"))
        mark = s.get(MetaRow, VERSION_KEY, populate_existing=True)
        if mark is not None and mark.value == str(INDEX_VERSION):
            return 0
        households = s.execute(select(HouseholdRow.id, HouseholdRow.origin_key).order_by(HouseholdRow.id)).all()
        s.execute(delete(NameTokenRow))
        for start in range(0, len(households), BATCH):
            chunk = households[start:start + BATCH]
            ids = [h for h, _ in chunk]
            people: dict[str, list[tuple[str | None, ...]]] = defaultdict(list)
            for hid, *names in s.execute(select(IndividualRow.household_id, *_NAMES)
                                         .where(IndividualRow.household_id.in_(ids))):
                people[hid].append(tuple(names))
            numbers: dict[str, list[str]] = defaultdict(list)
            for hid, number in s.execute(select(IndividualRow.household_id, DocumentRow.number)
                                         .join(DocumentRow, DocumentRow.individual_id == IndividualRow.id)
                                         .where(IndividualRow.household_id.in_(ids))):
                numbers[hid].append(number)
            rows = [{"token": t, "household_id": hid}
                    for hid, origin_key in chunk
                    for t in sorted(household_tokens(people[hid], numbers[hid], origin_key or ""))]
            if rows:
                s.execute(insert(NameTokenRow), rows)
            if progress is not None:
                progress(start + len(chunk), len(households))
        if mark is None:
            s.add(MetaRow(key=VERSION_KEY, value=str(INDEX_VERSION)))
        else:
            mark.value = str(INDEX_VERSION)
    return len(households)

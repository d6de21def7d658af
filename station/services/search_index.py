"""Keep the name index in step with the code that builds it.

Each household's search tokens (station.domain.name_index: folded words, sound-alike and pair tokens) are
written when it is saved or merged. When a new version of the station builds tokens differently, the
tokens already on file are rebuilt once, at start-up after the migrations, in one transaction: a crash
leaves the old index and the old version mark, so the rebuild simply runs again next time.

The rebuild reads plain columns (no ORM objects), computes each distinct name part's tokens once, drops
the token table and makes it again (emptying millions of rows one by one took minutes), builds the
(household, token) index after the rows (one sort instead of millions of random inserts), keeps the whole
index in the page cache while it writes (SQLite), and reports progress (done, total) for the sign-in screen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.orm import Session

from station.db.engine import CACHE_KIB
from station.db.rows import DocumentRow, HouseholdRow, IndividualRow, MetaRow, NameTokenRow
from station.db.uow import Database
from station.domain.name_index import household_tokens

VERSION_KEY = "search_index_version"
# 1: folded words and articles joined; 2: + sound-alike keys (station.domain.soundalike);
# 3: sound-alike tokens carry the spelling ("~key spelling"), pair tokens ("^key key"), compounds joined,
#    Kurdish Latin letters read.
INDEX_VERSION = 3
BATCH = 2000  # households per progress step
REBUILD_CACHE_KIB = 262_144  # page cache while rebuilding (the connection's usual size is restored after)
_SECONDARY = "ix_name_tokens_household_token"
_TABLE: Table = NameTokenRow.__table__  # type: ignore[assignment]
_NAMES = (IndividualRow.given_ar, IndividualRow.father_ar, IndividualRow.grandfather_ar, IndividualRow.family_ar,
          IndividualRow.given_lat, IndividualRow.father_lat, IndividualRow.grandfather_lat, IndividualRow.family_lat)
Progress = Callable[[int, int], None]


def is_current(db: Database) -> bool:
    with db.reader() as uow:
        mark = uow.session.get(MetaRow, VERSION_KEY)
        return mark is not None and mark.value == str(INDEX_VERSION)


def ensure_current(db: Database, progress: Progress | None = None) -> int:
    """Rebuild every household's tokens if an older version built them; returns how many were rebuilt."""
    if is_current(db):
        return 0
    return _rebuild(db, progress, only_if_stale=True)


def rebuild(db: Database, progress: Progress | None = None) -> int:
    """Rebuild every household's tokens now (whatever the version mark says); returns how many."""
    return _rebuild(db, progress, only_if_stale=False)


def _rebuild(db: Database, progress: Progress | None, only_if_stale: bool) -> int:
    with db.uow() as uow:
        s = uow.session
        if db.dialect == "postgresql":  # one desk of a site rebuilds; the others wait here, then find it done
            s.execute(text("LOCK TABLE name_tokens IN SHARE ROW EXCLUSIVE MODE"))
        mark = s.get(MetaRow, VERSION_KEY, populate_existing=True)
        if only_if_stale and mark is not None and mark.value == str(INDEX_VERSION):
            return 0
        households = s.execute(select(HouseholdRow.id, HouseholdRow.origin_key).order_by(HouseholdRow.id)).all()
        sqlite = db.dialect == "sqlite"
        if sqlite:  # this transaction only: the whole index in the page cache, freed pages not zeroed one by one
            s.execute(text(f"PRAGMA cache_size=-{REBUILD_CACHE_KIB}"))
            s.execute(text("PRAGMA secure_delete=FAST"))
        try:
            _write_all(s, households, progress)
        finally:
            if sqlite:
                s.execute(text(f"PRAGMA cache_size=-{CACHE_KIB}"))
                s.execute(text("PRAGMA secure_delete=ON"))
        if mark is None:
            s.add(MetaRow(key=VERSION_KEY, value=str(INDEX_VERSION)))
        else:
            mark.value = str(INDEX_VERSION)
    return len(households)


def _write_all(s: Session, households: Sequence[Any], progress: Progress | None) -> None:
    """Every household's tokens: (household id, origin key) rows in, progress reported per BATCH."""
    # Dropped and made again (its index after the rows): emptying millions of rows one by one takes minutes.
    s.execute(text(f"DROP INDEX IF EXISTS {_SECONDARY}"))
    s.execute(text("DROP TABLE name_tokens"))
    _TABLE.create(s.connection())
    s.execute(text(f"DROP INDEX IF EXISTS {_SECONDARY}"))
    total = len(households)
    for start in range(0, total, BATCH):
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
        rows = sorted(({"token": t, "household_id": hid} for hid, origin_key in chunk
                       for t in household_tokens(people[hid], numbers[hid], origin_key or "")),
                      key=lambda r: r["token"])  # in index order: fewer pages touched per batch
        if rows:
            s.execute(insert(NameTokenRow), rows)
        if progress is not None:
            progress(start + len(chunk), total)
    s.execute(text(f"CREATE INDEX {_SECONDARY} ON name_tokens (household_id, token)"))

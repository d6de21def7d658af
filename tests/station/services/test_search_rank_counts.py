"""A one-word search ranks a word's spellings by how many index entries each has (the rarest first): the counts
are read for all of them in one statement (issue 18: a statement each put two dozen statements in a typed
search at 200,000 people), the same counts as one at a time, capped alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from station.db.rows import NameTokenRow
from station.services import search
from station.services.registration import register_household
from station.services.search import _entries, _token_entries, search_page
from tests.factories import family_of_five


def test_token_counts_in_one_statement_match_one_at_a_time(sqlite_ctx: Any) -> None:
    ctx = sqlite_ctx
    with ctx.db.uow() as uow:
        for _ in range(3):
            register_household(uow, ctx.actor, family_of_five())
    with ctx.db.reader() as uow:
        s = uow.session.connection()
        tokens = sorted(set(s.scalars(select(NameTokenRow.token)))) + [f"no such token {i}" for i in range(100)]
        seen: list[str] = []
        event.listen(s, "before_cursor_execute", lambda *a: seen.append(a[2]))
        counts = _token_entries(s, tokens)
        assert len(seen) == 2  # a hundred tokens a statement
        for cap in (2, search.COMMON):
            assert _token_entries(s, tokens, cap) == {t: _entries(s, NameTokenRow.token == t, cap) for t in tokens}
        assert counts["no such token 7"] == 0 and max(counts.values()) == 3
        assert max(_token_entries(s, tokens, 2).values()) == 2  # capped


def test_a_common_word_is_ranked_as_before(sqlite_ctx: Any, monkeypatch: Any) -> None:
    """Households of the rarer spelling first, whichever way the counts are read (COMMON lowered so that a
    few households make a word common)."""
    ctx = sqlite_ctx
    monkeypatch.setattr(search, "COMMON", 2)
    with ctx.db.uow() as uow:
        ids = [register_household(uow, ctx.actor, family_of_five()).id for _ in range(3)]
    with ctx.db.reader() as uow:
        page = search_page(uow, ctx.actor, "Fatima")
    assert {h.id for h in page.rows} == set(ids) and page.total == 3
    assert [h.id for h in page.rows] == ids[::-1]  # one spelling: the newest first


def test_register_rows_are_the_summary_of_each_row() -> None:
    """The register's rows (a day's list, a search's page) made in one pass, origins and statuses shared, are
    each row's `summary`."""
    from datetime import UTC, datetime

    from station import clock
    from station.domain.codes import HouseholdStatus
    from station.services.register_rows import summary, summary_rows

    at = [datetime(2026, 3, 29, i % 24, i % 60, tzinfo=UTC).replace(tzinfo=None) for i in range(40)]  # naive UTC
    rows = [(f"id{i}", f"MKH-02-{i:06d}-X", at[i], "محمد علي", f"Ali {i}", i % 9,
             ("Ninewa", "Anbar", "")[i % 3], ("Mosul", "", "Hit")[i % 3 if i % 2 else 0], ("", "Camp 4")[i % 2],
             list(HouseholdStatus)[i % len(HouseholdStatus)].value) for i in range(40)]
    zone = clock.station_zone()
    assert summary_rows(rows) == [summary(r, zone) for r in rows]

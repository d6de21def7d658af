"""Migration 0007: the name index becomes a WITHOUT ROWID table; the start-up that migrates rebuilds it once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, insert, select

from station.db.engine import DB_FILE, sqlcipher_engine
from station.db.migrate import _config, current_revision, head_revision
from station.db.rows import MetaRow, NameTokenRow
from station.services import search_index
from station.services.registration import register_household
from station.services.search import search
from station.services.station import initialize, sign_in
from tests.conftest import PASSPHRASE
from tests.factories import family_of_five


def _table_sql(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'name_tokens'").scalar())


def _tokens(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        return {(t, h) for t, h in conn.execute(select(NameTokenRow.token, NameTokenRow.household_id))}


def test_an_upgraded_station_gets_the_without_rowid_index_rebuilt_at_sign_in(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    assert "WITHOUT ROWID" in _table_sql(ctx.db.engine)  # a new station has it from the start
    with ctx.db.uow() as uow:
        saved_id = register_household(uow, ctx.actor, family_of_five()).id
    saved = _tokens(ctx.db.engine)
    assert len(saved) > 20
    key = ctx.db_key
    ctx.close()

    engine = sqlcipher_engine(home / DB_FILE, key)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    assert "WITHOUT ROWID" not in _table_sql(engine) and _tokens(engine) == set()
    with engine.begin() as conn:  # a station of schema 0006 as its code left it: the index and its mark
        conn.execute(insert(NameTokenRow), [{"token": t, "household_id": h} for t, h in sorted(saved)])
        conn.execute(insert(MetaRow).values(key=search_index.VERSION_KEY, value=str(search_index.INDEX_VERSION)))
    engine.dispose()

    steps: list[tuple[int, int]] = []
    ctx = sign_in("admin", PASSPHRASE, home, progress=lambda done, total: steps.append((done, total)))
    try:
        assert current_revision(ctx.db.engine) == head_revision()
        assert "WITHOUT ROWID" in _table_sql(ctx.db.engine)
        assert _tokens(ctx.db.engine) == saved and search_index.is_current(ctx.db)
        assert steps and steps[-1][0] == steps[-1][1]  # the sign-in screen saw the rebuild
        with ctx.db.reader() as uow:
            hits = search(uow, ctx.actor, "Fatima Ahmed")
            assert saved_id in {h.id for h in hits}
    finally:
        ctx.close()

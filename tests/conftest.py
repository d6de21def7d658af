"""Shared fixtures: a fresh station in a temporary STATION_HOME with cheap key derivation for speed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from station import i18n
from station.security.kdf import KdfParams

PASSPHRASE = "correct horse battery staple"
# Tests use cheap Argon2 parameters; the real ones are measured in tests/perf/test_signin_perf.py.
FAST_KDF = {"time_cost": 1, "memory_kib": 8192, "parallelism": 1}


def fast_kdf() -> KdfParams:
    return KdfParams.fresh(**FAST_KDF)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "station-home"
    home.mkdir()
    monkeypatch.setenv("STATION_HOME", str(home))
    monkeypatch.delenv("STATION_PASSPHRASE", raising=False)
    monkeypatch.delenv("STATION_PASSPHRASE_FILE", raising=False)
    monkeypatch.delenv("STATION_USER", raising=False)
    monkeypatch.setattr("station.security.kdf.KdfParams.fresh", classmethod(
        lambda cls, **kw: KdfParams(salt_b64=__import__("base64").b64encode(os.urandom(16)).decode(),
                                    **(FAST_KDF | kw))))
    i18n.set_language("en")
    return home


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    return _isolated_home


def pg_url() -> str | None:
    """STATION_TEST_PG_URL; under pytest-xdist each worker gets a database of its own beside it
    (<database>_gw0, _gw1, ...: .ci/postgres.sh makes them), so the PostgreSQL tests, each of which empties its
    database's schema, run on both cores instead of one after another."""
    url = os.environ.get("STATION_TEST_PG_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    from sqlalchemy import make_url

    base = make_url(url)
    return base.set(database=f"{base.database}_{worker}").render_as_string(hide_password=False)


def _missing(service: str, required_by: str, reason: str) -> NoReturn:
    """Skip a test whose service is absent, or fail it when CI asked for that service (test.sh sets these)."""
    if os.environ.get(required_by):
        pytest.fail(f"{required_by} is set but {reason}")
    pytest.skip(f"{reason} ({service})")


def secret_pg_url() -> str:
    """A PostgreSQL database of its own, emptied here, for the tests of a server site's sealed address and
    password: STATION_TEST_PG_URL_SECRET, else <database>_secret beside STATION_TEST_PG_URL (.ci/postgres.sh
    makes it). Absent or silent: skipped, or failed when CI asked for PostgreSQL (STATION_REQUIRE_PG)."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import SQLAlchemyError

    url = os.environ.get("STATION_TEST_PG_URL_SECRET", "")
    shared = pg_url()
    if not url and shared:
        base = make_url(shared)
        url = base.set(database=f"{base.database}_secret").render_as_string(hide_password=False)
    if not url:
        _missing("postgres", "STATION_REQUIRE_PG", "no PostgreSQL server (set STATION_TEST_PG_URL)")
    try:
        _reset_pg(url)
    except SQLAlchemyError as exc:
        _missing("postgres", "STATION_REQUIRE_PG",
                 f"database {make_url(url).database} does not answer ({type(exc).__name__}; run: bash .ci/postgres.sh)")
    return url


def _uses_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return item.get_closest_marker("postgres") is not None or any(
        isinstance(v, str) and v == "postgresql" for v in params)


def _service_group(item: pytest.Item) -> str:
    if item.get_closest_marker("cups") or item.get_closest_marker("acceptance"):
        return "cups"
    if item.get_closest_marker("perf") or "tests/perf/" in item.nodeid:
        return "perf"
    return ""


@pytest.hookimpl(tryfirst=True)  # before -m selects: the PostgreSQL runs get their mark here
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (test.sh: -n 2 --dist loadgroup) tests that share an outside service run on one
    worker, one after another: the CUPS queue (whose output folder the tests watch) and the benchmarks (timings
    of their own). The group goes into the node id as xdist's loadgroup scheduler reads it ("...@cups"):
    xdist's own mark handling ran before this hook. PostgreSQL tests are marked (`-m postgres` selects them)
    but not grouped: each worker has a database of its own (pg_url)."""
    in_worker = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    for item in items:
        if _uses_postgres(item) and item.get_closest_marker("postgres") is None:
            item.add_marker(pytest.mark.postgres)
        group = _service_group(item)
        if group and in_worker:
            item._nodeid = f"{item.nodeid}@{group}"  # type: ignore[attr-defined]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("cups") is not None:
        from station.printing import spool

        if not spool.scheduler_running():
            _missing("cups", "STATION_REQUIRE_CUPS", "no CUPS scheduler answers (run: bash .ci/cups.sh)")
    if item.get_closest_marker("postgres") is not None and not pg_url():
        _missing("postgres", "STATION_REQUIRE_PG", "no PostgreSQL server (set STATION_TEST_PG_URL)")


def _reset_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        url = pg_url()
        if not url:
            _missing("postgres", "STATION_REQUIRE_PG", "no PostgreSQL server (set STATION_TEST_PG_URL)")
        _reset_pg(url)
    return str(request.param)


@pytest.fixture
def ctx(home: Path, backend: str) -> Iterator[object]:
    """A signed-in administrator on a fresh station, on each backend."""
    from station.services.station import initialize

    url = pg_url() if backend == "postgresql" else ""
    context, _code = initialize(site_code="MKH", station_number=2, admin_username="admin",
                                admin_passphrase=PASSPHRASE, home=home, database_url=url or "")
    yield context
    context.close()


@pytest.fixture
def sqlite_ctx(home: Path) -> Iterator[object]:
    from station.services.station import initialize

    context, _code = initialize(site_code="MKH", station_number=2, admin_username="admin",
                                admin_passphrase=PASSPHRASE, home=home)
    yield context
    context.close()

"""When CI asks for CUPS or PostgreSQL (STATION_REQUIRE_CUPS / STATION_REQUIRE_PG), their tests fail, never skip."""

from __future__ import annotations

import pytest

from tests.conftest import _missing, secret_pg_url


@pytest.mark.parametrize("env", ["STATION_REQUIRE_CUPS", "STATION_REQUIRE_PG"])
def test_a_required_service_that_is_missing_fails_the_test(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(env, "1")
    with pytest.raises(pytest.fail.Exception, match=env):
        _missing("service", env, "it does not answer")


@pytest.mark.parametrize("env", ["STATION_REQUIRE_CUPS", "STATION_REQUIRE_PG"])
def test_an_optional_service_that_is_missing_skips_the_test(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(env, raising=False)
    with pytest.raises(pytest.skip.Exception):
        _missing("service", env, "it does not answer")


@pytest.mark.parametrize("shared", ["", "postgresql+psycopg://nobody:pw@127.0.0.1:1/nothing"])
def test_the_server_site_database_is_required_too(shared: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sealed-address tests use a database of their own: absent or silent, CI fails them as well."""
    monkeypatch.setenv("STATION_TEST_PG_URL", shared)
    monkeypatch.delenv("STATION_TEST_PG_URL_SECRET", raising=False)
    monkeypatch.setenv("STATION_REQUIRE_PG", "1")
    with pytest.raises(pytest.fail.Exception, match="STATION_REQUIRE_PG"):
        secret_pg_url()
    monkeypatch.delenv("STATION_REQUIRE_PG")
    with pytest.raises(pytest.skip.Exception):
        secret_pg_url()

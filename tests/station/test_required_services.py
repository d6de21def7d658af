"""When CI asks for CUPS or PostgreSQL (STATION_REQUIRE_CUPS / STATION_REQUIRE_PG), their tests fail, never skip."""

from __future__ import annotations

import pytest

from tests.conftest import _missing


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

"""Crafted packs: deep nesting, pipes and devices, random bytes after the magic, and a short Hypothesis
fuzz of pack import (container + codec + merge). Only a clear StationError, never a traceback or a hang
(issue 16; the long run is tests/perf/test_pack_fuzz_perf.py)."""

from __future__ import annotations

import json
import os
import random
import struct
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from station.errors import StationError
from station.export.container import HEADER, encode
from station.export.crypto import MAGIC
from station.services.pack_import import import_pack
from station.services.station import StationContext

from .conftest import OfficeKeys
from .pack_fuzz import edits, mutate, raw_sealed, records, sealed_pack

IMPORT_CODES = {"export.error.damaged", "export.error.hostile", "export.error.truncated",
                "export.error.manifest_mismatch", "export.error.not_a_pack", "export.error.inconsistent",
                "export.error.regno_conflict", "export.error.audit_tampered", "export.error.audit_conflict",
                "export.error.wrong_key", "export.error.future_version", "export.error.unsigned",
                "export.error.bad_signature", "export.error.origin_mismatch", "export.error.origin_unknown"}


@pytest.fixture
def office(make_station: Any) -> StationContext:
    return make_station("OFF", 1)  # type: ignore[no-any-return]


def _import(office: StationContext, keys: OfficeKeys, path: Path) -> StationError:
    with pytest.raises(StationError) as err:
        import_pack(office.db, office.actor, path, keys.private)
    return err.value


def test_deeply_nested_json_is_refused_clearly(office: StationContext, office_keys: OfficeKeys,
                                               tmp_path: Path) -> None:
    deep = b"[" * 200_000 + b"]" * 200_000  # under the 1 MB meta limit, far over Python's recursion limit
    plain = encode(HEADER, {"format": 1, "pack_id": "p-deep", "station": "MKH-02"})
    plain += struct.pack(">BII", 2, len(deep), 0) + deep
    path = tmp_path / "deep.rspack"
    path.write_bytes(raw_sealed(office_keys.private.public_key(), plain))
    assert _import(office, office_keys, path).code == "export.error.hostile"
    header = json.dumps({"kem": "X25519", "aead": "AES-256-GCM", "x": json.loads("[" * 50 + "]" * 50)})
    nested_header = MAGIC + struct.pack(">HI", 1, 20_000) + b"[" * 10_000 + b"]" * 10_000
    path.write_bytes(nested_header)
    assert _import(office, office_keys, path).code == "export.error.damaged"
    assert header  # the outer header's own nesting is bounded by its 16 KB limit


def _with_timeout(fn: Any, seconds: float = 10.0) -> Any:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "import hung"
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_named_pipe_and_device_are_refused_at_once(office: StationContext, office_keys: OfficeKeys,
                                                  tmp_path: Path) -> None:
    fifo = tmp_path / "pack.rspack"
    os.mkfifo(fifo)
    err = _with_timeout(lambda: _import(office, office_keys, fifo))
    assert err.code == "fault.pack_not_a_file" and "pack.rspack" in err.message()
    if Path("/dev/zero").exists():
        err = _with_timeout(lambda: _import(office, office_keys, Path("/dev/zero")))
        assert err.code == "fault.pack_not_a_file"
    err = _import(office, office_keys, tmp_path)  # a folder
    assert err.code == "fault.pack_not_a_file"


def test_random_bytes_after_the_magic_are_damage_not_a_newer_program(office: StationContext,
                                                                     office_keys: OfficeKeys,
                                                                     tmp_path: Path) -> None:
    rng = random.Random(16)
    path = tmp_path / "noise.rspack"
    for _ in range(60):
        path.write_bytes(MAGIC + rng.randbytes(rng.randint(6, 4000)))
        err = _import(office, office_keys, path)
        assert err.code in {"export.error.damaged", "export.error.truncated"}, err.code


def test_synthetic_pack_is_refused_unless_allowed(office: StationContext, office_keys: OfficeKeys,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "demo.rspack"
    path.write_bytes(sealed_pack(office_keys.private.public_key(), [], header_extra={"synthetic": True}))
    err = _import(office, office_keys, path)
    assert err.code == "fault.pack_synthetic" and "FUZ-01" in err.message()
    with pytest.raises(StationError) as allowed:  # a training office: on to the next check (the signature)
        import_pack(office.db, office.actor, path, office_keys.private, allow_synthetic=True)
    assert allowed.value.code != "fault.pack_synthetic"


def test_demo_data_exported_is_refused_at_the_office(make_station: Any, office: StationContext,
                                                     office_keys: OfficeKeys, tmp_path: Path) -> None:
    from station.services import demo
    from station.services import export as ex

    st = make_station("MKH", 4)
    demo.fill(st.db, st.actor, 2, confirmed=True)  # an administrator confirmed: a training station now
    res = ex.export_pack(st.db, st.actor, tmp_path)
    err = _import(office, office_keys, res.path)
    assert err.code == "fault.pack_synthetic"


_SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@_SETTINGS
@given(recs=records)
def test_fuzz_records_reach_the_codec_and_fail_only_cleanly(office: StationContext, office_keys: OfficeKeys,
                                                            tmp_path: Path, recs: list[Any]) -> None:
    path = tmp_path / "fuzz.rspack"
    path.write_bytes(sealed_pack(office_keys.private.public_key(), recs))
    try:
        import_pack(office.db, office.actor, path, office_keys.private)
    except StationError as exc:
        assert exc.code in IMPORT_CODES, exc.code


@_SETTINGS
@given(e=edits)
def test_fuzz_mutated_pack_bytes_fail_only_cleanly(office: StationContext, office_keys: OfficeKeys,
                                                   tmp_path: Path, e: list[tuple[int, int, int]]) -> None:
    base = sealed_pack(office_keys.private.public_key(), [("audit", {"seq": 1}, b"")])
    path = tmp_path / "mut.rspack"
    path.write_bytes(mutate(base, e))
    try:
        import_pack(office.db, office.actor, path, office_keys.private)
    except StationError as exc:
        assert exc.code in IMPORT_CODES, exc.code

"""Hypothesis strategies and helpers shared by the pack fuzz test (CI) and benchmark (tests/perf)."""

from __future__ import annotations

import io
import uuid
from typing import Any

from hypothesis import strategies as st

from station.export.container import PARTS, PackWriter
from station.export.crypto import SealWriter

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
                         st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=12), kids, max_size=4)), max_leaves=20)
# metas that look like real records (right column names, hostile values) reach the codec's checks
COLUMN_NAMES = ["id", "household_id", "registration_number", "arrived_at", "status", "given_ar", "sex",
                "birth_date", "seq", "station", "hash", "prev_hash", "event_id", "details", "individual_id",
                "taken_at", "position", "size", "version", "updated_at", "created_at", "at", "actor", "action"]
metas = st.dictionaries(st.sampled_from(COLUMN_NAMES) | st.text(max_size=10), json_values, max_size=12)
records = st.lists(st.tuples(st.sampled_from(sorted(PARTS.values())), metas, st.binary(max_size=64)), max_size=8)


def sealed_pack(public: Any, recs: list[tuple[str, dict[str, Any], bytes]], station: str = "FUZ-01",
                header_extra: dict[str, Any] | None = None) -> bytes:
    """A correctly sealed pack with a correct manifest around arbitrary records."""
    out = io.BytesIO()
    seal = SealWriter(out, public)
    pw = PackWriter(seal, {"pack_id": str(uuid.uuid4()), "station": station, "range": {},
                           **(header_extra or {})})
    for part, meta, blob in recs:
        pw.add(part, meta, blob)
    pw.finish()
    seal.close()
    return out.getvalue()


def raw_sealed(public: Any, plaintext: bytes) -> bytes:
    """Sealed bytes around an arbitrary plaintext record stream (framing not checked)."""
    out = io.BytesIO()
    seal = SealWriter(out, public)
    seal.write(plaintext)
    seal.close()
    return out.getvalue()


def mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, value) edits: 0 flip a byte, 1 truncate, 2 insert a byte."""
    buf = bytearray(data)
    for kind, pos, value in edits:
        if not buf:
            break
        pos %= len(buf)
        if kind == 0:
            buf[pos] ^= value or 1
        elif kind == 1:
            del buf[pos:]
        else:
            buf.insert(pos, value)
    return bytes(buf)


edits = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2**31), st.integers(0, 255)), min_size=1, max_size=4)

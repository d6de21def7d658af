"""The sealed container: round trip, and refusal of damaged, truncated, wrong-key, future and hostile packs."""

from __future__ import annotations

import hashlib
import io
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from station.errors import StationError
from station.export import container, crypto
from station.export.container import PackWriter, ReadState, encode, read_records
from station.export.crypto import SealWriter, open_chunks, read_header, stream_key

from .conftest import KEY_PASSPHRASE, OfficeKeys


def _pack(pub: object, records: int = 50, blob: int = 40_000) -> bytes:
    out = io.BytesIO()
    seal = SealWriter(out, pub)  # type: ignore[arg-type]
    pw = PackWriter(seal, {"pack_id": "p-1", "station": "MKH-02", "range": {}})
    for i in range(records):
        pw.add("portraits", {"individual_id": f"id-{i}"}, bytes([i % 256]) * blob)
        pw.add("audit", {"seq": i})
    pw.finish()
    seal.close()
    return out.getvalue()


def _read(data: bytes, private: X25519PrivateKey) -> tuple[ReadState, list[container.Record]]:
    src = io.BytesIO(data)
    header = read_header(src)
    state = ReadState()
    recs = list(read_records(open_chunks(src, header, stream_key(header, private)), state))
    return state, recs


def test_round_trip_checks_manifest(office_keys: OfficeKeys) -> None:
    data = _pack(office_keys.private.public_key())
    state, recs = _read(data, office_keys.private)
    assert len(recs) == 100
    assert recs[0].blob == b"\x00" * 40_000 and recs[1].meta == {"seq": 0}
    assert state.manifest["parts"]["portraits"]["count"] == 50
    assert state.header["station"] == "MKH-02" and state.header["format"] == container.INNER_VERSION
    assert b"MKH-02" not in data and b"id-1" not in data  # nothing readable without the key


def test_writer_cannot_read_back_without_office_key(office_keys: OfficeKeys) -> None:
    data = _pack(office_keys.private.public_key())
    with pytest.raises(StationError) as err:
        _read(data, X25519PrivateKey.generate())
    assert err.value.code == "export.error.wrong_key"


def test_wrong_key_even_with_forged_fingerprint_is_refused(office_keys: OfficeKeys) -> None:
    other = X25519PrivateKey.generate()
    data = _pack(other.public_key())
    ours = crypto.key_id(crypto.public_raw(office_keys.private.public_key()))
    theirs = crypto.key_id(crypto.public_raw(other.public_key()))
    forged = data.replace(theirs.encode(), ours.encode(), 1)
    assert forged != data
    with pytest.raises(StationError) as err:
        _read(forged, office_keys.private)
    assert err.value.code == "export.error.damaged"


@pytest.mark.parametrize("where", [0.0, 0.001, 0.3, 0.5, 0.999, 1.0])
def test_one_flipped_bit_anywhere_is_detected(office_keys: OfficeKeys, where: float) -> None:
    data = bytearray(_pack(office_keys.private.public_key()))
    pos = min(len(data) - 1, int(len(data) * where))
    data[pos] ^= 0x01
    with pytest.raises(StationError) as err:
        _read(bytes(data), office_keys.private)
    assert err.value.code.startswith("export.error.")


@pytest.mark.parametrize("cut", [5, 40, 300, 100_000, -1, -17, -300_000])
def test_truncated_pack_is_refused(office_keys: OfficeKeys, cut: int) -> None:
    data = _pack(office_keys.private.public_key())
    with pytest.raises(StationError) as err:
        _read(data[:cut], office_keys.private)
    assert err.value.code in {"export.error.truncated", "export.error.damaged", "export.error.not_a_pack"}


def test_dropping_whole_final_chunk_is_detected(office_keys: OfficeKeys) -> None:
    data = _pack(office_keys.private.public_key(), records=20)
    src = io.BytesIO(data)
    header = read_header(src)
    offsets = []
    while True:
        pos = src.tell()
        raw = src.read(4)
        if len(raw) < 4:
            break
        offsets.append(pos)
        src.seek(struct.unpack(">I", raw)[0], 1)
    assert len(offsets) >= 3
    with pytest.raises(StationError) as err:
        _read(data[: offsets[-1]], office_keys.private)  # clean chunk boundary, final chunk missing
    assert err.value.code == "export.error.truncated"
    swapped = data[: offsets[0]] + data[offsets[1]:offsets[2]] + data[offsets[0]:offsets[1]] + data[offsets[2]:]
    with pytest.raises(StationError):
        _read(swapped, office_keys.private)
    assert header.version == crypto.FORMAT_VERSION


def test_trailing_bytes_after_final_chunk_are_refused(office_keys: OfficeKeys) -> None:
    data = _pack(office_keys.private.public_key(), records=2)
    with pytest.raises(StationError) as err:
        _read(data + b"\0", office_keys.private)
    assert err.value.code == "export.error.damaged"


def test_future_outer_and_inner_versions_are_refused(office_keys: OfficeKeys) -> None:
    data = bytearray(_pack(office_keys.private.public_key(), records=1))
    data[8:10] = struct.pack(">H", crypto.FORMAT_VERSION + 1)
    with pytest.raises(StationError) as err:
        _read(bytes(data), office_keys.private)
    assert err.value.code == "export.error.future_version" and err.value.params["version"] == 2
    out = io.BytesIO()
    seal = SealWriter(out, office_keys.private.public_key())
    PackWriter(seal, {"format": 99, "pack_id": "x", "station": "MKH-02"}).finish()
    seal.close()
    with pytest.raises(StationError) as err:
        _read(out.getvalue(), office_keys.private)
    assert err.value.code == "export.error.future_version"


def _sealed(pub: object, plain: bytes) -> bytes:
    out = io.BytesIO()
    seal = SealWriter(out, pub)  # type: ignore[arg-type]
    seal.write(plain)
    seal.close()
    return out.getvalue()


def test_hostile_declared_sizes_and_unknown_kinds_are_refused(office_keys: OfficeKeys, tmp_path: Path) -> None:
    pub = office_keys.private.public_key()
    head = encode(container.HEADER, {"format": 1, "pack_id": "h", "station": "MKH-02"})
    huge = head + struct.pack(">BII", 2, 2**31, 0)  # "2 GB of metadata follow"
    with pytest.raises(StationError) as err:
        _read(_sealed(pub, huge), office_keys.private)
    assert err.value.code == "export.error.hostile"
    traversal = head + encode(99, {"name": "../../../../tmp/evil", "path": "/etc/passwd"}, b"x")
    with pytest.raises(StationError) as err:
        _read(_sealed(pub, traversal), office_keys.private)
    assert err.value.code == "export.error.hostile"
    assert not Path("/tmp/evil").exists()
    # a declared chunk length of 4 GB is refused before any allocation
    data = bytearray(_pack(pub, records=1))
    hlen = struct.unpack(">I", data[10:14])[0]
    first_chunk = 14 + hlen
    data[first_chunk : first_chunk + 4] = b"\xff\xff\xff\xff"
    with pytest.raises(StationError) as err:
        _read(bytes(data), office_keys.private)
    assert err.value.code == "export.error.damaged"


def test_manifest_must_match_parts(office_keys: OfficeKeys) -> None:
    pub = office_keys.private.public_key()
    head = encode(container.HEADER, {"format": 1, "pack_id": "m", "station": "MKH-02"})
    body = encode(8, {"seq": 1})
    bad_manifest = encode(container.MANIFEST, {"format": 1, "pack_id": "m", "parts": {
        name: {"count": 0, "sha256": hashlib.sha256().hexdigest()} for name in container.PARTS.values()}})
    with pytest.raises(StationError) as err:
        _read(_sealed(pub, head + body + bad_manifest), office_keys.private)
    assert err.value.code == "export.error.manifest_mismatch" and err.value.params["part"] == "audit"
    with pytest.raises(StationError) as err:
        _read(_sealed(pub, head + body), office_keys.private)  # no manifest at all
    assert err.value.code == "export.error.truncated"


def test_key_files(office_keys: OfficeKeys, tmp_path: Path) -> None:
    assert b"ENCRYPTED" in office_keys.private_pem
    with pytest.raises(StationError) as err:
        crypto.load_private_key(office_keys.path, KEY_PASSPHRASE + "x")
    assert err.value.code == "export.error.private_key_locked"
    with pytest.raises(StationError):
        crypto.load_public_key(b"not a key")
    with pytest.raises(StationError):
        crypto.generate_office_key("short")
    assert crypto.load_public_key(office_keys.public_pem).public_bytes_raw() == \
        office_keys.private.public_key().public_bytes_raw()


def test_read_back_without_decoding_still_checks_every_part() -> None:
    """The writer's read-back skips JSON-decoding data records (issue 18), but not one check of the bytes."""
    sink = io.BytesIO()
    pack = PackWriter(sink, {"pack_id": "p1", "station": "MKH-02"})
    pack.add("households", {"id": "a"})
    pack.add("portraits", {"individual_id": "b"}, b"\xff\xd8\xffjpeg")
    pack.finish()
    data = sink.getvalue()
    state = ReadState()
    recs = list(read_records([data], state, decode=False))
    assert [r.part for r in recs] == ["households", "portraits"] and all(r.meta == {} for r in recs)
    assert state.manifest["pack_id"] == "p1" and state.counts["portraits"] == 1
    with pytest.raises(StationError) as err:
        list(read_records([data.replace(b"jpeg", b"jpeG")], ReadState(), decode=False))
    assert err.value.code == "export.error.manifest_mismatch"

"""Records inside a pack: a header record, typed data records, and a manifest (counts + SHA-256 per part).

Plaintext layout (inside the sealed stream), integers big-endian:

    record := kind u8 | meta_len u32 | blob_len u32 | meta (UTF-8 JSON object) | blob

The first record is the pack header (format version, pack id, station, range), then the manifest, then
(packs from this version on) the origin record: the exporting account's signature over the manifest with
the station's authority statements, which the office checks against the station it enrolled
(station/services/pack_origin.py). The manifest covers every part by hash, so signing it signs the pack.
Each part (households, individuals, ...) is hashed over its records' bytes in stream order, so the reader
checks counts and hashes as it goes, in bounded memory. Nothing in a pack names a file: kinds are small
integers and unknown ones are refused.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from station.errors import StationError

INNER_VERSION = 1
MAX_META = 1 * 1024 * 1024
MAX_BLOB = 16 * 1024 * 1024
_REC = struct.Struct(">BII")

HEADER, MANIFEST, ORIGIN = 1, 15, 14
PARTS: dict[int, str] = {
    2: "households", 3: "individuals", 4: "documents", 5: "portraits", 6: "prints", 7: "distributions",
    8: "audit",
}
KIND: dict[str, int] = {name: kind for kind, name in PARTS.items()}


class ByteSink(Protocol):
    def write(self, data: bytes, /) -> object: ...


@dataclass(frozen=True)
class Record:
    kind: int
    meta: dict[str, Any]
    blob: bytes = b""

    @property
    def part(self) -> str:
        return PARTS.get(self.kind, "")


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)  # one, shared


def _framed(kind: int, meta: dict[str, Any], blob_len: int) -> bytes:
    """A record without its blob: the fixed head and the JSON metadata."""
    body = _JSON.encode(meta).encode()
    return _REC.pack(kind, len(body), blob_len) + body


def encode(kind: int, meta: dict[str, Any], blob: bytes = b"") -> bytes:
    return _framed(kind, meta, len(blob)) + blob


class PackWriter:
    """Frames records into a byte sink (the sealing stream) and builds the manifest on the way."""

    def __init__(self, sink: ByteSink, header: dict[str, Any],
                 sign: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
        self._sink = sink
        self._sign = sign  # manifest -> origin record (signature), see station/services/pack_origin.py
        self._hashes = {name: hashlib.sha256() for name in PARTS.values()}
        self.counts = {name: 0 for name in PARTS.values()}
        self.header = {"format": INNER_VERSION, **header}
        sink.write(encode(HEADER, self.header))

    def add(self, part: str, meta: dict[str, Any], blob: bytes = b"") -> None:
        data, h = _framed(KIND[part], meta, len(blob)), self._hashes[part]
        h.update(data)
        self._sink.write(data)
        if blob:  # the same bytes as encode(), without copying a portrait into one more string
            h.update(blob)
            self._sink.write(blob)
        self.counts[part] += 1

    def finish(self) -> dict[str, Any]:
        manifest = {
            "format": INNER_VERSION,
            "pack_id": self.header.get("pack_id"),
            "station": self.header.get("station"),
            "range": self.header.get("range"),
            "parts": {name: {"count": self.counts[name], "sha256": h.hexdigest()}
                      for name, h in self._hashes.items()},
        }
        self._sink.write(encode(MANIFEST, manifest))
        if self._sign is not None:
            self._sink.write(encode(ORIGIN, self._sign(manifest)))
        return manifest


class _Buffer:
    """Turns an iterator of chunks into exact reads, holding at most one chunk plus one record."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buf = b""
        self._pos = 0

    def read(self, n: int) -> bytes | None:
        end = self._pos + n
        if end <= len(self._buf):  # the usual case: one slice of the current chunk
            out = self._buf[self._pos : end]
            self._pos = end
            return out
        parts, have = [self._buf[self._pos :]], len(self._buf) - self._pos
        while have < n:
            try:
                nxt = next(self._chunks)
            except StopIteration:
                if have == 0:
                    return None
                raise StationError("export.error.truncated") from None
            parts.append(nxt)
            have += len(nxt)
        self._buf, self._pos = b"".join(parts), n
        return self._buf[:n]


@dataclass
class ReadState:
    header: dict[str, Any] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, Any] | None = None  # the signature record, if the pack has one
    counts: dict[str, int] = field(default_factory=lambda: {n: 0 for n in PARTS.values()})


def _check_header(meta: dict[str, Any]) -> None:
    version = meta.get("format")
    if not isinstance(version, int):
        raise StationError("export.error.damaged")
    if version > INNER_VERSION:
        raise StationError("export.error.future_version", version=version, supported=INNER_VERSION)
    if not isinstance(meta.get("pack_id"), str) or not isinstance(meta.get("station"), str):
        raise StationError("export.error.damaged")


def _decode(raw: bytes) -> dict[str, Any]:
    try:
        meta = json.loads(raw)
    except ValueError:
        raise StationError("export.error.damaged") from None
    except RecursionError:  # crafted deep nesting ([[[[...) inside a sealed record
        raise StationError("export.error.hostile") from None
    if not isinstance(meta, dict):
        raise StationError("export.error.damaged")
    return meta


def read_records(chunks: Iterable[bytes], state: ReadState, *, decode: bool = True) -> Iterator[Record]:
    """Data records in order. Raises on a hostile or damaged stream; the manifest is checked at the end,
    so the caller must consume the iterator fully before trusting (committing) anything it read.

    `decode=False` (the writer's read-back of the pack it has just written, whose file hash must match):
    framing, kinds, sizes, per-part counts and hashes, manifest and origin are all checked, but data
    records are not JSON-decoded and come back empty."""
    buf = _Buffer(chunks)
    hashes = {name: hashlib.sha256() for name in PARTS.values()}
    first = True
    while True:
        head = buf.read(_REC.size)
        if head is None:
            raise StationError("export.error.truncated")  # stream ended without a manifest
        kind, meta_len, blob_len = _REC.unpack(head)
        if meta_len > MAX_META or blob_len > MAX_BLOB:
            raise StationError("export.error.hostile")
        body = buf.read(meta_len + blob_len)
        if body is None:
            raise StationError("export.error.truncated")
        meta = _decode(body[:meta_len]) if decode or first or kind == MANIFEST else {}
        if first:
            if kind != HEADER:
                raise StationError("export.error.damaged")
            _check_header(meta)
            state.header = meta
            first = False
            continue
        if kind == MANIFEST:
            _check_manifest(meta, state, hashes)
            state.manifest = meta
            state.origin = _read_origin(buf)
            return
        part = PARTS.get(kind)
        if part is None:
            raise StationError("export.error.hostile")
        hashes[part].update(head)
        hashes[part].update(body)
        state.counts[part] += 1
        yield Record(kind, meta, body[meta_len:] if decode else b"")


def _read_origin(buf: _Buffer) -> dict[str, Any] | None:
    """The optional origin record after the manifest, then the end of the stream."""
    head = buf.read(_REC.size)
    if head is None:
        return None
    kind, meta_len, blob_len = _REC.unpack(head)
    if kind != ORIGIN or meta_len > MAX_META or blob_len:
        raise StationError("export.error.damaged")
    body = buf.read(meta_len)
    try:
        meta = json.loads(body or b"")
    except (ValueError, RecursionError):
        raise StationError("export.error.damaged") from None
    if not isinstance(meta, dict) or buf.read(1) is not None:
        raise StationError("export.error.damaged")
    return meta


def _check_manifest(meta: dict[str, Any], state: ReadState, hashes: dict[str, Any]) -> None:
    parts = meta.get("parts")
    if not isinstance(parts, dict) or meta.get("pack_id") != state.header.get("pack_id"):
        raise StationError("export.error.damaged")
    for name, h in hashes.items():
        entry = parts.get(name)
        if not isinstance(entry, dict):
            raise StationError("export.error.damaged")
        if entry.get("count") != state.counts[name] or entry.get("sha256") != h.hexdigest():
            raise StationError("export.error.manifest_mismatch", part=name)

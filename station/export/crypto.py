"""Office key pair (X25519) and the sealed chunk stream of a pack (HKDF-SHA256, AES-256-GCM, STREAM nonces).

Outer file layout (all integers big-endian):

    MAGIC (8) | version u16 | header_len u32 | header JSON | chunk*

    chunk := ct_len u32 | AES-256-GCM(key, nonce = counter (11 bytes) | final flag (1 byte), plaintext,
                                      aad = SHA-256(MAGIC | version | header_len | header JSON))

The key is derived from an ephemeral X25519 exchange with the office public key, so only the holder of
the office private key can open a pack; the station that wrote it keeps the stream key in memory only
while it reads the file back to verify it. The final flag makes truncation detectable; the header is
bound to every chunk, so one flipped bit anywhere is caught.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from station.errors import StationError

MAGIC = b"RSTNPACK"
FORMAT_VERSION = 1
CHUNK = 256 * 1024  # plaintext bytes per chunk
TAG = 16
MAX_HEADER = 16 * 1024
MAX_CHUNK = 4 * 1024 * 1024  # a reader refuses any larger declared chunk
_INFO = b"registration-station/pack/v1"


def key_id(public_raw: bytes) -> str:
    """Short fingerprint of an office public key (shown to people, stored in every pack header)."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def public_raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# ---- office key files ----------------------------------------------------------------------------

def generate_office_key(passphrase: str) -> tuple[bytes, bytes]:
    """A new office key pair: (private key PEM encrypted with `passphrase`, public key PEM)."""
    if len(passphrase) < 10:
        raise StationError("export.error.key_passphrase_short", minimum=10)
    private = X25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    pub = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, pub


def load_public_key(data: bytes) -> X25519PublicKey:
    """An office public key from PEM, or from the raw key in base64 (one line)."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        else:
            key = X25519PublicKey.from_public_bytes(base64.b64decode(data.strip(), validate=True))
    except (ValueError, TypeError):
        raise StationError("export.error.public_key_invalid") from None
    if not isinstance(key, X25519PublicKey):
        raise StationError("export.error.public_key_invalid")
    return key


def load_private_key(path: Path, passphrase: str) -> X25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError:
        raise StationError("export.error.private_key_unreadable") from None
    try:
        key = serialization.load_pem_private_key(data, passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        raise StationError("export.error.private_key_locked") from None
    if not isinstance(key, X25519PrivateKey):
        raise StationError("export.error.private_key_locked")
    return key


# ---- the sealed stream -----------------------------------------------------------------------------

def _derive(shared: bytes, salt: bytes, epk: bytes, office_pub: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt, _INFO + epk + office_pub).derive(shared)


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class SealWriter:
    """Encrypts a plaintext byte stream into `out` in fixed-size chunks; `close()` writes the final chunk."""

    def __init__(self, out: BinaryIO, office_public: X25519PublicKey) -> None:
        eph = X25519PrivateKey.generate()
        epk = public_raw(eph.public_key())
        office_raw = public_raw(office_public)
        salt = os.urandom(32)
        self.key = _derive(eph.exchange(office_public), salt, epk, office_raw)
        header = json.dumps({
            "kem": "X25519", "kdf": "HKDF-SHA256", "aead": "AES-256-GCM", "chunk": CHUNK,
            "epk": base64.b64encode(epk).decode(), "salt": base64.b64encode(salt).decode(),
            "key_id": key_id(office_raw),
        }, sort_keys=True).encode()
        prefix = MAGIC + struct.pack(">HI", FORMAT_VERSION, len(header)) + header
        self.aad = hashlib.sha256(prefix).digest()
        self._aead = AESGCM(self.key)
        self._out = out
        self._parts: list[bytes] = []  # written, not yet sealed: joined once per chunk, not copied per write
        self._pending = 0
        self._counter = 0
        self.closed = False
        out.write(prefix)

    def write(self, data: bytes) -> None:
        self._parts.append(bytes(data))
        self._pending += len(data)
        if self._pending > CHUNK:  # keep at least one byte back so the final chunk is never empty
            buf = b"".join(self._parts)
            view, pos = memoryview(buf), 0
            while len(buf) - pos > CHUNK:
                self._emit(view[pos : pos + CHUNK], final=False)
                pos += CHUNK
            rest = buf[pos:]
            self._parts, self._pending = [rest], len(rest)

    def _emit(self, plain: bytes | memoryview, *, final: bool) -> None:
        ct = self._aead.encrypt(_nonce(self._counter, final), plain, self.aad)
        self._counter += 1
        self._out.write(struct.pack(">I", len(ct)))
        self._out.write(ct)

    def close(self) -> None:
        if not self.closed:
            self._emit(b"".join(self._parts), final=True)
            self._parts, self._pending = [], 0
            self.closed = True


@dataclass(frozen=True)
class OuterHeader:
    version: int
    fields: dict[str, object]
    aad: bytes

    @property
    def key_id(self) -> str:
        return str(self.fields.get("key_id", ""))


def _read_exact(src: BinaryIO, n: int) -> bytes:
    data = src.read(n)
    if data is None or len(data) != n:
        raise StationError("export.error.truncated")
    return data


def read_header(src: BinaryIO) -> OuterHeader:
    head = src.read(len(MAGIC) + 6)
    if len(head) < len(MAGIC) or head[: len(MAGIC)] != MAGIC:
        raise StationError("export.error.not_a_pack")
    if len(head) < len(MAGIC) + 6:
        raise StationError("export.error.truncated")
    version, hlen = struct.unpack(">HI", head[len(MAGIC):])
    if version < 1 or hlen > MAX_HEADER:
        raise StationError("export.error.damaged")
    raw = _read_exact(src, hlen)
    try:
        fields = json.loads(raw)
    except (ValueError, RecursionError):
        raise StationError("export.error.damaged") from None
    if version > FORMAT_VERSION:  # only a header that parses is a newer program's; random bytes are damage
        if isinstance(fields, dict):
            raise StationError("export.error.future_version", version=version, supported=FORMAT_VERSION)
        raise StationError("export.error.damaged")
    if not isinstance(fields, dict) or fields.get("aead") != "AES-256-GCM" or fields.get("kem") != "X25519":
        raise StationError("export.error.damaged")
    return OuterHeader(version, fields, hashlib.sha256(head + raw).digest())


def stream_key(header: OuterHeader, private: X25519PrivateKey) -> bytes:
    """The chunk key for this pack, or a clear refusal when the pack was sealed for another office key."""
    office_raw = public_raw(private.public_key())
    if header.key_id != key_id(office_raw):
        raise StationError("export.error.wrong_key")
    try:
        epk = base64.b64decode(str(header.fields["epk"]), validate=True)
        salt = base64.b64decode(str(header.fields["salt"]), validate=True)
        shared = private.exchange(X25519PublicKey.from_public_bytes(epk))
    except (KeyError, ValueError, TypeError):
        raise StationError("export.error.damaged") from None
    return _derive(shared, salt, epk, office_raw)


def open_chunks(src: BinaryIO, header: OuterHeader, key: bytes) -> Iterator[bytes]:
    """Authenticated plaintext chunks in order; refuses a damaged, reordered, truncated or extended stream."""
    aead = AESGCM(key)
    counter = 0
    while True:
        raw_len = src.read(4)
        if len(raw_len) < 4:
            raise StationError("export.error.truncated")
        (ct_len,) = struct.unpack(">I", raw_len)
        if ct_len < TAG or ct_len > MAX_CHUNK + TAG:
            raise StationError("export.error.damaged")
        ct = _read_exact(src, ct_len)
        try:
            plain = aead.decrypt(_nonce(counter, False), ct, header.aad)
            final = False
        except InvalidTag:
            try:
                plain = aead.decrypt(_nonce(counter, True), ct, header.aad)
                final = True
            except InvalidTag:
                raise StationError("export.error.damaged") from None
        counter += 1
        yield plain
        if final:
            if src.read(1):
                raise StationError("export.error.damaged")  # bytes after the final chunk
            return

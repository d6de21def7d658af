"""Ed25519 signatures (cryptography) over canonical JSON, and sealing a private key under a key-encryption key.

Each account has its own signing key (see keyring.py: sealed under the same Argon2id-derived key as the
account's copy of the database key). Statements are signed as canonical JSON (sorted keys, no spaces,
UTF-8), so the same statement always gives the same bytes on every machine.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def new_private_key() -> bytes:
    """32 raw bytes of a fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_of(private_raw: bytes) -> str:
    """The public half, base64 of its 32 raw bytes."""
    return b64(Ed25519PrivateKey.from_private_bytes(private_raw).public_key().public_bytes(Encoding.Raw,
                                                                                             PublicFormat.Raw))


def fingerprint(public_b64: str) -> str:
    """A short, stable name for a public key (16 hex digits of its SHA-256)."""
    return hashlib.sha256(unb64(public_b64)).hexdigest()[:16]


def sign(private_raw: bytes, data: bytes) -> str:
    return b64(Ed25519PrivateKey.from_private_bytes(private_raw).sign(data))


def verify(public_b64: str, data: bytes, signature_b64: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_b64)).verify(unb64(signature_b64), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def sign_statement(private_raw: bytes, body: dict[str, Any]) -> dict[str, Any]:
    """{"body": ..., "by": public key, "sig": signature over the canonical body}."""
    return {"body": body, "by": public_of(private_raw), "sig": sign(private_raw, canonical(body))}


def statement_ok(statement: Any) -> bool:
    """True if `statement` is well formed and its signature matches its "by" key (who that is, is the caller's
    business)."""
    return (isinstance(statement, dict) and isinstance(statement.get("body"), dict)
            and isinstance(statement.get("by"), str) and isinstance(statement.get("sig"), str)
            and verify(statement["by"], canonical(statement["body"]), statement["sig"]))


def seal(kek: bytes, secret: bytes, aad: bytes) -> tuple[str, str]:
    """AES-256-GCM: (nonce, ciphertext), base64."""
    nonce = os.urandom(12)
    return b64(nonce), b64(AESGCM(kek).encrypt(nonce, secret, aad))


def unseal(kek: bytes, nonce_b64: str, sealed_b64: str, aad: bytes) -> bytes | None:
    try:
        return AESGCM(kek).decrypt(unb64(nonce_b64), unb64(sealed_b64), aad)
    except (InvalidTag, ValueError):
        return None

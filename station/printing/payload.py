"""Codes printed on cards and wristbands: `RS1:<regno>:<ref>:<mac>`, signed with the site's card key.

- Ration card: `RS1:MKH-02-000123-K:2:ABCDEFGHJK` (ref = card issue number 2).
- Wristband:   `RS1:MKH-02-000123-K:W3:ABCDEFGHJK` (ref = W + member position 3).

mac = the first 10 characters of base32(HMAC-SHA256(site key, "RS1|<regno>|<ref>")), 50 bits: enough that
a forged code is refused, short enough for a small QR (every character is in the QR alphanumeric set).
The prefix `RS1:` is how the scanning side routes a code to the household lookup: keep it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

PREFIX = "RS1"
MAC_LEN = 10
_PATTERN = re.compile(rf"^RS1:([A-Z0-9-]{{8,24}}):(W?)(\d{{1,4}}):([A-Z2-7]{{{MAC_LEN}}})$")


def mac(key: bytes, regno: str, ref: str) -> str:
    digest = hmac.new(key, f"{PREFIX}|{regno}|{ref}".encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:MAC_LEN]


def card_payload(key: bytes, regno: str, issue: int) -> str:
    ref = str(issue)
    return f"{PREFIX}:{regno}:{ref}:{mac(key, regno, ref)}"


def wristband_payload(key: bytes, regno: str, position: int) -> str:
    ref = f"W{position}"
    return f"{PREFIX}:{regno}:{ref}:{mac(key, regno, ref)}"


@dataclass(frozen=True)
class Parsed:
    regno: str
    kind: str  # "card" | "wristband"
    number: int  # card issue, or member position for a wristband
    mac: str

    @property
    def ref(self) -> str:
        return f"W{self.number}" if self.kind == "wristband" else str(self.number)


def parse(text: str) -> Parsed | None:
    """Split a scanned code; None if it is not a station code at all (MAC not checked here)."""
    m = _PATTERN.match(text.strip().upper())
    if not m:
        return None
    return Parsed(m.group(1), "wristband" if m.group(2) else "card", int(m.group(3)), m.group(4))


def mac_ok(key: bytes, parsed: Parsed) -> bool:
    return hmac.compare_digest(mac(key, parsed.regno, parsed.ref), parsed.mac)

"""Recognise the station's own codes (ration cards, wristbands) in scanned text and route them.

`classify_code(text)` is the one place that knows the payload formats; adapt it when the printing side
settles its format. Today it accepts a bare registration number (MKH-02-000123-K) and the printed payload
`RS1:<regno>:<issue>:<mac>` (the MAC is checked by the printing side, not here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from station.domain.regno import RegNo, RegNoError

PAYLOAD_PREFIX = "RS1:"
MAX_LEN = 256
# Ration card: RS1:<regno>:<issue>:<mac>; wristband: RS1:<regno>:W<member position>:<mac>.
_PAYLOAD = re.compile(r"^RS1:([A-Z0-9-]{8,20}):W?([0-9]{1,4}):([A-Za-z0-9_-]{4,128})$")


class CodeKind(StrEnum):
    REGNO = "regno"  # a bare registration number
    STATION_CARD = "station_card"  # a ration card / wristband payload
    BAD_REGNO = "bad_regno"  # looks like ours but the check character or format is wrong
    OTHER = "other"  # anything else (a product barcode, an ID's PDF417...)


@dataclass(frozen=True)
class CodeMatch:
    kind: CodeKind
    regno: RegNo | None = None
    issue: int | None = None
    mac: str = ""

    @property
    def opens_household(self) -> bool:
        return self.regno is not None


def classify_code(text: str) -> CodeMatch:
    """What a scanned text is; a RegNo only when its check character holds. Never raises."""
    if not isinstance(text, str) or not text or len(text) > MAX_LEN:
        return CodeMatch(CodeKind.OTHER)
    t = text.strip()
    if any(ord(c) < 32 or ord(c) == 0x7F for c in t):
        return CodeMatch(CodeKind.OTHER)
    if t.upper().startswith(PAYLOAD_PREFIX):
        m = _PAYLOAD.match(PAYLOAD_PREFIX + t[len(PAYLOAD_PREFIX):])
        if not m:
            return CodeMatch(CodeKind.BAD_REGNO)
        try:
            return CodeMatch(CodeKind.STATION_CARD, RegNo.parse(m.group(1)), int(m.group(2)), m.group(3))
        except RegNoError:
            return CodeMatch(CodeKind.BAD_REGNO)
    if len(t) > 24 or not re.fullmatch(r"[A-Za-z0-9\- \u0660-\u0669\u06f0-\u06f9]+", t):
        return CodeMatch(CodeKind.OTHER)
    try:
        return CodeMatch(CodeKind.REGNO, RegNo.parse(t))
    except RegNoError as exc:
        return CodeMatch(CodeKind.BAD_REGNO if exc.code == "regno.check" else CodeKind.OTHER)

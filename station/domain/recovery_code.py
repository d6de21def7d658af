"""The recovery code's text form: base32 in dash-separated groups of five, typed back in any case or spacing."""

from __future__ import annotations

import base64


def format_recovery_code(raw: bytes) -> str:
    text = base64.b32encode(raw).decode().rstrip("=")
    return "-".join(text[i : i + 5] for i in range(0, len(text), 5))


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())

"""What a stored portrait is: a JPEG of bounded size (checked on save and on import)."""

from __future__ import annotations

MAX_PORTRAIT_BYTES = 2_000_000
JPEG_MAGIC = b"\xff\xd8\xff"

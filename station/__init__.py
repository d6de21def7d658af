"""Registration Station core: domain, storage, services, scanning, printing, export (never imports Qt)."""

from __future__ import annotations

__version__ = "0.1.0"

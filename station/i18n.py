"""One message catalogue for core and GUI: JSON files resources/translations/<area>.<lang>.json.

Core code returns message *keys* (error codes); the catalogue turns them into the user's language.
Every area (core, camera, scanning, printing, export, accounts) owns its own file, so work on one
area never edits another's catalogue. English is the reference: a translation whose {placeholders}
differ from the English string is rejected and the English text is used instead.
"""

from __future__ import annotations

import json
import logging
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from station.paths import translations_dir

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = {"en": "English", "ar": "العربية", "ckb": "کوردی (سۆرانی)"}
RTL_LANGUAGES = frozenset({"ar", "ckb"})
REFERENCE = "en"

_current = REFERENCE


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def catalogue(lang: str, folder: Path | None = None) -> Mapping[str, str]:
    """All keys for one language, merged over every area file."""
    folder = folder or translations_dir()
    merged: dict[str, str] = {}
    for path in sorted(folder.glob(f"*.{lang}.json")):
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        for key, value in data.items():
            if key.startswith("_"):
                continue  # comments for translators
            merged[key] = value
    return merged


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language: {lang}")
    _current = lang


def current_language() -> str:
    return _current


def is_rtl(lang: str | None = None) -> bool:
    return (lang or _current) in RTL_LANGUAGES


def tr(key: str, lang: str | None = None, /, **params: object) -> str:
    """The message for `key` in `lang` (default: current), formatted with `params`.

    Falls back to English, then to the key itself, so a missing translation never hides a message.
    """
    lang = lang or _current
    english = catalogue(REFERENCE).get(key)
    text = catalogue(lang).get(key) if lang != REFERENCE else english
    if text is not None and english is not None and placeholders(text) != placeholders(english):
        log.warning("translation %s/%s has wrong placeholders; using English", lang, key)
        text = english
    if text is None:
        text = english if english is not None else key
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        log.warning("message %s could not be formatted", key)
        return text

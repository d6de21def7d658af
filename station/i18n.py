"""One message catalogue for core and GUI: gettext station/resources/translations/<area>.<lang>.po, read by Babel.

Core code returns message *keys* (error codes); the catalogue turns them into the user's language.
Every area (core, camera, scanning, printing, export, accounts ...) owns its own file, so work on one
area never edits another's catalogue. In a .po file, msgctxt is the area and msgid is the key; the
English file holds the reference text. English is the reference: a translation whose {placeholders}
differ from the English string is rejected and the English text is used instead.

Counts use plural entries (msgid_plural, one msgstr per plural form of the language, as CLDR defines
them through Babel: Arabic has six forms, Sorani and English two). Ask for one with `tn(key, n)` (or
`tr(key, n=...)`): the count is always the placeholder `{n}`, and a form may leave `{n}` out (Arabic
"أسرة واحدة", "one household").

The older JSON catalogues were converted by scripts/catalogue_json_to_po.py and are no longer read;
`_read_json` remains for that script's checks.
"""

from __future__ import annotations

import json
import logging
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po

from station.paths import translations_dir

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = {"en": "English", "ar": "العربية", "ckb": "کوردی (سۆرانی)"}
RTL_LANGUAGES = frozenset({"ar", "ckb"})
REFERENCE = "en"
COUNT = "n"  # the placeholder that carries the count in every plural entry
CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's order, also gettext's msgstr[i] order

_current = REFERENCE


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_categories(lang: str) -> tuple[str, ...]:
    """The CLDR plural categories of `lang`, in gettext's msgstr[i] order (Arabic: all six)."""
    tags = _locale(lang).plural_form.tags | {"other"}
    return tuple(c for c in CATEGORIES if c in tags)


def plural_category(lang: str, n: float) -> str:
    """CLDR plural category of the number `n` in `lang` ("one", "few", ...)."""
    return str(_locale(lang).plural_form(n))


@dataclass(frozen=True)
class Catalogue:
    """One language's messages: plain texts by key, and plural entries as {category: text} by key."""

    texts: Mapping[str, str]
    plurals: Mapping[str, Mapping[str, str]]

    def get(self, key: str) -> str | None:  # the Mapping-like read the callers of catalogue() use
        return self.texts.get(key)

    def __getitem__(self, key: str) -> str:
        return self.texts[key]

    def __contains__(self, key: object) -> bool:
        return key in self.texts or key in self.plurals

    def keys(self) -> set[str]:
        return set(self.texts) | set(self.plurals)


def _read_json(path: Path, texts: dict[str, str], plurals: dict[str, Mapping[str, str]]) -> None:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    for key, value in data.items():
        if key.startswith("_"):
            continue  # comments for translators
        if isinstance(value, dict):
            plurals[key] = {str(c): str(t) for c, t in value.items() if c in CATEGORIES and t}
        else:
            texts[key] = str(value)


def _read_po(path: Path, lang: str, texts: dict[str, str], plurals: dict[str, Mapping[str, str]]) -> None:
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    order = plural_categories(lang)
    for msg in cat:
        if not msg.id or msg.fuzzy:
            continue  # the header; fuzzy entries are guesses a translator has not confirmed
        if msg.pluralizable:
            forms = msg.string if isinstance(msg.string, tuple) else (msg.string,)
            plurals[str(msg.id[0])] = {c: str(t) for c, t in zip(order, forms, strict=False) if t}
        elif msg.string:
            texts[str(msg.id)] = str(msg.string)


@cache
def load(lang: str, folder: Path | None = None) -> Catalogue:
    """Every message of one language, merged over every area's gettext file."""
    folder = folder or translations_dir()
    texts: dict[str, str] = {}
    plurals: dict[str, Mapping[str, str]] = {}
    for path in sorted(folder.glob(f"*.{lang}.po")):
        _read_po(path, lang, texts, plurals)
    return Catalogue(texts, plurals)


def catalogue(lang: str, folder: Path | None = None) -> Catalogue:
    """All keys for one language (plain texts through `.get` and `[]`; plural entries in `.plurals`)."""
    return load(lang, folder)


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language: {lang}")
    _current = lang


def current_language() -> str:
    return _current


def is_rtl(lang: str | None = None) -> bool:
    return (lang or _current) in RTL_LANGUAGES


def plural_form_ok(text: str, english_other: str) -> bool:
    """A plural form may drop the count, nothing else: its placeholders are the English ones, less {n} or not."""
    names, reference = placeholders(text), placeholders(english_other)
    return names in (reference, reference - {COUNT})


def _category(lang: str, n: object) -> str:
    return plural_category(lang, n) if isinstance(n, int | float) else "other"


def _plural_text(key: str, lang: str, n: object) -> str | None:
    english = load(REFERENCE).plurals.get(key)
    if english is None:
        return None
    english_text = english.get(_category(REFERENCE, n)) or english.get("other") or next(iter(english.values()))
    if lang == REFERENCE:
        return english_text
    forms = load(lang).plurals.get(key, {})
    text = forms.get(_category(lang, n)) or forms.get("other")
    if text is None:
        return english_text
    if not plural_form_ok(text, english.get("other", english_text)):
        log.warning("translation %s/%s has wrong placeholders; using English", lang, key)
        return english_text
    return text


def tr(key: str, lang: str | None = None, /, **params: object) -> str:
    """The message for `key` in `lang` (default: current), formatted with `params`.

    A plural entry picks its form by the count `n` (`params["n"]`). Falls back to English, then to the
    key itself, so a missing translation never hides a message.
    """
    lang = lang or _current
    plural = _plural_text(key, lang, params.get(COUNT))
    if plural is not None:
        text = plural
    else:
        english = load(REFERENCE).get(key)
        found = load(lang).get(key) if lang != REFERENCE else english
        if found is not None and english is not None and placeholders(found) != placeholders(english):
            log.warning("translation %s/%s has wrong placeholders; using English", lang, key)
            found = english
        text = found if found is not None else english if english is not None else key
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        log.warning("message %s could not be formatted", key)
        return text


def tn(key: str, n: int, lang: str | None = None, /, **params: object) -> str:
    """The plural entry `key` for the count `n` ("1 household", "2 households"; Arabic by its six forms)."""
    return tr(key, lang, n=n, **params)

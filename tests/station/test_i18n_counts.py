"""Every count in the interface and on paper goes through a plural entry (`tn`), never "1 files" or "match(es)".

A placeholder whose name says it carries a count must be either the `{n}` of a plural entry, a measure
or position that needs no plural form (the allow-lists below, each with its reason), or a slot filled
with a phrase that `tn` already made ("3 households"), listed per message.
"""

from __future__ import annotations

import pytest

from station import i18n

COUNT_LIKE = frozenset({
    "n", "count", "minutes", "seconds", "people", "households", "individuals", "files", "value", "events",
    "portraits", "alerts", "found", "open", "opened", "added", "kept", "updated", "rows", "total", "shown",
    "first", "last", "offset", "page", "pages", "percent", "mb", "free_mb", "need_mb", "mp", "px", "need",
    "minimum", "max",
})

# Same meaning in every message, and no plural form needed in en, ar or ckb:
ALLOWED_NAMES = {
    # a measure followed by a unit symbol or abbreviation that does not inflect: "40%", "120 MB", "160 px"
    "percent": "unit", "mb": "unit", "free_mb": "unit", "need_mb": "unit", "mp": "unit", "px": "unit",
    "need": "unit (px)",
    # the hold-to-erase threshold and its timing, written with the symbol s: "3 s", "2.31 s"
    "seconds": "unit (s)",
    # positions and totals written as bare numbers: "Page 2 of 5", "101–200 of 1,340", "100 of 1,340 shown"
    "page": "position", "pages": "position", "first": "position", "last": "position", "total": "position",
    "shown": "position", "offset": "position",
    # policy limits, fixed round numbers (a passphrase of at least 12 characters, 1 to 99 of an item)
    "minimum": "round policy number", "max": "round policy number",
}

# One message and placeholder each, with the reason it needs no plural form.
ALLOWED_KEYS = {
    ("tracing.reason.names", "value"): "a percent: names 87% alike",
    ("duplicates.ui.candidate", "i"): "position: Candidate 2 of 3",
    ("duplicates.ui.candidate", "n"): "position: Candidate 2 of 3",
    ("scanning.dialog.barcodes", "count"): "a label and its number: Barcodes: 2",
    ("doctor.fonts_missing", "files"): "a list of file names, not a count",
    ("export.error.bad_date", "value"): "the text typed, not a count: Not a date: 31/02",
}

# Slots filled with a phrase `tn` made ("3 households", "1 possible match"): the noun agrees already.
COMPOSED = {
    "export.cli.written": {"households", "individuals", "portraits", "events"},
    "export.ui.done": {"households", "individuals", "portraits"},
    "export.cli.imported": {"added", "updated", "kept", "portraits", "events"},
    "export.cli.plain_written": {"rows"},
    "report.export_line": {"households", "portraits"},
    "report.people_in_households": {"individuals", "households"},
    "report.tracing_counts": {"opened", "open", "alerts", "found"},
    "cli.demo_done": {"households", "people"},
    "audit.verify.ok": {"events"},
    "tracing.cli.added": {"alerts"},
    "erase.cli.done": {"files"},
    "retention.cli.purged": {"people"},
}


def bare_counts(texts: dict[str, str], plural_keys: set[str]) -> list[tuple[str, str]]:
    """(key, placeholder) pairs where a count is put into a sentence without a plural form."""
    found = []
    for key, text in sorted(texts.items()):
        for name in sorted(i18n.placeholders(text) & COUNT_LIKE):
            if key in plural_keys and name == i18n.COUNT:
                continue  # the count of the plural entry itself
            if name in ALLOWED_NAMES or (key, name) in ALLOWED_KEYS or name in COMPOSED.get(key, set()):
                continue
            found.append((key, name))
    return found


def _english() -> tuple[dict[str, str], set[str]]:
    cat = i18n.load(i18n.REFERENCE)
    texts = dict(cat.texts)
    for key, forms in cat.plurals.items():
        texts[key] = " ".join(forms.values())
    return texts, set(cat.plurals)


def test_no_count_bypasses_the_plural_forms() -> None:
    texts, plural_keys = _english()
    assert bare_counts(texts, plural_keys) == []


def test_the_check_finds_a_bare_count() -> None:
    """The check itself: the kinds of entry the audit found are caught."""
    texts = {"x.files": "({files} files destroyed)", "x.ago": "{item}, {minutes} min ago",
             "x.plural": "{n} household purged ({people} people)", "x.fine": "{n} households",
             "x.unit": "{mb} MB free", "x.people": "{value} people here share this name"}
    assert bare_counts(texts, {"x.plural", "x.fine"}) == [
        ("x.ago", "minutes"), ("x.files", "files"), ("x.people", "value"), ("x.plural", "people")]


def test_allow_lists_name_real_messages() -> None:
    """An allow-list entry for a message that is gone (or lost the placeholder) is removed, not kept."""
    texts, _plural_keys = _english()
    for key, name in ALLOWED_KEYS:
        assert name in i18n.placeholders(texts.get(key, "")), (key, name)
    for key, names in COMPOSED.items():
        assert names <= i18n.placeholders(texts.get(key, "")), key


@pytest.mark.parametrize(("key", "n", "params", "en"), [
    ("distribution.repeat_line", 1, {"item": "Water"}, "• Water, 1 min ago"),
    ("tracing.reason.namesakes", 1, {}, "1 person here shares this name"),
    ("tracing.reason.namesakes", 3, {}, "3 people here share this name"),
    ("tracing.reason.age_close", 1, {}, "age within 1 year"),
    ("tracing.reason.name_parts", 1, {}, "1 name part compared"),
    ("tracing.cli.matches", 1, {}, "1 possible match"),
    ("erase.cli.files_destroyed", 1, {}, "1 file destroyed"),
    ("report.tracing.alerts", 2, {}, "2 possible matches waiting"),
])
def test_counts_read_well(key: str, n: int, params: dict[str, object], en: str) -> None:
    assert i18n.tn(key, n, "en", **params) == en
    forms = {i18n.tn(key, k, "ar", **params) for k in (0, 1, 2, 3, 11, 100)}
    assert len(forms) >= 3 and not any("{" in f for f in forms)  # Arabic's forms are its own
    assert i18n.tn(key, 1, "ckb", **params) != i18n.tn(key, 1, "en", **params)

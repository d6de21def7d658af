"""Convert the JSON message catalogues (station/resources/translations/<area>.<lang>.json) to gettext .po files.

    .venv/bin/python -m scripts.catalogue_json_to_po [--folder DIR] [--keep-json] [--check]

Each <area>.<lang>.json becomes <area>.<lang>.po: msgctxt is the area, msgid the key, msgstr the text
(English too: the keys are the msgids, the English file holds the reference text). A plural entry
(a JSON object from CLDR category to text) becomes a msgid_plural entry with one msgstr per plural form
of the language, in gettext order (Babel's CLDR data: Arabic six, Sorani and English two). The file's
"_comment" becomes the .po header comment; a "_comments" object (key -> note) becomes translator comments.
The JSON file is deleted once its .po file reads back to exactly the same messages (--keep-json keeps it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from station import i18n
from station.paths import translations_dir


def _catalog(area: str, lang: str, data: dict[str, object]) -> Catalog:
    header = str(data.get("_comment", "")).strip()
    notes = data.get("_comments", {})
    cat = Catalog(locale=lang, domain=area, project="Registration Station", version="",
                  header_comment="\n".join(f"# {line}" for line in header.splitlines()) or "#",
                  charset="utf-8", fuzzy=False)
    order = i18n.plural_categories(lang)
    for key, value in data.items():
        if key.startswith("_"):
            continue
        comment = [str(notes[key])] if isinstance(notes, dict) and key in notes else []
        if isinstance(value, dict):
            other = str(value.get("other", ""))
            forms = tuple(str(value.get(c, "")) or (other if lang == i18n.REFERENCE else "") for c in order)
            cat.add((key, key), forms, context=area, user_comments=comment)
        else:
            cat.add(key, str(value), context=area, user_comments=comment)
    return cat


def convert(folder: Path, keep_json: bool = False) -> list[Path]:
    """Write a .po beside every JSON catalogue in `folder`; returns the .po files written."""
    written: list[Path] = []
    for path in sorted(folder.glob("*.json")):
        area, lang = path.name.split(".")[:2]
        if lang not in i18n.LANGUAGES:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        out = folder / f"{area}.{lang}.po"
        if out.exists():  # an area already converted: the JSON's keys are merged in (as i18n.load reads them)
            texts: dict[str, str] = {}
            plurals: dict[str, object] = {}
            i18n._read_po(out, lang, texts, plurals)  # type: ignore[arg-type]
            data = {**texts, **plurals, **data}
        cat = _catalog(area, lang, data)
        with out.open("wb") as fh:
            write_po(fh, cat, width=100, sort_output=False, omit_header=False)
        _verify(path, out, lang, data)
        written.append(out)
        if not keep_json:
            path.unlink()
    return written


def _verify(json_path: Path, po_path: Path, lang: str, data: dict[str, object]) -> None:
    texts: dict[str, str] = {}
    plurals: dict[str, object] = {}
    i18n._read_po(po_path, lang, texts, plurals)  # type: ignore[arg-type]
    for key, value in data.items():
        if key.startswith("_"):
            continue
        want: object
        got: object
        if isinstance(value, dict):
            want = {c: t for c, t in value.items() if t and c in i18n.plural_categories(lang)}
            got = plurals.get(key)
            if lang == i18n.REFERENCE and isinstance(got, dict):
                got = {c: t for c, t in got.items() if c in value}
        else:
            want, got = value, texts.get(key)
        if got != want:
            raise SystemExit(f"{po_path.name}: {key} did not survive the conversion ({json_path.name} kept)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--folder", type=Path, default=None, help="catalogue folder (default: the station's translations)")
    p.add_argument("--keep-json", action="store_true", help="keep the JSON files after converting")
    args = p.parse_args(argv)
    written = convert(args.folder or translations_dir(), args.keep_json)
    print(f"{len(written)} catalogues written")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Catalogues are complete and consistent; the core never imports Qt or the ui package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from station import i18n
from station.paths import translations_dir

ROOT = Path(__file__).resolve().parents[2]


def _areas() -> list[str]:
    folder = translations_dir()
    return sorted({p.name.split(".")[0] for p in [*folder.glob("*.json"), *folder.glob("*.po")]})


def _area(area: str, lang: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """One area's messages in one language, from its .po file and/or its transitional .json file."""
    texts: dict[str, str] = {}
    plurals: dict[str, dict[str, str]] = {}
    po, js = translations_dir() / f"{area}.{lang}.po", translations_dir() / f"{area}.{lang}.json"
    if po.exists():
        i18n._read_po(po, lang, texts, plurals)  # type: ignore[arg-type]
    if js.exists():
        i18n._read_json(js, texts, plurals)  # type: ignore[arg-type]
    return texts, plurals


@pytest.mark.parametrize("area", _areas())
def test_every_language_has_every_key_with_same_placeholders(area: str) -> None:
    data = {lang: _area(area, lang) for lang in i18n.LANGUAGES}
    english, english_plurals = data["en"]
    for lang, (cat, plurals) in data.items():
        assert set(cat) == set(english), f"{area}.{lang}: {sorted(set(english) ^ set(cat))[:5]}"
        assert set(plurals) == set(english_plurals), f"{area}.{lang}: {sorted(set(english_plurals) ^ set(plurals))}"
        for key, text in cat.items():
            assert i18n.placeholders(text) == i18n.placeholders(english[key]), f"{area}.{lang}:{key}"
            assert text.strip(), f"{area}.{lang}:{key} is empty"
        for key, forms in plurals.items():
            assert set(forms) == set(i18n.plural_categories(lang)), f"{area}.{lang}:{key} lacks plural forms"
            reference = english_plurals[key]["other"]
            assert i18n.COUNT in i18n.placeholders(reference), f"{area}.en:{key} has no {{n}}"
            for category, text in forms.items():
                assert i18n.plural_form_ok(text, reference), f"{area}.{lang}:{key}[{category}]"
        if lang != "en":
            same = [k for k, v in cat.items() if v == english[k] and any(c.isalpha() for c in v) and len(v) > 12]
            assert len(same) <= max(2, len(cat) // 10), f"{area}.{lang} untranslated: {same[:5]}"


def test_tr_falls_back_and_guards_placeholders(tmp_path: Path) -> None:
    assert i18n.tr("error.passphrase_too_short", "ar", minimum=10).count("10") == 1
    assert i18n.tr("no.such.key") == "no.such.key"
    assert i18n.is_rtl("ckb") and i18n.is_rtl("ar") and not i18n.is_rtl("en")


def test_core_never_imports_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, station\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6', 'ui'):\n"
        "            raise ImportError('core imported ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "for m in pkgutil.walk_packages(station.__path__, 'station.'):\n"
        "    if '.migrations' in m.name or m.name.endswith('__main__'): continue\n"
        "    importlib.import_module(m.name)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_no_tracker_issue_numbers_in_catalogues_or_test_names() -> None:
    import re

    pattern = re.compile(r"\bissues?[ _#-]*\d+", re.IGNORECASE)
    folder = translations_dir()
    found = [p.name for p in [*folder.glob("*.json"), *folder.glob("*.po")]
             if pattern.search(p.read_text(encoding="utf-8"))]
    assert found == [], found
    names = [m.group(1) for p in (ROOT / "tests").rglob("test_*.py")
             for m in re.finditer(r"^\s*def (test_\w+)", p.read_text(encoding="utf-8"), re.M)]
    assert [n for n in names if pattern.search(n.replace("_", " "))] == []

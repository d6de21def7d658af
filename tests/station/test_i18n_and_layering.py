"""Catalogues are complete and consistent; the core never imports Qt or the ui package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from station import i18n
from station.paths import translations_dir

ROOT = Path(__file__).resolve().parents[2]


def _areas() -> list[str]:
    return sorted({p.name.split(".")[0] for p in translations_dir().glob("*.json")})


@pytest.mark.parametrize("area", _areas())
def test_every_language_has_every_key_with_same_placeholders(area: str) -> None:
    files = {lang: translations_dir() / f"{area}.{lang}.json" for lang in i18n.LANGUAGES}
    data = {
        lang: {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}
        for lang, path in files.items()
    }
    english = data["en"]
    for lang, cat in data.items():
        assert set(cat) == set(english), f"{area}.{lang}: {sorted(set(english) ^ set(cat))[:5]}"
        for key, text in cat.items():
            assert i18n.placeholders(text) == i18n.placeholders(english[key]), f"{area}.{lang}:{key}"
            assert text.strip(), f"{area}.{lang}:{key} is empty"
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

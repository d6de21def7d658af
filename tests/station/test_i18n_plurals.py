"""Plural forms by CLDR rules (Babel), gettext .po catalogues, the placeholder guard, the JSON -> .po converter."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.catalogue_json_to_po import convert
from station import i18n
from station.paths import translations_dir


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A catalogue folder of the test's own (i18n's cache is emptied before and after)."""
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    i18n.load.cache_clear()
    yield tmp_path
    i18n.load.cache_clear()


def _po(path: Path, lang: str, entries: str) -> None:
    header = {"en": "nplurals=2; plural=(n != 1);", "ckb": "nplurals=2; plural=(n != 1);",
              "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
                    "n%100>=11 ? 4 : 5);"}[lang]
    path.write_text(f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Plural-Forms: {header}\\n"\n'
                    f'"Content-Type: text/plain; charset=UTF-8\\n"\n\n{entries}', encoding="utf-8")


@pytest.mark.parametrize(("n", "category"), [(0, "zero"), (1, "one"), (2, "two"), (3, "few"), (11, "many"),
                                             (100, "other"), (102, "other"), (103, "few"), (111, "many")])
def test_arabic_has_six_forms(n: int, category: str) -> None:
    assert i18n.plural_categories("ar") == ("zero", "one", "two", "few", "many", "other")
    assert i18n.plural_category("ar", n) == category


@pytest.mark.parametrize("lang", ["en", "ckb"])
def test_english_and_sorani_have_two_forms(lang: str) -> None:
    assert i18n.plural_categories(lang) == ("one", "other")
    assert [i18n.plural_category(lang, n) for n in (0, 1, 2, 5)] == ["other", "one", "other", "other"]


def test_counts_in_the_shipped_catalogue() -> None:
    assert [i18n.tn("count.households", n, "en") for n in (1, 2)] == ["1 household", "2 households"]
    ar = [i18n.tn("count.households", n, "ar") for n in (0, 1, 2, 3, 11, 100)]
    assert ar == ["0 أسرة", "أسرة واحدة", "أسرتان", "3 أسر", "11 أسرة", "100 أسرة"]
    assert len(set(ar[1:5])) == 4  # one, two, few and many are four different words
    assert i18n.tn("count.households", 1, "ckb") == "1 خێزان"
    assert i18n.tr("camera.check.faces", "en", n=1) == "1 face found"
    assert i18n.tr("camera.check.faces", "en", n=2) == "2 faces found"
    assert i18n.tr("ui.register.found", "ar", n=0) != i18n.tr("ui.register.found", "ar", n=5)


def test_a_count_inside_a_sentence() -> None:
    text = i18n.tr("export.ui.done", "en", file="MKH-02.pack", households=i18n.tn("count.households", 1),
                   individuals=i18n.tn("count.individuals", 3), portraits=i18n.tn("count.portraits", 1))
    assert "1 household, 3 individuals, 1 portrait." in text


def test_po_catalogue_with_context_and_plurals(folder: Path) -> None:
    _po(folder / "demo.en.po", "en", 'msgctxt "demo"\nmsgid "demo.hello"\nmsgstr "Hello {name}"\n\n'
        'msgctxt "demo"\nmsgid "demo.kits"\nmsgid_plural "demo.kits"\nmsgstr[0] "{n} kit"\nmsgstr[1] "{n} kits"\n')
    _po(folder / "demo.ar.po", "ar", 'msgctxt "demo"\nmsgid "demo.hello"\nmsgstr "مرحبا {name}"\n\n'
        'msgctxt "demo"\nmsgid "demo.kits"\nmsgid_plural "demo.kits"\n'
        'msgstr[0] "لا حقائب"\nmsgstr[1] "حقيبة واحدة"\nmsgstr[2] "حقيبتان"\nmsgstr[3] "{n} حقائب"\n'
        'msgstr[4] "{n} حقيبة"\nmsgstr[5] "{n} حقيبة"\n\n'
        '#, fuzzy\nmsgctxt "demo"\nmsgid "demo.fuzzy"\nmsgstr "تخمين"\n')
    assert i18n.tr("demo.hello", "ar", name="Ali") == "مرحبا Ali"
    assert [i18n.tn("demo.kits", n, "ar") for n in (0, 1, 2, 3, 11)] == [
        "لا حقائب", "حقيبة واحدة", "حقيبتان", "3 حقائب", "11 حقيبة"]
    assert [i18n.tn("demo.kits", n, "en") for n in (1, 4)] == ["1 kit", "4 kits"]
    assert i18n.tr("demo.fuzzy", "ar") == "demo.fuzzy"  # a fuzzy guess is not used


def test_only_gettext_catalogues_are_read(folder: Path) -> None:
    """The JSON catalogues were converted (scripts/catalogue_json_to_po.py); a stray one is not a catalogue."""
    _po(folder / "a.en.po", "en", 'msgctxt "a"\nmsgid "a.old"\nmsgstr "From po"\n')
    (folder / "b.en.json").write_text('{"b.new": "From json"}', encoding="utf-8")
    assert i18n.tr("a.old", "en") == "From po" and i18n.tr("b.new", "en") == "b.new"


def test_placeholder_guard_rejects_a_broken_translation(folder: Path) -> None:
    _po(folder / "g.en.po", "en", 'msgctxt "g"\nmsgid "g.text"\nmsgstr "Saved as {number}."\n\n'
        'msgctxt "g"\nmsgid "g.n"\nmsgid_plural "g.n"\nmsgstr[0] "{n} file in {folder}"\n'
        'msgstr[1] "{n} files in {folder}"\n')
    _po(folder / "g.ar.po", "ar", 'msgctxt "g"\nmsgid "g.text"\nmsgstr "حُفظ باسم {رقم}."\n\n'
        'msgctxt "g"\nmsgid "g.n"\nmsgid_plural "g.n"\nmsgstr[0] "لا ملفات في {folder}"\n'
        'msgstr[1] "ملف واحد في {folder}"\nmsgstr[2] "ملفان"\nmsgstr[3] "{n} ملفات في {folder}"\n'
        'msgstr[4] "{n} ملفًا في {folder}"\nmsgstr[5] "{n} ملف في {count}"\n')
    assert i18n.tr("g.text", "ar", number="MKH-1") == "Saved as MKH-1."  # wrong placeholder: English
    assert i18n.tn("g.n", 1, "ar", folder="X") == "ملف واحد في X"  # {n} may be left out
    assert i18n.tn("g.n", 2, "ar", folder="X") == "2 files in X"  # {folder} may not
    assert i18n.tn("g.n", 100, "ar", folder="X") == "100 files in X"  # nor may a placeholder be made up
    assert i18n.tn("g.n", 3, "ar", folder="X") == "3 ملفات في X"


def test_converter_keeps_every_message(tmp_path: Path) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(translations_dir(), copy)
    jsons = sorted(p.name for p in copy.glob("*.json"))
    convert(copy)
    assert not list(copy.glob("*.json"))
    assert sorted(p.name for p in copy.glob("*.po")) >= sorted(n.replace(".json", ".po") for n in jsons)
    for lang in i18n.LANGUAGES:
        before, after = i18n.load(lang), i18n.load(lang, copy)
        assert dict(after.texts) == dict(before.texts)
        assert {k: dict(v) for k, v in after.plurals.items()} == {k: dict(v) for k, v in before.plurals.items()}
    text = (copy / "core.ar.po").read_text(encoding="utf-8")
    assert 'msgctxt "core"' in text and "nplurals=6" in text and 'msgid_plural "count.households"' in text


def test_converter_on_a_small_catalogue(tmp_path: Path) -> None:
    tmp_path = tmp_path / "cat"
    tmp_path.mkdir()
    (tmp_path / "t.en.json").write_text('{"_comment": "Test area.", "t.a": "A {x}", '
                                        '"t.n": {"one": "{n} box", "other": "{n} boxes"}}', encoding="utf-8")
    (tmp_path / "t.ar.json").write_text('{"_comment": "منطقة", "t.a": "أ {x}", "t.n": {"zero": "لا صناديق", '
                                        '"one": "صندوق", "two": "صندوقان", "few": "{n} صناديق", "many": "{n} صندوقًا", '
                                        '"other": "{n} صندوق"}}', encoding="utf-8")
    convert(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.ar.po", "t.en.po"]
    po = (tmp_path / "t.ar.po").read_text(encoding="utf-8")
    assert po.startswith("# منطقة") and 'msgstr[4] "{n} صندوقًا"' in po
    assert i18n.load("ar", tmp_path).plurals["t.n"]["two"] == "صندوقان"
    assert i18n.load("en", tmp_path).texts["t.a"] == "A {x}"


def test_an_error_with_a_count_is_plural_in_each_language() -> None:
    from station.errors import StationError

    assert "locked for 1 minute," in StationError("error.account_locked", n=1).message("en")
    assert "locked for 5 minutes," in StationError("error.account_locked", n=5).message("en")
    assert "دقيقتين" in StationError("error.account_locked", n=2).message("ar")
    assert "5 دقائق" in StationError("error.account_locked", n=5).message("ar")

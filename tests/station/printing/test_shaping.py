"""Bidi runs and HarfBuzz shaping without Qt: run order, font fallback, joined Sorani letters."""

from __future__ import annotations

from station.printing.fonts import Family
from station.printing.shaping import bidi_levels, shape


def test_rtl_paragraph_puts_latin_run_on_the_left() -> None:
    line = shape("محمد 2024 Ali", Family.NAME_RTL)
    assert line.base_rtl and line.has_rtl
    faces = [g.face.key for g in line.glyphs]
    assert faces[:3] == ["sans"] * 3  # "Ali" first on the page, in Noto Sans
    assert faces[-1] == "naskh"  # the Arabic word last (rightmost)
    xs = [g.x for g in line.glyphs]
    assert xs == sorted(xs)  # glyphs come in visual order, left to right


def test_brackets_follow_rule_n0() -> None:
    chars, levels, base = bidi_levels("Ali (علي) 3B")
    assert base == 0
    assert levels[chars.index("(")] == 0 and levels[chars.index(")")] == 0
    assert all(lv == 1 for ch, lv in zip(chars, levels, strict=True) if "\u0600" <= ch <= "\u06ff")


def test_sorani_letters_take_joining_forms() -> None:
    for letter in ("ێ", "ڵ"):
        isolated = shape(letter, Family.NAME_RTL).glyphs[0].gid
        medial = shape(f"ب{letter}ب", Family.NAME_RTL).glyphs[1].gid
        assert medial != isolated, letter


def test_zwnj_keeps_letters_apart() -> None:
    joined = shape("هەڵگورد", Family.NAME_RTL)
    apart = shape("هەڵ\u200cگورد", Family.NAME_RTL)
    assert [g.gid for g in joined.glyphs] != [g.gid for g in apart.glyphs]


def test_latin_only_line_is_ltr() -> None:
    line = shape("Fatima Al-Jubouri", Family.LATIN)
    assert not line.base_rtl and not line.has_rtl and line.width > 5

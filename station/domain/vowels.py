"""The vowels of a name between its consonants, as far as the spelling shows them: what tells Hassan from Hussein.

Hassan and Hussein, Mohammed and Mahmoud, Ahmed and Hamid, Omar and Amer share a consonant key
(station.domain.soundalike). Their vowels differ, but each script shows vowels differently: Arabic writes
long vowels (ا و ي) and leaves short ones out, Sorani writes nearly all of them (ە ێ ۆ و ی), and Latin
spellings write every vowel but long and short alike (Mohammed / Muhammad, Yousef / Yusuf). So each gap
between two consonants is read as the set of vowels it may stand for (short a i u, long A I U, or none),
and two spellings agree when every pair of gaps shares at least one reading:

    Hussein  h [u] s [ei -> I] n      Hassan   h [a] s [a] n         the second gap: {I} and {a, A}
    Ahmed    [a] h m [e] d            Hamid    [] h [a] m [i] d      the first gap: {a, A} and {none}
    حسين     h [] s [ي -> I] n        Hussain  h [u] s [ai -> I] n   every gap shares a reading

The last gap (after the last consonant: Fatima / Fatma / فاطمة) is never compared.
"""

from __future__ import annotations

Readings = frozenset[str]

NONE: Readings = frozenset({""})
SHORT: Readings = frozenset({"a", "i", "u"})
ANY_VOWEL: Readings = frozenset({"a", "i", "u", "A", "I", "U"})
ANYTHING: Readings = ANY_VOWEL | NONE
_UNWRITTEN = SHORT | NONE  # an Arabic gap with no letter: a short vowel or none

_LATIN_SINGLE = {
    "a": frozenset({"a", "A"}),
    "e": frozenset({"a", "i", "u", "A", "I", ""}),  # e stands in for any short vowel (Yousef / Yusuf)
    "i": frozenset({"i", "I", ""}),  # short i is often left out (Fatima / Fatma)
    "o": frozenset({"u", "U"}),
    "u": frozenset({"u", "U"}),
    "y": frozenset({"i", "I"}),
    "w": frozenset({"u", "U"}),
}
_LATIN_LONG = {
    **dict.fromkeys(("aa",), frozenset({"A"})),
    **dict.fromkeys(("ee", "ii", "ei", "ai", "ay", "ey", "ie", "iy", "iee", "eei"), frozenset({"I"})),
    **dict.fromkeys(("oo", "ou", "uu", "ow", "aw", "au", "uo", "ue", "oe"), frozenset({"U"})),
}
_GLOTTAL = frozenset("عءئؤأإآ")  # hamza and ayn: a vowel follows, but which one the letter does not say
_SORANI = frozenset("ەێۆڵڕڤگچپژیک")
_ARABIC_LONG = {"ا": frozenset({"A"}), "ى": frozenset({"A"}), "ي": frozenset({"I"}), "و": frozenset({"U"})}
_SORANI_VOWELS = {"ا": frozenset({"A", "a"}), "ە": frozenset({"a", "i", "A", "I"}), "ێ": frozenset({"I"}),
                  "ی": frozenset({"I", "i"}), "ي": frozenset({"I", "i"}), "و": frozenset({"U", "u"}),
                  "ۆ": frozenset({"U", "u"}), "وو": frozenset({"U"}), "ى": frozenset({"A"})}


_KURDISH_SHORT = {"و": frozenset({"u", "U"}), "ي": frozenset({"i", "I"}), "ی": frozenset({"i", "I"})}
_MIDDLE_SHORT = frozenset({"a", "u"})  # inside a word a and u alternate in Latin (Jubouri / Jabouri)


def _latin(gap: str, first: bool) -> Readings:
    if not gap:
        return NONE
    if not first and gap in ("a", "o", "u"):
        return _LATIN_SINGLE[gap] | _MIDDLE_SHORT
    return _LATIN_SINGLE.get(gap) or _LATIN_LONG.get(gap) or ANY_VOWEL


def _arabic(gap: str, first: bool, sorani: bool) -> Readings:
    if first and gap[:1] in ("ا", *_GLOTTAL):
        gap = gap[1:]  # a hamza seat or ayn starting the word: a vowel follows
        if not gap:  # and a short one: a long one is written (عمر Omar, عامر Aamer; أحمد, آمنة)
            return SHORT
        if gap in _KURDISH_SHORT:  # Sorani writes its short u and i too (عوسمان Osman)
            return _KURDISH_SHORT[gap]
    glottal = any(ch in _GLOTTAL for ch in gap)
    letters = "".join(ch for ch in gap if ch not in _GLOTTAL)
    if not letters:
        return ANYTHING if glottal else NONE if first else _UNWRITTEN
    if glottal:
        return ANY_VOWEL  # a vowel on each side of the hamza (عائشة: Aisha)
    table = _SORANI_VOWELS if sorani else _ARABIC_LONG
    return table.get(letters) or ANY_VOWEL


def gaps(spelled: str, classes: list[str]) -> tuple[Readings, ...]:
    """Readings of the gap before each consonant of the key (the same consonants `skeleton` keeps).

    `spelled` is one word as `soundalike._spelled` returns it (Latin digraphs already one letter) and
    `classes` each letter's consonant class ('' for a vowel letter).
    """
    latin = spelled.isascii()
    sorani = not latin and any(ch in _SORANI for ch in spelled)
    out: list[Readings] = []
    kept: list[str] = []
    pending = ""
    for i, (ch, cls) in enumerate(zip(spelled, classes, strict=True)):
        if not cls or (cls in "wy" and i > 0):
            pending += ch
            continue
        if kept and kept[-1] == cls:
            continue  # a doubled consonant: the vowels around it stay in the one gap
        out.append(_latin(pending, not kept) if latin else _arabic(pending, not kept, sorani))
        kept.append(cls)
        pending = ""
    if len(kept) > 1 and kept[-1] == "h":
        out.pop()  # the final h is dropped from the key: the gap before it is the last one
    return tuple(out)


def agree(a: tuple[Readings, ...], b: tuple[Readings, ...], complete: bool = True) -> bool:
    """Whether two words' gaps share a reading everywhere; `complete=False`: `a` is a typed beginning."""
    if complete and len(a) != len(b):
        return False
    n = min(len(a), len(b))
    for i in range(n):
        x, y = a[i], b[i]
        if x & y:
            continue
        # before the last consonant a short vowel comes and goes in Latin (Bakr / Bakar, Fadl / Fadel)
        if i == len(a) - 1 == len(b) - 1 and i > 0 and (("" in x and y & SHORT) or ("" in y and x & SHORT)):
            continue
        return False
    return True

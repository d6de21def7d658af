"""Sound-alike keys for names: one consonant skeleton for every spelling of a name, in either script.

The same person is written Mohammed, Muhammad, Mohamad or محمد depending on the clerk and the document;
a mother looking for her son must find him whichever was typed. The key keeps the consonants in a few
classes, drops vowels (and the letters that act as vowels: alef, waw and yeh after the first letter,
ayn, hamza, Sorani vowel letters), merges letters that transliterate alike (ق/ك -> k, ث/ط/ت -> t,
ذ/ض/د -> d, ص/س -> s, ظ/ز -> z, ح/ه/ة -> h, ژ/ج -> j, v -> f, p -> b), collapses repeats, and drops a final h
(taa marbuta: Fatima = Fatimah = فاطمة). Kurdish Latin letters are read first (ş -> sh, ç -> ch,
ê î û long vowels), so Şîrîn = Shirin = شیرین. So:

    Mohammed, Muhammad, محمد -> mhmd      Hussein, Husain, حسين -> hsn      Yousef, Yusuf, يوسف -> ysf
    Al-Jubouri, Jabouri, الجبوري -> jbr   Fatima, Fatimah, فاطمة -> ftm     Awezan, ئاوێزان -> zn

Compound names are one word whether written joined or split, with the article or without: a capital
marker stands for the prefix (D = Abd/Abdul/عبد, B = Abu/ابو, N = Bin/Ibn/بن, T = Bint/بنت, M = Umm/ام),
followed by the key of the rest: Abdulrahman = Abd al-Rahman = Abdurrahman = عبد الرحمن -> Drhmn.

Keys are coarse (Hassan and Hussein share hsn, Mohammed and Mahmoud mhmd): `same_name` tells such names
apart by their vowels where the spelling shows them (station.domain.vowels), and search uses it before
listing a household as another spelling of the typed name.

Transliteration packages were measured for this and not used: klpt 0.1.7 transliterates Sorani well but
raises KeyError on Arabic-orthography names (حسين); anyascii 0.3 drops alef (Hamid حامد -> hmd, which we
need to tell from Ahmed) and gives ş -> S; unidecode 1.4 reads ک as kh and ژ as j; PyICU has no wheel
here (builds from source against libicu). The letter tables below are data, not an algorithm.

jellyfish (Soundex, Metaphone, NYSIIS, Match Rating) was checked too and does not fit: its codes are for
English spellings in Latin letters and say nothing across scripts. With jellyfish 1.3.0, soundex("محمد") is
"م000" and metaphone("محمد") is "" (Mohammed gives M530 / MHMT), so an Arabic-script name never meets its
Latin spelling; metaphone gives Şîrîn SRN but Shirin XRN, and match_rating_codex("Abd al-Rahman") raises
ValueError (spaces, hyphens). A key for these names has to read both scripts and Kurdish Latin letters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Indel

from station.domain import vowels

PREFIX = "~"  # sound-alike index tokens start with this (never in a folded word: it is not a word character)
MIN_LENGTH = 2  # a one-consonant key (Ali -> l) would match half the register

_LATIN_DIGRAPHS = (("kh", "x"), ("gh", "g"), ("sh", "S"), ("ch", "C"), ("th", "T"), ("dh", "D"),
                   ("zh", "j"), ("ph", "f"), ("dj", "j"))
_LATIN = {**{c: c for c in "bdfghjklmnrstwxyz"}, "p": "b", "v": "f", "q": "k", "c": "k",
          "x": "x", "S": "S", "C": "C", "Z": "Z", "T": "t", "D": "d"}
# Letters that one tradition writes as another consonant: ث is t in Iraqi and Egyptian Latin spellings
# (Othman, Tamer) and s in Kurdish, Turkish and Persian ones (Osman, Sorani عوسمان); ذ ض ظ are d or z
# (Nadhim / Nazim, Ramadan / Ramazan, Fadhil / Fazil). A word with one of them has a second key, each such
# letter read the other way: the index files its spelling under both keys, and two spellings are one name
# when a key of one is a key of the other (their vowels agreeing as ever). Th and dh in Latin are the same
# letters. (The price: Thamer / Samer and Thana / Sana, different names, meet as sound-alikes.)
_ALTERNATE = {"T": "s", "D": "z", "ث": "s", "ذ": "z", "ض": "z", "ظ": "d"}
_ARABIC = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ط": "t", "ج": "j", "چ": "C", "ح": "h", "ه": "h", "ة": "h",
    "ھ": "h", "ہ": "h", "خ": "x", "د": "d", "ذ": "d", "ض": "d", "ر": "r", "ڕ": "r", "ز": "z", "ظ": "z",
    "ژ": "j", "س": "s", "ص": "s", "ش": "S", "غ": "g", "گ": "g", "ف": "f", "ڤ": "f", "ق": "k", "ك": "k",
    "ک": "k", "ل": "l", "ڵ": "l", "م": "m", "ن": "n", "و": "w", "ي": "y", "ی": "y", "ى": "y", "ێ": "y",
}
_SEMIVOWELS = frozenset("wy")  # consonants only as a word's first letter, vowels elsewhere
# Kurdish (Hawar) Latin: ş ç are sh ch; ê î û are long vowels (ێ ی وو). In a word that carries one of
# these letters, c is ج and j is ژ as in Kurdish spelling (Cemîl = Jamil, Jîno = ژینۆ).
_KURDISH_LETTERS = frozenset("şçêîûẍḧ")
_KURDISH = str.maketrans({"ş": "sh", "ç": "ch", "ê": "ee", "î": "ii", "û": "uu", "c": "j", "j": "zh",
                          "ẍ": "gh", "ḧ": "h"})
_LATIN_EXTRA = str.maketrans({"ş": "sh", "ç": "ch", "ı": "i", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d"})
_ARTICLES = ("ال", "al", "el")
# Compound prefixes joined to the next word, by marker. Separate words (casefolded, hamza folded):
_PREFIX_WORDS = {
    "D": ("abd", "abdul", "abdel", "abdal", "abdol", "abdil", "abdur", "abdus", "عبد", "عەبد", "عبدال", "عبدول",
          "عەبدول"),
    "B": ("abu", "abo", "abou", "ابو", "ئەبو"),
    "N": ("bin", "ibn", "ben", "bn", "بن", "ابن"),
    "T": ("bint", "بنت"),
    "M": ("umm", "um", "om", "omm", "ام"),
}
_PREFIX_OF = {w: m for m, ws in _PREFIX_WORDS.items() for w in ws}
# Joined forms: Abdulrahman, Abd-al-Rahman, Abubakr, عبدالرحمن, أبوبكر (the rest needs 2+ letters).
_JOINED = (
    ("D", re.compile(r"^abd(?:[aeiou]?l(?=[a-z]{2})|[aeiou](?=([tdrzsn])\1)|[aeiou](?=[^aeiou]{2}))?(.{2,})$")),
    ("B", re.compile(r"^ab(?:ou|o|u)(?:[aeiou]?l(?=[a-z]{3}))?([^aeiou].+)$")),
    ("D", re.compile(r"^عە?بد(?:ال|وڵ|ول|ل)?(.{2,})$")),
    ("B", re.compile(r"^ابو(?:ال)?(.{3,})$")),
)
_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘`ʿʾ´", None))
_HAMZA_SEATS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_HARAKAT_OR_TATWEEL = re.compile("[\u064b-\u065f\u0670\u0640]")


def latin_form(word: str) -> str:
    """A Latin word in plain lower-case letters, Kurdish letters read: Şîrîn -> shiiriin, Çiya -> chiya."""
    word = word.casefold()
    word = word.translate(_KURDISH if any(ch in _KURDISH_LETTERS for ch in word) else _LATIN_EXTRA)
    word = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
    return "".join(ch for ch in word if ch.isalpha())


def arabic_form(word: str) -> str:
    """An Arabic-script word with harakat and tatweel removed, hamza seats on alef folded (nothing else)."""
    word = _HARAKAT_OR_TATWEEL.sub("", unicodedata.normalize("NFC", word.casefold()))
    return "".join(ch for ch in word.translate(_HAMZA_SEATS) if ch.isalpha())


def form(word: str) -> str:
    """The spelling a key and a vowel shape are read from: `latin_form` or `arabic_form`."""
    latin = latin_form(word)
    return latin if latin.isascii() else arabic_form(word)


def _spelled(word: str) -> tuple[str, list[str]]:
    """A formed word with Latin digraphs as one letter, and each letter's consonant class ('' for vowels)."""
    if word.isascii():
        for digraph, single in _LATIN_DIGRAPHS:
            word = word.replace(digraph, single)
        return word, [_LATIN.get(ch, "") for ch in word]
    return word, [_ARABIC.get(ch, "") for ch in word]


def split_compound(word: str) -> tuple[str, str]:
    """(marker, rest) of a formed word: ("D", "rahman") for abdulrahman, ("", word) when not a compound.

    A prefix alone ("abdul", still being typed) is ("D", ""): too little to look anything up by sound.
    """
    if word in _PREFIX_OF:
        return _PREFIX_OF[word], ""
    if " " in word:  # joined by `words`: "abd al rahman", "ابو بكر"
        head, _, rest = word.partition(" ")
        marker = _PREFIX_OF.get(head, "")
        rest = rest.replace(" ", "")
        bare = next((rest[len(a):] for a in _ARTICLES if rest.startswith(a) and len(rest) > len(a) + 1), None)
        return (marker, bare or rest) if marker else ("", word.replace(" ", ""))
    for marker, pattern in _JOINED:
        m = pattern.match(word)
        if m:
            return marker, m.group(m.lastindex or 1)
    return "", word


def _plain_skeleton(word: str, drop_final_h: bool = True, alternate: bool = False) -> str:
    out: list[str] = []
    letters, classes = _spelled(word)
    if alternate:
        classes = [_ALTERNATE.get(ch, cls) for ch, cls in zip(letters, classes, strict=True)]
    for i, cls in enumerate(classes):
        if not cls or (cls in _SEMIVOWELS and i > 0):
            continue
        if out and out[-1] == cls:
            continue  # doubled letters, shadda written out (Muhammad), ss in Hussein
        out.append(cls)
    if drop_final_h and len(out) > 1 and out[-1] == "h":
        out.pop()  # taa marbuta and a final h are written or left out at will
    return "".join(out)


def typed_key(word: str) -> str:
    """The key of a word still being typed, its last h kept ("Moh" -> mh, a beginning of mhmd)."""
    formed = " ".join(form(w) for w in word.split())
    if " " not in formed:
        formed = _article_free(formed) or formed
    marker, rest = split_compound(formed)
    return marker + _plain_skeleton(rest, drop_final_h=False)


@lru_cache(maxsize=65536)
def _key(word: str) -> str:
    marker, rest = split_compound(word)
    return marker + _plain_skeleton(rest)


@lru_cache(maxsize=65536)
def _alternate_key(word: str) -> str:
    """The key with each letter of _ALTERNATE read the other way ("" when the word has none)."""
    marker, rest = split_compound(word)
    if not any(ch in _ALTERNATE for ch in _spelled(rest)[0]):
        return ""
    return marker + _plain_skeleton(rest, alternate=True)


def alternate_keys(word: str) -> list[str]:
    """The second key of a word with a letter read two ways (Othman -> smn; عثمان -> smn), as written and
    without its article; [] for most words."""
    formed = " ".join(form(w) for w in word.split())
    bare = _article_free(formed) if " " not in formed else None
    return [k for k in dict.fromkeys((_alternate_key(formed), _alternate_key(bare) if bare else "")) if k]


def skeleton(word: str) -> str:
    """The consonant skeleton of one word ("" when it has no consonant); a compound's marker first."""
    return _key(" ".join(form(w) for w in word.split()))


def _article_free(word: str) -> str | None:
    for article in _ARTICLES:
        if word.startswith(article) and len(word) >= len(article) + 3:
            return word[len(article):]
    return None


def words(text: str) -> list[str]:
    """The words of a name or a search; a separate article or compound prefix joined to the word after it
    ("al Jubouri" -> "alJubouri", "Abd al-Rahman" -> "Abd al Rahman": one word, its parts space-separated)."""
    return list(_words(text))


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    text = text.translate(_APOSTROPHES)  # Sa'ad is one word
    cleaned = "".join(ch if ch.isalnum() or unicodedata.combining(ch) else " " for ch in text)  # harakat stay
    joined: list[str] = []
    glue = False
    for w in cleaned.split():
        if joined and joined[-1].casefold() in ("al", "el", "ال"):
            joined[-1] = joined[-1] + w
        elif glue:
            joined[-1] = joined[-1] + " " + w
        else:
            joined.append(w)
        last = joined[-1].rpartition(" ")[2]
        glue = (" " not in joined[-1] and form(last) in _PREFIX_OF) or last.casefold() in ("al", "el", "ال")
    return tuple(joined)


def index_tokens(*parts: str | None) -> set[str]:
    """Sound-alike tokens for name parts: each word's key, and again without its article."""
    tokens: set[str] = set()
    for part in parts:
        for word in words(part or ""):
            for key in (skeleton(word), _bare_key(word)):
                if len(key) >= MIN_LENGTH:
                    tokens.add(PREFIX + key)
    return tokens


def article_free_key(word: str) -> str:
    """The key of a word without its article ("" when it has none): Al-Jubouri -> jbr."""
    return _bare_key(word)


def _bare_key(word: str) -> str:
    bare = _article_free(form(word)) if " " not in word else None
    return _key(bare) if bare else ""


def query_token(word: str) -> str | None:
    """The sound-alike token to look up for one typed word (article dropped), or None if too short."""
    key = _bare_key(word) or skeleton(word)  # Al-Azzawi is looked up as azzawi, never as "al-z..."
    return PREFIX + key if len(key) >= MIN_LENGTH else None


def name_keys(text: str) -> list[str]:
    """The key of each word of a name part or a whole name (compounds joined, article dropped)."""
    out = []
    for word in words(text):
        key = _bare_key(word) or skeleton(word)
        if key:
            out.append(key)
    return out


@lru_cache(maxsize=65536)
def shape(word: str) -> tuple[str, tuple[frozenset[str], ...]]:
    """(key, vowel readings between its consonants) of one word, article dropped: what `same_name` compares."""
    formed = " ".join(form(w) for w in word.split())
    if " " not in formed:
        formed = _article_free(formed) or formed
    marker, rest = split_compound(formed)
    key = marker + _plain_skeleton(rest)
    return key, vowels.gaps(*_spelled(rest))


@lru_cache(maxsize=65536)
def _shape_keys(word: str) -> tuple[str, ...]:
    """`shape`'s key and, for a word with a letter read two ways, its second key."""
    formed = " ".join(form(w) for w in word.split())
    if " " not in formed:
        formed = _article_free(formed) or formed
    key, other = shape(word)[0], _alternate_key(formed)
    return (key, other) if other and other != key else (key,)


def same_name(a: str, b: str, prefix: bool = False) -> bool:
    """Whether two words are spellings of one name: one key and vowels that agree wherever both show them.

    With `prefix`, `a` is still being typed: its key need only start `b`'s, and only its vowels count.
    """
    key_a, gaps_a = shape(a)
    gaps_b = shape(b)[1]
    if not key_a:
        return False
    if not any(kb.startswith(ka) if prefix else ka == kb for ka in _shape_keys(a) for kb in _shape_keys(b)):
        return False
    return vowels.agree(gaps_a, gaps_b, complete=not prefix)


DISTINCT_SAME_KEY = 0.5  # Hassan / Hussein: one key, vowels that cannot be the same name


def similarity(a: str, b: str) -> float:
    """1.0 for spellings of one name; DISTINCT_SAME_KEY for different names sharing a key; otherwise the
    keys' RapidFuzz normalised Indel similarity times 0.8 (a typo: Mohanmed / Mohammed about 0.71)."""
    key_a, key_b = shape(a)[0], shape(b)[0]
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b or set(_shape_keys(a)) & set(_shape_keys(b)):
        return 1.0 if same_name(a, b) else DISTINCT_SAME_KEY
    return 0.8 * Indel.normalized_similarity(key_a, key_b)

"""Sound-alike keys for names: one consonant skeleton for every spelling of a name, in either script.

The same person is written Mohammed, Muhammad, Mohamad or محمد depending on the clerk and the document;
a mother looking for her son must find him whichever was typed. The key keeps the consonants in a few
classes, drops vowels (and the letters that act as vowels: alef, waw and yeh after the first letter,
ayn, hamza, Sorani vowel letters), merges letters that transliterate alike (ق/ك -> k, ث/ط/ت -> t,
ذ/ض/د -> d, ص/س -> s, ظ/ز -> z, ح/ه/ة -> h, v -> f, p -> b), collapses repeats, and drops a final h
(taa marbuta: Fatima = Fatimah = فاطمة). So:

    Mohammed, Muhammad, محمد -> mhmd      Hussein, Husain, حسين -> hsn      Yousef, Yusuf, يوسف -> ysf
    Al-Jubouri, Jabouri, الجبوري -> jbr   Fatima, Fatimah, فاطمة -> ftm     Awezan, ئاوێزان -> zn

Keys are deliberately coarse (Hassan and Hussein share one, as do Mohammed and Mahmoud): search shows
these matches after the exact ones and marks them, and the clerk confirms with the photo and the other
names.
"""

from __future__ import annotations

import unicodedata

PREFIX = "~"  # sound-alike index tokens start with this (never in a folded word: it is not a word character)
MIN_LENGTH = 2  # a one-consonant key (Ali -> l) would match half the register

_LATIN_DIGRAPHS = (("kh", "x"), ("gh", "g"), ("sh", "S"), ("ch", "C"), ("th", "t"), ("dh", "d"),
                   ("zh", "Z"), ("ph", "f"), ("dj", "j"))
_LATIN = {**{c: c for c in "bdfghjklmnrstwxyz"}, "p": "b", "v": "f", "q": "k", "c": "k",
          "x": "x", "S": "S", "C": "C", "Z": "Z"}
_ARABIC = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ط": "t", "ج": "j", "چ": "C", "ح": "h", "ه": "h", "ة": "h",
    "ھ": "h", "خ": "x", "د": "d", "ذ": "d", "ض": "d", "ر": "r", "ڕ": "r", "ز": "z", "ظ": "z", "ژ": "Z",
    "س": "s", "ص": "s", "ش": "S", "غ": "g", "گ": "g", "ف": "f", "ڤ": "f", "ق": "k", "ك": "k", "ک": "k",
    "ل": "l", "ڵ": "l", "م": "m", "ن": "n", "و": "w", "ي": "y", "ی": "y", "ى": "y",
}
_SEMIVOWELS = frozenset("wy")  # consonants only as a word's first letter, vowels elsewhere
_ARTICLES = ("ال", "al", "el")


def _letters(word: str) -> list[str]:
    """Consonant classes of one word, in order (vowels and vowel-like letters dropped later)."""
    word = word.casefold()
    latin = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
    if latin.isascii():  # é, ç and the like lose their accents
        for digraph, single in _LATIN_DIGRAPHS:
            latin = latin.replace(digraph, single)
        return [_LATIN.get(ch, "") for ch in latin]
    # Arabic script: no decomposition (it would turn the hamza seat ئ into a yeh), only harakat removed.
    arabic = unicodedata.normalize("NFC", word)
    return [_ARABIC.get(ch, "") for ch in arabic if not unicodedata.combining(ch)]


def skeleton(word: str) -> str:
    """The consonant skeleton of one word ("" when it has no consonant)."""
    out: list[str] = []
    for i, cls in enumerate(_letters(word)):
        if not cls or (cls in _SEMIVOWELS and i > 0):
            continue
        if out and out[-1] == cls:
            continue  # doubled letters, shadda written out (Muhammad), ss in Hussein
        out.append(cls)
    if len(out) > 1 and out[-1] == "h":
        out.pop()  # taa marbuta and a final h are written or left out at will
    return "".join(out)


def _article_free(word: str) -> str | None:
    for article in _ARTICLES:
        if word.startswith(article) and len(word) >= len(article) + 3:
            return word[len(article):]
    return None


def words(text: str) -> list[str]:
    """The words of a name or a search, with a separate article joined to the word after it."""
    cleaned = "".join(ch if ch.isalnum() or unicodedata.combining(ch) else " " for ch in text)  # harakat stay
    words = cleaned.split()
    joined: list[str] = []
    for w in words:  # "al Jubouri" / "Al-Jubouri" -> "aljubouri", like the exact index
        if joined and joined[-1].casefold() in ("al", "el", "ال"):
            joined[-1] = joined[-1] + w
        else:
            joined.append(w)
    return joined


def index_tokens(*parts: str | None) -> set[str]:
    """Sound-alike tokens for name parts: each word's key, and again without its article."""
    tokens: set[str] = set()
    for part in parts:
        for word in words(part or ""):
            for form in (word, _article_free(word.casefold())):
                key = skeleton(form) if form else ""
                if len(key) >= MIN_LENGTH:
                    tokens.add(PREFIX + key)
    return tokens


def query_token(word: str) -> str | None:
    """The sound-alike token to look up for one typed word (article dropped), or None if too short."""
    bare = _article_free(word.casefold())
    key = skeleton(bare if bare else word)  # Al-Azzawi is looked up as azzawi, never as "al-z..."
    return PREFIX + key if len(key) >= MIN_LENGTH else None

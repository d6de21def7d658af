"""Text normalisation: Arabic-Indic digits to ASCII, and a search key that folds spelling variants."""

from __future__ import annotations

import re
import unicodedata

# Arabic-Indic (U+0660..) and Extended Arabic-Indic / Persian-Kurdish (U+06F0..) digits.
_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
_DIGITS |= {0x066B: ".", 0x066C: ","}  # Arabic decimal and thousands separators

# Letters folded for searching only (never for display): alef variants, taa marbuta, alef maqsura,
# Kurdish/Persian kaf and yeh, tatweel and harakat removed.
_SEARCH_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "ة": "ه", "ى": "ي", "ی": "ي", "ێ": "ي", "ې": "ي",
        "ک": "ك", "ؤ": "و", "ئ": "ي", "ۆ": "و", "ە": "ه", "ھ": "ه",
        "ڵ": "ل", "ڕ": "ر",
        "ـ": None,
    }
)
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# "Al-Jubouri", "al Jubouri" and "Aljubouri" are one family name: the article is joined to the word.
_LATIN_ARTICLE = re.compile(r"\b(al|el) (?=\w)")
_ARABIC_ARTICLE = "ال"


def normalize_digits(text: str) -> str:
    return text.translate(_DIGITS)


def clean_name(text: str) -> str:
    """Trim and collapse spaces; digits normalised; NFC. Used before storing a name part."""
    text = unicodedata.normalize("NFC", normalize_digits(text))
    return " ".join(text.split())


def search_key(text: str) -> str:
    """Lower-case, accent-free, Arabic-folded form used to index and to search names."""
    text = normalize_digits(text).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_SEARCH_FOLD)
    return _LATIN_ARTICLE.sub(r"\1", _NON_WORD.sub(" ", text).strip())


def _without_article(token: str) -> str | None:
    if token.startswith(_ARABIC_ARTICLE) and len(token) >= 4:
        return token[2:]
    if token[:2] in ("al", "el") and len(token) >= 5 and token.isascii():
        return token[2:]
    return None


def search_tokens(*parts: str | None) -> set[str]:
    """Index tokens: every folded word, and each word again without its article (الجبوري -> جبوري)."""
    tokens: set[str] = set()
    for part in parts:
        if part:
            for token in search_key(part).split():
                tokens.add(token)
                bare = _without_article(token)
                if bare:
                    tokens.add(bare)
    return tokens


def query_tokens(text: str) -> list[str]:
    """Words of a search, most selective (longest) first; single letters are dropped when longer words exist."""
    words = sorted(set(search_key(text).split()), key=len, reverse=True)
    longer = [w for w in words if len(w) >= 2]
    return longer or words


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text)

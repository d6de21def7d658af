"""Text to search-index tokens: what the register's name index holds for a household, and what a search looks up.

Pure functions, shared by registration (services), the index rebuild and the pack merger (export).
A household's tokens are

- every folded word of its people's names, origin and document numbers (station.domain.text.search_tokens),
  a compound name also written joined (Abdul Rahman -> abdulrahman, Sa'ad -> saad), for prefix search;
- for each name word, one sound-alike token "~<key> <spelling>" (station.domain.soundalike): a search
  for any spelling reads the spellings on file under the same key (an index range), keeps those that are
  the same name (`soundalike.same_name`: Muhammad, محمد, but not Mahmoud) and looks those tokens up;
- for each two name parts of one person, a pair token "^<key> <key>" ("=<key> <key>" when one is the given
  name, its key first): a search of two names finds the households where one person carries both, however
  common each name is alone, and those where the first name typed is that person's given name first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from station.domain import soundalike
from station.domain.text import search_key, search_tokens

PREFIX = soundalike.PREFIX
PAIR = "^"  # pair tokens: two name keys of one person
GIVEN_PAIR = "="  # the same with the person's given name, its key first (a search typed from the given name)
MAX_TOKEN = 128
MAX_QUERY_WORDS = 6


def sound_token(key: str, word: str) -> str:
    """The index token of one name word under one key: "~mhmd mohammed", "~Drhmn abd al rahman"."""
    spelled = " ".join(soundalike.form(w) for w in word.split())
    return f"{PREFIX}{key} {spelled}"[:MAX_TOKEN]


def token_word(token: str) -> str:
    """The spelling carried by a sound-alike token (what `sound_token` was given, formed)."""
    return token.partition(" ")[2]


def word_keys(word: str) -> list[str]:
    """The keys a name word is filed and looked up under: as written, and without its article. A key of
    one consonant (Ali, Laila: l) is kept: its spellings are told apart by their vowels."""
    keys = [k for k in (soundalike.skeleton(word), soundalike.article_free_key(word)) if k]
    return list(dict.fromkeys(keys + soundalike.alternate_keys(word)))


def pair_token(key_a: str, key_b: str) -> str:
    """One person carries both names (any two of given, father, grandfather, family): "^hsn mhmd"."""
    return PAIR + " ".join(sorted((key_a, key_b)))[:MAX_TOKEN - 1]


def given_pair_token(given_key: str, other_key: str) -> str:
    """One person's given name and another of their names: "=mhmd hsn" (Mohammed ... Hassan)."""
    return f"{GIVEN_PAIR}{given_key} {other_key}"[:MAX_TOKEN]


def person_pairs(names: Sequence[str | None]) -> set[str]:
    """Pair tokens of one person (names: the four Arabic-script parts, then the four Latin ones): the given
    name with each other name in that order, and the other names with each other in any order."""
    slots: list[set[str]] = []
    half = len(names) // 2 if len(names) == 8 else len(names)
    for i in range(half):
        keys: set[str] = set()
        for part in (names[i], names[i + half] if half < len(names) else None):
            if part:
                keys.update(_part_keys(part))
        slots.append(keys)
    given, rest = (slots[0], slots[1:]) if slots else (set(), [])
    return ({given_pair_token(a, b) for other in rest for a in given for b in other}
            | {pair_token(a, b) for i, one in enumerate(rest) for other in rest[i + 1:] for a in one for b in other})


@lru_cache(maxsize=65536)
def _part_keys(part: str) -> tuple[str, ...]:
    return tuple(soundalike.name_keys(part))


def spelling_pair_keys(token: str) -> tuple[str, ...]:
    """The keys that pair tokens give the spelling a sound-alike token carries ("~lSmr alshammari" -> Smr:
    pairs are filed under the article-free key)."""
    return _part_keys(token_word(token))


@lru_cache(maxsize=65536)
def part_tokens(part: str) -> frozenset[str]:
    """Index tokens of one name part (cached: a register repeats the same few thousand names)."""
    tokens = set(search_tokens(part))
    for word in soundalike.words(part):
        joined = search_key(word).replace(" ", "")
        if joined:
            tokens.add(joined)
        if any(ch.isdigit() for ch in word):
            continue
        for key in word_keys(word):
            tokens.add(sound_token(key, word))
    return frozenset(t[:MAX_TOKEN] for t in tokens if t)


def name_tokens(*names: str | None) -> set[str]:
    """Index tokens of one person's name parts: folded words (prefix search) and sound-alike tokens."""
    tokens: set[str] = set()
    for name in names:
        if name:
            tokens |= part_tokens(name)
    return tokens


def household_tokens(people: Iterable[Sequence[str | None]], doc_numbers: Iterable[str], origin_key: str) -> set[str]:
    """Every index token of a household: its people's names, their document numbers, its origin words."""
    tokens: set[str] = set()
    for names in people:
        tokens |= name_tokens(*names)
        tokens |= person_pairs(names)
    for number in doc_numbers:
        tokens |= search_tokens(number)
    tokens |= set(origin_key.split())
    return {t[:MAX_TOKEN] for t in tokens}


def _typed_keys(word: str) -> list[str]:
    """Keys to read the spellings on file under: a range each (a key, or a longer one's beginning)."""
    keys = word_keys(word)
    typed = soundalike.typed_key(word)
    if typed not in keys and not any(len(k) >= soundalike.MIN_LENGTH and typed.startswith(k) for k in keys):
        keys.append(typed)
    return keys


def spelling_range(key: str) -> str:
    """The beginning of the index tokens to read a key's spellings from: a one-consonant key exactly
    ("~l " : Ali, Laila, not every name starting with l), a longer one as a beginning ("~mhm": mhmd...)."""
    return f"{PREFIX}{key} " if len(key) < soundalike.MIN_LENGTH else PREFIX + key


@dataclass(frozen=True)
class QueryWord:
    """One word of a search: its folded form (matched as a prefix) and its sound-alike keys."""

    text: str  # as typed, compound parts joined (words of station.domain.soundalike.words)
    exact: str  # folded, matched as the start of an index token
    keys: tuple[str, ...]  # sound-alike keys; empty for numbers and for words too short to have one

    def same_name(self, word: str) -> bool:
        """Whether a filed spelling (a sound-alike token's word) may be this word, still being typed."""
        return soundalike.same_name(self.text, word, prefix=True)

    def matches_exactly(self, part: str) -> bool:
        """Whether a name part on file has a folded word starting with this word."""
        return any(t.startswith(self.exact) for t in part_tokens(part) if t[0] not in (PREFIX, PAIR, GIVEN_PAIR))


def query_words(text: str) -> list[QueryWord]:
    """The words of a search, longest first, at most MAX_QUERY_WORDS; one-letter words only when alone."""
    out: dict[str, QueryWord] = {}
    for word in soundalike.words(text):
        exact = search_key(word).replace(" ", "")
        if not exact or exact in out:
            continue
        keys = () if any(ch.isdigit() for ch in word) else tuple(_typed_keys(word))
        out[exact] = QueryWord(word, exact, keys)
    words = sorted(out.values(), key=lambda w: len(w.exact), reverse=True)
    longer = [w for w in words if len(w.exact) >= 2]
    return (longer or words)[:MAX_QUERY_WORDS]

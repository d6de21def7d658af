"""Each search token's households, gathered per distinct name, number and origin (the whole-index rebuild)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from station.domain import soundalike
from station.domain.name_index import MAX_TOKEN, given_pair_token, pair_token, part_tokens
from station.domain.text import search_tokens


def union(sets: list[Iterable[int]]) -> list[int]:
    return sorted(set().union(*sets))


class Postings:
    """Each token's households, built per distinct value: every distinct name slot (given, father, ... as
    the pair (Arabic-script part, Latin part)), pair of slots, document number and origin collects the
    households (positions in id order) that carry it, and its tokens (station.domain.name_index) are
    computed once. A household's tokens are exactly those of `name_index.household_tokens` (the rebuild
    tests compare them).

    Per person the work is four dictionary look-ups, four set insertions and six list appends (the three
    pairs with the given name apart: their tokens keep its order): a slot is numbered the first time it is
    seen, and a pair of slots is one integer (first << 32 | second). A name
    part's households are the union of those of the slots that hold it, taken once per distinct part."""

    def __init__(self, households: Sequence[str]) -> None:
        self._at = {hid: i for i, hid in enumerate(households)}
        self._slot_numbers: dict[tuple[str | None, str | None], int] = {}  # (Arabic, Latin) -> number
        self._slot_people: list[set[int]] = []  # by slot number
        # lists, not sets: most pairs of names are rare, and an empty set costs four times an empty list
        self._pairs: defaultdict[int, list[int]] = defaultdict(list)
        self._given_pairs: defaultdict[int, list[int]] = defaultdict(list)  # the given name's slot first
        self._numbers: defaultdict[str, set[int]] = defaultdict(set)
        self._origins: defaultdict[str, set[int]] = defaultdict(set)

    def add_people(self, rows: Iterable[Sequence[Any]]) -> None:
        """(household id, the four Arabic-script name parts, the four Latin ones) rows."""
        at, numbers, people, pairs, given = (self._at, self._slot_numbers, self._slot_people, self._pairs,
                                             self._given_pairs)

        def new(ar: str | None, lat: str | None) -> int:
            numbers[ar, lat] = n = len(people)
            people.append(set())
            return n

        for hid, a0, a1, a2, a3, l0, l1, l2, l3 in rows:
            h = at[hid]
            s0 = numbers.get((a0, l0))
            s0 = new(a0, l0) if s0 is None else s0
            s1 = numbers.get((a1, l1))
            s1 = new(a1, l1) if s1 is None else s1
            s2 = numbers.get((a2, l2))
            s2 = new(a2, l2) if s2 is None else s2
            s3 = numbers.get((a3, l3))
            s3 = new(a3, l3) if s3 is None else s3
            people[s0].add(h)
            people[s1].add(h)
            people[s2].add(h)
            people[s3].add(h)
            given[s0 << 32 | s1].append(h)
            given[s0 << 32 | s2].append(h)
            given[s0 << 32 | s3].append(h)
            pairs[s1 << 32 | s2].append(h)
            pairs[s1 << 32 | s3].append(h)
            pairs[s2 << 32 | s3].append(h)

    def add_numbers(self, rows: Iterable[Sequence[Any]]) -> None:
        """(household id, document number) rows."""
        for hid, number in rows:
            self._numbers[number].add(self._at[hid])

    def add_origins(self, rows: Iterable[Sequence[Any]]) -> None:
        """(household id, origin key) rows."""
        for hid, origin_key in rows:
            self._origins[origin_key or ""].add(self._at[hid])

    def groups(self) -> dict[str, list[int]]:
        """Token -> its households' positions, ascending."""
        return {t: union(sets) for t, sets in self.sources().items()}

    def sources(self) -> dict[str, list[Iterable[int]]]:
        """Token -> the sets (or lists) of households' positions whose union is its households."""
        sources: defaultdict[str, list[Iterable[int]]] = defaultdict(list)
        keys: list[frozenset[str]] = []  # by slot number: the slot's sound-alike keys in both scripts
        parts: defaultdict[str, list[set[int]]] = defaultdict(list)
        for (ar, lat), people in zip(self._slot_numbers, self._slot_people, strict=True):
            keys.append(frozenset(k for part in (ar, lat) if part for k in soundalike.name_keys(part)))
            for part in {ar, lat}:
                if part:
                    parts[part].append(people)
        for part, sets in parts.items():
            for t in part_tokens(part):  # truncated to MAX_TOKEN there
                sources[t].extend(sets)
        low = (1 << 32) - 1
        for pair, people_of_pair in self._pairs.items():
            one, other = keys[pair >> 32], keys[pair & low]
            for t in {pair_token(a, b) for a in one for b in other}:
                sources[t].append(people_of_pair)
        for pair, people_of_pair in self._given_pairs.items():
            one, other = keys[pair >> 32], keys[pair & low]
            for t in {given_pair_token(a, b) for a in one for b in other}:
                sources[t].append(people_of_pair)
        for number, hs in self._numbers.items():
            for t in {t[:MAX_TOKEN] for t in search_tokens(number)}:
                sources[t].append(hs)
        for origin_key, hs in self._origins.items():
            for t in {t[:MAX_TOKEN] for t in origin_key.split()}:
                sources[t].append(hs)
        return sources

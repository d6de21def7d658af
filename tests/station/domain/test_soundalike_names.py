"""Name keys across scripts and spellings: compounds joined or split, Kurdish Latin letters, and distinct
names that share a consonant key kept apart by their vowels (station.domain.soundalike, .vowels)."""

from __future__ import annotations

import pytest

from station.domain.name_index import household_tokens, query_words, sound_token, token_word
from station.domain.soundalike import name_keys, same_name, similarity, skeleton, words

SAME = [
    ["Mohammed", "Muhammad", "Mohamad", "Mohamed", "محمد", "مُحَمَّد"],
    ["Hussein", "Husain", "Hussain", "Hossein", "حسين"],
    ["Hassan", "Hasan", "حسن"],
    ["Mahmoud", "Mahmud", "Mahmood", "محمود"],
    ["Ahmed", "Ahmad", "أحمد"],
    ["Hamid", "حامد"],  # Hameed is حميد, another name
    ["Omar", "Umar", "عمر"],
    ["Amer", "Aamer", "عامر"],
    ["Abdulrahman", "Abdelrahman", "Abd al-Rahman", "Abdul Rahman", "Abdur Rahman", "Abdurrahman",
     "عبد الرحمن", "عبدالرحمن", "عەبدولڕەحمان"],
    ["Abdullah", "Abdulla", "Abd Allah", "عبد الله", "عبدالله"],
    ["Abu Bakr", "Abubakr", "Abubakar", "أبو بكر", "ابوبكر"],
    ["Şîrîn", "Shirin", "شیرین"],
    ["Şêrko", "Sherko", "شێرکۆ"],
    ["Çiya", "Chiya", "چیا"],
    ["Cemîl", "Jamil", "جميل"],
    ["Zhiyan", "Jiyan", "ژیان"],
    ["Saad", "Sa'ad", "سعد"],
    ["Aisha", "عائشة"],
    ["Jubouri", "Jabouri", "جبوري"],
    ["Yousef", "Yusuf", "Youssef", "يوسف", "یوسف"],
    ["Fatima", "Fatimah", "Fatma", "فاطمة"],
    ["Halgurd", "هەڵگورد"],
    ["Karwan", "کاروان"],
    ["Al-Jubouri", "Aljubouri", "al Jubouri", "الجبوري"],
    ["Othman", "Uthman", "Osman", "عثمان", "عوسمان"],  # ث: th in Iraqi spellings, s in Kurdish and Turkish ones
    ["Nadhim", "Nazim", "ناظم"],  # ظ: dh or z
    ["Fadhil", "Fazil", "فاضل"],  # ض: dh or z
]
# The pairs: one consonant key, different names.
DIFFERENT = [
    ("Hassan", "Hussein"), ("Hasan", "حسين"), ("Hussein", "حسن"),
    ("Mohammed", "Mahmoud"), ("Muhammad", "محمود"), ("Mahmoud", "محمد"), ("Mohammed", "Mahmud"),
    ("Ahmed", "Hamid"), ("Ahmed", "حامد"), ("Hamid", "أحمد"),
    ("Omar", "Amer"), ("Omar", "عامر"), ("Umar", "Aamer"), ("Hassan", "Hassoun"),
    ("Aamer", "عمر"),  # عمر: a short vowel after ع (Aamer is عامر)
    ("Abdullah", "Abdulrahman"),
]


def _word(text: str) -> str:
    found = words(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("spellings", SAME, ids=lambda g: g[0])
def test_spellings_of_one_name_are_the_same_name_in_every_direction(spellings: list[str]) -> None:
    for a in spellings:
        for b in spellings:
            assert same_name(_word(a), _word(b)), (a, b)
            assert similarity(_word(a), _word(b)) == 1.0


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_names_sharing_a_key_are_told_apart(a: str, b: str) -> None:
    assert not same_name(_word(a), _word(b)) and not same_name(_word(b), _word(a))
    assert similarity(_word(a), _word(b)) < 0.75


def test_compounds_share_one_key_joined_or_split() -> None:
    assert {skeleton(_word(w)) for w in SAME[8]} == {"Drhmn"}
    assert name_keys("Abd al-Rahman Hussein Al-Jubouri") == ["Drhmn", "hsn", "jbr"]
    assert words("Abdul") == ["Abdul"] and skeleton("Abdul") == "D"  # a prefix alone: too little to key
    assert skeleton("Abdo") == "bd" and skeleton("Abood") == "bd"  # names, not prefixes
    assert skeleton("Buzan") == "bzn" and skeleton("بوزان") == "bzn"  # not Abu + zan


def test_kurdish_latin_letters_are_read_before_accents_go() -> None:
    assert skeleton("Şîrîn") == skeleton("Shirin") == "Srn"  # ş is sh, never s
    assert skeleton("Sirin") == "srn"
    assert skeleton("Çiya") == "Cy" or skeleton("Çiya") == skeleton("Chiya")


def test_a_typed_beginning_finds_only_the_same_name() -> None:
    assert same_name("Moham", "Mohammed", prefix=True) and same_name("Moham", "محمد", prefix=True)
    assert not same_name("Moham", "Mahmoud", prefix=True)
    assert same_name("Şîr", "شیرین", prefix=True)


def test_typos_score_between_distinct_names_and_the_same_name() -> None:
    assert 0.6 < similarity("Mohanmed", "Mohammed") < 1.0
    assert similarity("Ali", "Mohammed") == 0.0  # one consonant: no key


def test_sound_tokens_carry_the_spelling_they_were_made_from() -> None:
    tokens = household_tokens([("عبد الرحمن", "", "", "", "Abdul Rahman", "Hussein", "", "Al-Jubouri")], [], "")
    assert sound_token("Drhmn", "عبد الرحمن") in tokens and "~Drhmn abdul rahman" in tokens
    assert "abdulrahman" in tokens and "عبدالرحمن" in tokens  # compound also filed joined, for prefix search
    assert "~jbr aljubouri" in tokens and token_word("~jbr aljubouri") == "aljubouri"
    q = query_words("Abdulrahman Husein")
    assert [w.exact for w in q] == ["abdulrahman", "husein"]
    assert q[0].same_name(token_word(sound_token("Drhmn", "عبد الرحمن")))
    assert q[1].same_name("حسين") and not q[1].same_name("حسن")  # ei: a long vowel

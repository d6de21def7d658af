"""A generator of realistic registers and of the same people written again by another clerk (for the
matching benchmarks), and a check that it produces the variants it claims to.

Population: households whose children carry the head's given and father's names as their father's and
grandfather's names (families share them), names drawn with a Zipf-like skew (many share Mohammed, Ali,
Ahmed...), Arabic and Sorani Kurdish names, each with its Arabic-script form and the Latin spellings
clerks actually use. Variants: other transliterations, joined or split compounds (Abdulrahman /
Abdul Rahman / Abd al-Rahman / عبد الرحمن / عبدالرحمن), the article kept or dropped, Arabic spelling
variants (hamza, taa marbuta), typing mistakes, missing or swapped name parts, one script only, an
estimated age one or two years off, the origin missing or in the other script.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

from station.domain.tracing import Person, part_key

# (Arabic script, [Latin spellings, most common first])
MALE = [
    ("محمد", ["Mohammed", "Muhammad", "Mohamed", "Mohammad", "Mohamad"]),
    ("أحمد", ["Ahmed", "Ahmad"]), ("علي", ["Ali", "Aly"]), ("حسين", ["Hussein", "Husain", "Hussain", "Husayn"]),
    ("حسن", ["Hassan", "Hasan"]), ("عمر", ["Omar", "Umar", "Omer"]), ("خالد", ["Khalid", "Khaled"]),
    ("محمود", ["Mahmoud", "Mahmood", "Mahmud"]), ("يوسف", ["Yousef", "Yusuf", "Youssef", "Yousif"]),
    ("إبراهيم", ["Ibrahim", "Ebrahim"]), ("مصطفى", ["Mustafa", "Mostafa"]),
    ("عبد الله", ["Abdullah", "Abdallah", "Abd Allah"]),
    ("عبد الرحمن", ["Abdulrahman", "Abdul Rahman", "Abd al-Rahman", "Abdelrahman"]),
    ("عبد الكريم", ["Abdulkarim", "Abdul Karim", "Abd al-Karim"]), ("عبد العزيز", ["Abdulaziz", "Abdul Aziz"]),
    ("سعد", ["Saad", "Sad"]), ("فاضل", ["Fadhil", "Fadel", "Fadil"]), ("جاسم", ["Jassim", "Jasim", "Jasem"]),
    ("كريم", ["Karim", "Kareem"]), ("ياسر", ["Yasir", "Yaser", "Yasser"]), ("طارق", ["Tariq", "Tarek", "Tareq"]),
    ("ماجد", ["Majid", "Maged", "Majed"]), ("نبيل", ["Nabil", "Nabeel"]), ("صالح", ["Salih", "Saleh", "Salah"]),
    ("حامد", ["Hamid", "Hamed"]), ("عامر", ["Amer", "Aamer"]), ("قاسم", ["Qasim", "Kassem", "Qassim"]),
    ("فيصل", ["Faisal", "Faysal"]), ("رعد", ["Raad", "Ra'ad"]), ("وليد", ["Walid", "Waleed"]),
    ("سلمان", ["Salman"]), ("زياد", ["Ziad", "Ziyad"]), ("هادي", ["Hadi", "Hady"]), ("عادل", ["Adil", "Adel"]),
    ("منصور", ["Mansour", "Mansur"]), ("ناصر", ["Nasser", "Nasir"]), ("سامي", ["Sami", "Samy"]),
    ("رشيد", ["Rashid", "Rasheed"]), ("شاكر", ["Shakir", "Shaker"]), ("صباح", ["Sabah"]),
    ("ئازاد", ["Azad"]), ("هێمن", ["Hemin", "Hêmin"]), ("کاروان", ["Karwan"]), ("سەرهەنگ", ["Sarhang", "Serheng"]),
    ("دڵشاد", ["Dilshad", "Dilşad"]), ("ڕێبوار", ["Rebwar", "Rêbwar"]), ("شێرکۆ", ["Sherko", "Şêrko"]),
    ("بەختیار", ["Bakhtiyar", "Bextiyar"]), ("ئاراس", ["Aras"]), ("هەڵۆ", ["Halo", "Hello"]),
]
FEMALE = [
    ("فاطمة", ["Fatima", "Fatimah", "Fatma"]), ("زينب", ["Zainab", "Zaynab", "Zeinab"]), ("مريم", ["Maryam", "Mariam"]),
    ("عائشة", ["Aisha", "Aysha", "Aishah"]), ("نور", ["Nour", "Noor", "Nur"]), ("هدى", ["Huda", "Hoda"]),
    ("سارة", ["Sara", "Sarah"]), ("رقية", ["Ruqaya", "Ruqayya", "Roqaya"]), ("أمل", ["Amal"]),
    ("خديجة", ["Khadija", "Khadijah"]), ("إسراء", ["Israa", "Esraa"]), ("شيماء", ["Shaimaa", "Shayma"]),
    ("رنا", ["Rana"]), ("سلمى", ["Salma", "Selma"]), ("ليلى", ["Layla", "Leila", "Laila"]),
    ("حنان", ["Hanan"]), ("سعاد", ["Suad", "Souad"]), ("وداد", ["Widad", "Wedad"]), ("آمنة", ["Amina", "Amna"]),
    ("ژیان", ["Zhiyan", "Jiyan"]), ("شیلان", ["Shilan", "Şîlan"]), ("ڕۆژان", ["Rozhan", "Rojan"]),
    ("نازدار", ["Nazdar"]), ("شیرین", ["Shirin", "Şîrîn", "Sherin"]), ("هێرۆ", ["Hero", "Hêro"]),
]
FAMILY = [
    ("الجبوري", ["Al-Jubouri", "Al-Jubury", "Jubouri", "Aljbouri"]), ("العبيدي", ["Al-Obaidi", "Al-Ubaidi", "Obaidi"]),
    ("الدليمي", ["Al-Dulaimi", "Al-Dulaymi", "Dulaimi"]), ("الشمري", ["Al-Shammari", "Shammari", "Al-Shamari"]),
    ("الحمداني", ["Al-Hamdani", "Hamdani"]), ("التميمي", ["Al-Tamimi", "Tamimi", "Al-Tamimy"]),
    ("الزبيدي", ["Al-Zubaidi", "Zubaidi", "Al-Zubaydi"]), ("العزاوي", ["Al-Azzawi", "Azzawi", "Al-Azawi"]),
    ("الطائي", ["Al-Tai", "Al-Taie", "Tai"]), ("الحديدي", ["Al-Hadidi", "Hadidi"]),
    ("البياتي", ["Al-Bayati", "Bayati"]),
    ("السامرائي", ["Al-Samarrai", "Samarrai", "Al-Samaraie"]),
    ("الكبيسي", ["Al-Kubaisi", "Kubaisi", "Al-Kubaysi"]),
    ("العاني", ["Al-Ani", "Ani"]), ("الراوي", ["Al-Rawi", "Rawi"]), ("الخزرجي", ["Al-Khazraji", "Khazraji"]),
    ("بارزاني", ["Barzani"]), ("سۆرانی", ["Sorani"]), ("هەورامی", ["Hawrami", "Hewramî"]),
    ("زەنگەنە", ["Zangana", "Zengene"]),
    ("جاف", ["Jaf", "Caf"]), ("دزەیی", ["Dizayee", "Dizayi"]), ("خۆشناو", ["Khoshnaw", "Xoşnaw"]),
]
ORIGINS = [("Mosul Ninewa", "الموصل نينوى"), ("Tel Afar Ninewa", "تلعفر نينوى"), ("Fallujah Anbar", "الفلوجة الأنبار"),
           ("Ramadi Anbar", "الرمادي الأنبار"), ("Tikrit Salah al-Din", "تكريت صلاح الدين"),
           ("Hawija Kirkuk", "الحويجة كركوك"), ("Baqubah Diyala", "بعقوبة ديالى"), ("Sinjar Ninewa", "سنجار نينوى")]
_ARABIC_VARIANTS = (("أ", "ا"), ("إ", "ا"), ("ة", "ه"), ("ى", "ي"), ("عبد ال", "عبدال"), ("ی", "ي"), ("ک", "ك"))
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def _zipf(rng: random.Random, n: int) -> int:
    """Index 0..n-1 with weight 1/(i+1): the commonest name about ten times as frequent as the tenth."""
    weights = [1 / (i + 1) for i in range(n)]
    return rng.choices(range(n), weights)[0]


@dataclass(frozen=True)
class Registered:
    ident: int
    household: int
    person: Person  # as stored: both scripts, or only one (LATIN_ONLY, ARABIC_ONLY)
    ages: int  # age on the reference day
    names: tuple[str, str, str, str] = ("", "", "", "")  # the names in Arabic script, whatever was stored


# Shares of the register stored in one script only: a clerk without an Arabic keyboard, or a record from
# a paper form in Arabic only. Queries are in either script too, so a search crosses scripts both ways.
LATIN_ONLY, ARABIC_ONLY = 0.15, 0.10


def population(seed: int, people: int, on: date) -> list[Registered]:
    """About `people` registered individuals in households of 1-8."""
    rng = random.Random(seed)
    out: list[Registered] = []
    hh = 0
    while len(out) < people:
        hh += 1
        fam = FAMILY[_zipf(rng, len(FAMILY))]
        given, father = MALE[_zipf(rng, len(MALE))], MALE[_zipf(rng, len(MALE))]
        head_age = rng.randint(22, 70)
        origin = ORIGINS[rng.randrange(len(ORIGINS))]
        members = [(given, father, MALE[_zipf(rng, len(MALE))], "M", head_age)]
        if rng.random() < 0.8:
            wife = FEMALE[_zipf(rng, len(FEMALE))]
            members.append((wife, MALE[_zipf(rng, len(MALE))], MALE[_zipf(rng, len(MALE))], "F",
                            max(16, head_age - rng.randint(0, 10))))
        for _ in range(rng.randint(0, 6)):
            sex = rng.choice("MF")
            child = (MALE if sex == "M" else FEMALE)[_zipf(rng, len(MALE if sex == "M" else FEMALE))]
            members.append((child, given, father, sex, max(0, head_age - rng.randint(18, 40))))
        for g, f, gf, sex, age in members:
            script = rng.random()  # most records carry both scripts
            exact = rng.random() < 0.4
            birth = on - timedelta(days=int(age * 365.25) + rng.randint(0, 364))
            arabic = (g[0], f[0], gf[0], fam[0])
            p = Person(arabic if script >= LATIN_ONLY else ("", "", "", ""),
                       (g[1][0], f[1][0], gf[1][0], fam[1][0]) if script < 1 - ARABIC_ONLY else ("", "", "", ""),
                       sex, birth if exact else on.replace(year=on.year - age), not exact,
                       origin[0] if rng.random() < 0.5 else origin[1])
            out.append(Registered(len(out), hh, p, age, arabic))
    return out[:people]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    letter = rng.choice(_KEYBOARD) if word.isascii() else rng.choice("بتثجحخدذرزسشصضطظعغفقكلمنهوي")
    return word[:i] + letter + word[i + 1:]


def _latin_variant(rng: random.Random, arabic: str, pool: list[tuple[str, list[str]]], typo: float) -> str:
    spellings = next((lat for ar, lat in pool if ar == arabic), [""])
    word = rng.choice(spellings)
    if word.startswith("Al-") and rng.random() < 0.3:
        word = rng.choice([word[3:], "al " + word[3:], "Al" + word[3:].lower(), "El-" + word[3:]])
    if word.startswith("Abdul") and rng.random() < 0.3:
        word = rng.choice(["Abdul " + word[5:].capitalize(), "Abd al-" + word[5:].capitalize()])
    return _typo(rng, word) if rng.random() < typo else word


def _arabic_variant(rng: random.Random, word: str, typo: float) -> str:
    for a, b in _ARABIC_VARIANTS:
        if a in word and rng.random() < 0.5:
            word = word.replace(a, b)
    return _typo(rng, word) if rng.random() < typo else word


def rewrite(rng: random.Random, r: Registered, on: date, typo: float = 0.12) -> Person:
    """The same person as another clerk (or a mother describing her son) would write them."""
    p = r.person
    pools = [MALE if p.sex == "M" else FEMALE, MALE, MALE, FAMILY]
    script = rng.random()
    ar = tuple(_arabic_variant(rng, w, typo) if w and script >= 0.25 else "" for w in r.names)
    lat = tuple(_latin_variant(rng, a, pool, typo) if script < 0.75 else ""
                for a, pool in zip(r.names, pools, strict=True))
    parts = [list(ar), list(lat)]
    if rng.random() < 0.3:  # grandfather unknown to the one asking
        for side in parts:
            side[2] = ""
    if rng.random() < 0.1:
        for side in parts:
            side[3] = ""
    if rng.random() < 0.05:  # father's and grandfather's names swapped
        for side in parts:
            side[1], side[2] = side[2], side[1]
    if rng.random() < 0.4 or p.birth_date is None:
        years = max(0, r.ages + rng.choice((-2, -1, -1, 0, 0, 0, 1, 1, 2)))
        birth, estimated = on.replace(year=on.year - years), True
    else:
        birth, estimated = p.birth_date, p.birth_estimated
    origin = rng.choice(["", p.origin, next((o for pair in ORIGINS for o in pair if o != p.origin
                                             and p.origin in pair), p.origin)])
    return replace(p, name_ar=tuple(parts[0]), name_lat=tuple(parts[1]),  # type: ignore[arg-type]
                   birth_date=birth, birth_estimated=estimated, origin=origin, documents=())


def _spellings(pools: list[list[tuple[str, list[str]]]]) -> set[str]:
    """Every Latin spelling `_latin_variant` writes without a typing mistake (articles and compounds)."""
    out: set[str] = set()
    for pool in pools:
        for _ar, lat in pool:
            for w in lat:
                out.add(w)
                if w.startswith("Al-"):
                    out.update((w[3:], "al " + w[3:], "Al" + w[3:].lower(), "El-" + w[3:]))
                if w.startswith("Abdul"):
                    out.update(("Abdul " + w[5:].capitalize(), "Abd al-" + w[5:].capitalize()))
    return out


def test_the_generator_makes_the_variants_it_claims() -> None:
    """Each kind of variant the issue lists, counted on 2,000 people and 1,000 rewritten (seeds 3 and 4,
    not those of the benchmark); the bounds are about half of what is counted."""
    on = date(2026, 6, 1)
    people = population(3, 2000, on)
    rng = random.Random(4)
    sample = people[:1000]
    rewritten = [rewrite(rng, r, on) for r in sample]
    pairs = list(zip(sample, rewritten, strict=True))
    assert len({r.household for r in people}) > 300

    def has(names: tuple[str, ...]) -> bool:
        return any(names)

    # the register: both scripts mostly, about 15% in Latin letters only and 10% in Arabic script only
    stored_latin_only = sum(1 for r in people if has(r.person.name_lat) and not has(r.person.name_ar))
    stored_arabic_only = sum(1 for r in people if has(r.person.name_ar) and not has(r.person.name_lat))
    assert 0.12 < stored_latin_only / len(people) < 0.18 and 0.07 < stored_arabic_only / len(people) < 0.13
    # transliterations both ways: a query in one script for a person stored only in the other
    latin_to_arabic = sum(1 for r, q in pairs if has(q.name_lat) and not has(q.name_ar) and not has(r.person.name_lat))
    arabic_to_latin = sum(1 for r, q in pairs if has(q.name_ar) and not has(q.name_lat) and not has(r.person.name_ar))
    assert latin_to_arabic >= 12 and arabic_to_latin >= 18
    # other Latin spellings of the same name (Mohammed / Muhammad), Arabic spelling variants (hamza, taa marbuta)
    respelled = sum(1 for r, q in pairs
                    if q.name_lat[0] and r.person.name_lat[0] and q.name_lat[0] != r.person.name_lat[0])
    arabic_variants = sum(1 for r, q in pairs for a, b in zip(q.name_ar, r.names, strict=True) if a and a != b)
    assert respelled > 200 and arabic_variants > 300
    # compounds joined and split: Abdulrahman stored, Abdul Rahman / Abd al-Rahman typed; عبد الرحمن / عبدالرحمن
    compounds = [(r, q) for r, q in pairs if r.names[0].startswith("عبد ")]
    split = sum(1 for r, q in compounds if " " in q.name_lat[0] and " " not in r.person.name_lat[0])
    joined = sum(1 for r, q in compounds if q.name_ar[0].startswith("عبدال"))
    assert split >= 8 and joined >= 8
    # the article kept or dropped (Al-Jubouri / Jubouri)
    dropped = sum(1 for r, q in pairs if q.name_lat[3] and r.person.name_lat[3].startswith("Al-")
                  and not q.name_lat[3].lower().startswith(("al", "el")))
    assert dropped > 100
    # typing mistakes: Latin words no clerk spells so
    known = _spellings([MALE, FEMALE, FAMILY])
    typos = sum(1 for _r, q in pairs for w in q.name_lat if w and w not in known)
    assert typos > 140
    # name parts missing, or father's and grandfather's swapped (read through the sound-alike keys)
    no_grandfather = sum(1 for q in rewritten if not q.name_ar[2] and not q.name_lat[2])
    no_family = sum(1 for q in rewritten if not q.name_ar[3] and not q.name_lat[3])
    swapped = sum(1 for r, q in pairs if q.name_ar[1] and q.name_ar[2]
                  and part_key(r.names[1]) != part_key(r.names[2])
                  and part_key(q.name_ar[1]) == part_key(r.names[2]) and part_key(q.name_ar[2]) == part_key(r.names[1]))
    assert no_grandfather > 200 and no_family > 50 and swapped >= 12
    # estimated ages one or two years off
    off = Counter(abs(q.birth_date.year - (on.year - r.ages)) for r, q in pairs
                  if q.birth_estimated and q.birth_date is not None)
    assert off[1] > 70 and off[2] > 40 and set(off) <= {0, 1, 2}
    # different people sharing common names: many full names (given, father, family) carried by several
    # people of different households
    households_of: dict[tuple[str, str, str], set[int]] = {}
    for r in people:
        households_of.setdefault((r.names[0], r.names[1], r.names[3]), set()).add(r.household)
    shared = sum(len(h) for h in households_of.values() if len(h) > 1)
    assert shared > 250 and max(len(h) for h in households_of.values()) >= 5
    # families share father and grandfather names: a child's father and grandfather are the head's given
    # and father's names
    kids = [r for r in people if r.household == people[0].household]
    assert len({(k.names[1], k.names[2]) for k in kids[2:]}) <= 1
    heads: dict[int, Registered] = {}
    for r in people:
        heads.setdefault(r.household, r)
    sharing = sum(1 for r in people if r is not heads[r.household]
                  and (r.names[1], r.names[2]) == (heads[r.household].names[0], heads[r.household].names[1]))
    assert sharing > 600

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
from dataclasses import dataclass, replace
from datetime import date, timedelta

from station.domain.tracing import Person

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
    person: Person
    ages: int  # age on the reference day


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
            latin_first = rng.random() < 0.9  # most records carry both scripts
            exact = rng.random() < 0.4
            birth = on - timedelta(days=int(age * 365.25) + rng.randint(0, 364))
            p = Person((g[0], f[0], gf[0], fam[0]),
                       (g[1][0], f[1][0], gf[1][0], fam[1][0]) if latin_first else ("", "", "", ""),
                       sex, birth if exact else on.replace(year=on.year - age), not exact,
                       origin[0] if rng.random() < 0.5 else origin[1])
            out.append(Registered(len(out), hh, p, age))
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
    ar = tuple(_arabic_variant(rng, w, typo) if w and script >= 0.25 else "" for w in p.name_ar)
    lat = tuple(_latin_variant(rng, a, pool, typo) if script < 0.75 else ""
                for a, pool in zip(p.name_ar, pools, strict=True))
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


def test_the_generator_makes_the_variants_it_claims() -> None:
    on = date(2026, 6, 1)
    people = population(3, 2000, on)
    rng = random.Random(4)
    rewritten = [rewrite(rng, r, on) for r in people[:500]]
    assert len({r.household for r in people}) > 300
    latin_only = sum(1 for p in rewritten if not any(p.name_ar) and any(p.name_lat))
    arabic_only = sum(1 for p in rewritten if any(p.name_ar) and not any(p.name_lat))
    no_grandfather = sum(1 for p in rewritten if not p.name_ar[2] and not p.name_lat[2])
    changed_spelling = sum(1 for p, r in zip(rewritten, people, strict=False)
                           if p.name_lat[0] and p.name_lat[0] != r.person.name_lat[0])
    assert latin_only > 50 and arabic_only > 50 and no_grandfather > 100 and changed_spelling > 100
    # families share father and grandfather names
    kids = [r for r in people if r.household == people[0].household]
    assert len({(k.person.name_ar[1], k.person.name_ar[2]) for k in kids[2:]}) <= 1

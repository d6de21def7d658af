"""A register of realistic names and the ways people type them, for search benchmarks.

Names are drawn with Zipf-like frequencies (a few very common: Mohammed, Ali, Fatima), each stored in
Arabic or Sorani script and/or in one of its Latin spellings (as different clerks wrote it). Children carry
the head's given name as father's name and the head's father as grandfather, so families share names.
Queries are made from the truth with other spellings, the other script, compounds joined or split, parts
swapped or left out, and typing mistakes.
"""

# ruff: noqa: E501  (the name tables read best one row of names per line)
from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

Name = tuple[str, tuple[str, ...]]  # (script, Latin spellings, the commonest first)

MALE: list[Name] = [
    ("محمد", ("Mohammed", "Muhammad", "Mohamed", "Mohammad", "Mohamad")), ("علي", ("Ali",)),
    ("أحمد", ("Ahmed", "Ahmad")), ("حسين", ("Hussein", "Husain", "Hussain", "Hussien")),
    ("عبد الله", ("Abdullah", "Abdulla", "Abd Allah", "Abdallah")), ("حسن", ("Hassan", "Hasan")),
    ("عمر", ("Omar", "Umar", "Omer")), ("محمود", ("Mahmoud", "Mahmood", "Mahmud")),
    ("خالد", ("Khalid", "Khaled")), ("يوسف", ("Yousef", "Yusuf", "Youssef", "Yousif")),
    ("عبد الرحمن", ("Abdulrahman", "Abd al-Rahman", "Abdul Rahman", "Abdelrahman", "Abdurrahman")),
    ("إبراهيم", ("Ibrahim", "Ebrahim", "Ibraheem")), ("مصطفى", ("Mustafa", "Mostafa", "Moustafa")),
    ("جاسم", ("Jassim", "Jasim", "Jasem")), ("كريم", ("Karim", "Kareem")), ("حامد", ("Hamid", "Hamed")),
    ("طارق", ("Tariq", "Tareq", "Tarek")), ("صالح", ("Salih", "Saleh")), ("سعد", ("Saad", "Sa'ad")),
    ("فاضل", ("Fadhil", "Fadil", "Fadel")), ("ياسر", ("Yasir", "Yasser", "Yaser")), ("ماجد", ("Majid", "Majed")),
    ("عبد الكريم", ("Abdulkarim", "Abdul Karim", "Abd al-Karim", "Abdelkarim")),
    ("حيدر", ("Haider", "Haidar", "Hayder")), ("عباس", ("Abbas",)), ("قاسم", ("Qasim", "Kasim", "Qassim")),
    ("عامر", ("Amer", "Aamer")), ("رشيد", ("Rashid", "Rasheed")), ("وليد", ("Walid", "Waleed")),
    ("أبو بكر", ("Abu Bakr", "Abubakr", "Abubakar")), ("عثمان", ("Othman", "Osman", "Uthman")),
    ("زيد", ("Zaid", "Zayd", "Zeid")), ("مهدي", ("Mahdi", "Mehdi")), ("جعفر", ("Jaafar", "Jafar", "Ja'far")),
    ("مسعود", ("Masoud", "Masood", "Masud")), ("ناصر", ("Nasser", "Nasir", "Naser")), ("نبيل", ("Nabil", "Nabeel")),
    ("عبد العزيز", ("Abdulaziz", "Abdul Aziz", "Abd al-Aziz")), ("سلمان", ("Salman",)), ("سامي", ("Sami", "Samy")),
]
MALE_KU: list[Name] = [
    ("ئازاد", ("Azad",)), ("هێمن", ("Hemin", "Hêmin")), ("کاروان", ("Karwan",)), ("سەرهەنگ", ("Sarhang", "Serheng")),
    ("دڵشاد", ("Dilshad", "Dilşad")), ("ڕێبوار", ("Rebwar", "Rêbwar")), ("شێرکۆ", ("Sherko", "Şêrko")),
    ("بەختیار", ("Bakhtiyar", "Bextiyar")), ("ئاراس", ("Aras",)), ("شوان", ("Shwan", "Şwan")),
    ("هاوکار", ("Hawkar",)), ("چیا", ("Chiya", "Çiya")), ("دیاکۆ", ("Diako", "Diyako")), ("هەڵگورد", ("Halgurd",)),
]
FEMALE: list[Name] = [
    ("فاطمة", ("Fatima", "Fatimah", "Fatma")), ("زينب", ("Zainab", "Zaynab", "Zeinab")), ("مريم", ("Maryam", "Mariam")),
    ("نور", ("Nour", "Noor", "Nur")), ("عائشة", ("Aisha", "Aysha")), ("هدى", ("Huda", "Hoda")), ("سارة", ("Sara", "Sarah")),
    ("رقية", ("Ruqaya", "Roqaya", "Ruqayya")), ("أمل", ("Amal",)), ("خديجة", ("Khadija", "Khadeeja", "Khadijah")),
    ("إسراء", ("Israa", "Esraa", "Isra")), ("شيماء", ("Shaimaa", "Shayma")), ("رنا", ("Rana",)), ("سلمى", ("Salma",)),
    ("ليلى", ("Layla", "Laila", "Leila")), ("حنان", ("Hanan",)), ("سعاد", ("Suad", "Souad", "Soad")),
    ("وفاء", ("Wafaa", "Wafa")), ("غادة", ("Ghada",)), ("إيمان", ("Iman", "Eman")), ("أسماء", ("Asmaa", "Asma")),
    ("سميرة", ("Samira", "Sameera")),
]
FEMALE_KU: list[Name] = [
    ("شیرین", ("Shirin", "Şîrîn", "Sherin")), ("ژیان", ("Zhiyan", "Jiyan")), ("شیلان", ("Shilan", "Şîlan")),
    ("ڕۆژان", ("Rozhan", "Rojan")), ("نازدار", ("Nazdar",)), ("گوڵاڵە", ("Gulala", "Gulale")), ("هێرۆ", ("Hero", "Hêro")),
    ("سۆزان", ("Sozan",)), ("ڤیان", ("Vian", "Viyan")), ("بەفرین", ("Bafrin", "Befrîn")), ("ئاوات", ("Awat",)),
    ("کوێستان", ("Kwestan", "Kwêstan")),
]
FAMILY: list[Name] = [
    ("الجبوري", ("Al-Jubouri", "Al-Jabouri", "Aljubouri", "al Jibouri")), ("العبيدي", ("Al-Obaidi", "Al-Ubaidi")),
    ("الدليمي", ("Al-Dulaimi", "Al-Dulaymi")), ("الشمري", ("Al-Shammari", "Al-Shamari")), ("الحمداني", ("Al-Hamdani",)),
    ("التميمي", ("Al-Tamimi", "Al-Tamimy")), ("الزبيدي", ("Al-Zubaidi", "Al-Zubeidi")), ("العزاوي", ("Al-Azzawi", "Al-Azawi")),
    ("الطائي", ("Al-Tai", "Al-Taie")), ("البياتي", ("Al-Bayati", "Al-Biati")), ("السامرائي", ("Al-Samarrai", "Al-Samarai")),
    ("الكبيسي", ("Al-Kubaisi", "Al-Kubaysi")), ("الجنابي", ("Al-Janabi",)), ("الخزرجي", ("Al-Khazraji",)),
    ("الموسوي", ("Al-Musawi", "Al-Moussawi")), ("الحسيني", ("Al-Husseini", "Al-Husaini")), ("العاني", ("Al-Ani",)),
    ("الراوي", ("Al-Rawi",)), ("النعيمي", ("Al-Nuaimi", "Al-Naimi")), ("السعدي", ("Al-Saadi", "Al-Sa'adi")),
    ("الربيعي", ("Al-Rubaie", "Al-Rubaiy")), ("اللامي", ("Al-Lami",)), ("الكعبي", ("Al-Kaabi", "Al-Ka'bi")),
    ("المالكي", ("Al-Maliki",)), ("الفلاحي", ("Al-Falahi",)), ("الحديثي", ("Al-Hadithi", "Al-Hadeethi")),
]
FAMILY_KU: list[Name] = [
    ("بەرزنجی", ("Barzinji", "Berzincî")), ("تاڵەبانی", ("Talabani", "Talebanî")), ("هەورامی", ("Hawrami", "Hewramî")),
    ("بارزانی", ("Barzani", "Barzanî")), ("سۆرانی", ("Sorani", "Soranî")), ("زەنگەنە", ("Zangana", "Zengene")),
    ("شوانی", ("Shwani", "Şwanî")), ("دزەیی", ("Dizayee", "Dizeyî")),
]


def _weights(n: int) -> list[float]:
    return [1 / (r + 1) ** 0.9 for r in range(n)]


@dataclass(frozen=True)
class Person:
    household: str
    ids: tuple[int, int, int, int]  # given, father, grandfather, family: indexes into the pools
    pools: tuple[str, str]  # ("m" | "f" | "mk" | "fk") for the given name, "a" | "k" for the family
    row: dict[str, object]


POOLS = {"m": MALE, "mk": MALE_KU, "f": FEMALE, "fk": FEMALE_KU, "a": FAMILY, "k": FAMILY_KU}
_W = {k: _weights(len(v)) for k, v in POOLS.items()}


class Register:
    """Households and people drawn at random; `truth` keeps what each person is really called."""

    def __init__(self, individuals: int, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        # ids from a generator of their own, seeded: the same register every run (a cached database of it
        # must carry the ids the queries look for; uuid4 made every run after the one that built it miss
        # all), and the names drawn exactly as before
        self._ids = random.Random(f"ids-{seed}")
        self.households: list[dict[str, object]] = []
        self.people: list[Person] = []
        self.share: Counter[tuple[object, ...]] = Counter()  # (word ids...) -> households with a person so named
        now = datetime(2026, 11, 30, 18, 0)  # noqa: DTZ001 - naive UTC, as the database stores it
        seq = 0
        while len(self.people) < individuals:
            seq += 1
            self._household(seq, now - timedelta(minutes=7 * (individuals - len(self.people))))

    def _pick(self, pool: str) -> int:
        return self.rng.choices(range(len(POOLS[pool])), _W[pool])[0]

    def _spell(self, pool: str, i: int) -> tuple[str, str]:
        script, latin = POOLS[pool][i]
        spelling = latin[0] if self.rng.random() < 0.5 else self.rng.choice(latin)
        has_script, has_latin = self.rng.random() < 0.85, self.rng.random() < 0.8
        if not has_script and not has_latin:
            has_latin = True
        return (script if has_script else ""), (spelling if has_latin else "")

    def _household(self, seq: int, at: datetime) -> None:
        rng = self.rng
        hid = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
        kurdish = rng.random() < 0.3
        m, f, fam = ("mk", "fk", "k") if kurdish else ("m", "f", "a")
        family = self._pick(fam)
        head_female = rng.random() < 0.3
        head = (self._pick(f if head_female else m), self._pick(m), self._pick(m), family)
        members = [((f if head_female else m), head)]
        if not head_female and rng.random() < 0.8:
            members.append((f, (self._pick(f), self._pick(m), self._pick(m), self._pick(fam))))
        for _ in range(rng.choice([0, 1, 2, 3, 3, 4, 5])):
            boy = rng.random() < 0.5
            father = head[0] if not head_female else self._pick(m)
            members.append(((m if boy else f), (self._pick(m if boy else f), father, head[1], family)))
        self.households.append({"id": hid, "seq": seq, "at": at, "kurdish": kurdish})
        named: set[tuple[object, ...]] = set()
        for pos, (gpool, ids) in enumerate(members, start=1):
            spelt = [self._spell(pool, i) for pool, i in zip((gpool, m, m, fam), ids, strict=True)]
            row = {"household_id": hid, "position": pos,
                   "given_ar": spelt[0][0], "father_ar": spelt[1][0], "grandfather_ar": spelt[2][0],
                   "family_ar": spelt[3][0], "given_lat": spelt[0][1], "father_lat": spelt[1][1],
                   "grandfather_lat": spelt[2][1], "family_lat": spelt[3][1]}
            person = Person(hid, ids, (gpool, fam), row)
            self.people.append(person)
            for combo in _combos(person):
                named.add(combo)
        for combo in named:
            self.share[combo] += 1


def _combos(p: Person) -> list[tuple[object, ...]]:
    g, fa, gf, fam = p.ids
    gp, fp = p.pools
    fpool = "mk" if fp == "k" else "m"
    return [(gp, g), (gp, g, fp, fam), (gp, g, fpool, fa), (gp, g, fpool, fa, fp, fam), (gp, g, "gf", gf)]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap", "vowel"))
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    vowels = "aeiou"
    return word[:i] + (rng.choice(vowels) if word[i] in vowels else word[i]) + word[i + 1:]


def _latin(rng: random.Random, pool: str, i: int) -> str:
    return rng.choice(POOLS[pool][i][1])


def queries(reg: Register, n: int, seed: int = 9) -> list[tuple[str, str, str, int]]:
    """(kind, text, household id, households sharing the words) for n people of each kind."""
    rng = random.Random(seed)
    out: list[tuple[str, str, str, int]] = []
    by_kind: dict[str, int] = defaultdict(int)
    kinds = ("given+family", "given+father", "three words", "other script", "compound", "swapped",
             "grandfather (father missing)", "typo", "one word")
    while min((by_kind[k] for k in kinds), default=0) < n:
        p = rng.choice(reg.people)
        g, fa, gf, fam = p.ids
        gp, fp = p.pools
        mp = "mk" if fp == "k" else "m"
        kind = rng.choice(kinds)
        if by_kind[kind] >= n:
            continue
        text, combo = "", (gp, g, fp, fam)
        if kind == "given+family":
            text = f"{_latin(rng, gp, g)} {_latin(rng, fp, fam)}"
        elif kind == "given+father":
            text, combo = f"{_latin(rng, gp, g)} {_latin(rng, mp, fa)}", (gp, g, mp, fa)
        elif kind == "three words":
            text, combo = f"{_latin(rng, gp, g)} {_latin(rng, mp, fa)} {_latin(rng, fp, fam)}", (gp, g, mp, fa, fp, fam)
        elif kind == "other script":  # typed in the script the clerk did not fill in
            if bool(p.row["given_lat"]) == bool(p.row["given_ar"]):
                continue
            if p.row["given_lat"]:
                text = f"{POOLS[gp][g][0]} {POOLS[fp][fam][0]}"
            else:
                text = f"{_latin(rng, gp, g)} {_latin(rng, fp, fam)}"
        elif kind == "compound":
            spellings = POOLS[gp][g][1]
            if not any(" " in s or s.lower().startswith(("abd", "abu")) for s in spellings):
                continue
            text = f"{rng.choice(spellings)} {_latin(rng, fp, fam)}"
        elif kind == "swapped":
            text = f"{_latin(rng, fp, fam)} {_latin(rng, gp, g)}"
        elif kind == "grandfather (father missing)":
            text, combo = f"{_latin(rng, gp, g)} {_latin(rng, mp, gf)}", (gp, g, "gf", gf)
        elif kind == "typo":
            words = [_latin(rng, gp, g), _latin(rng, fp, fam)]
            k = rng.randrange(2)
            words[k] = _typo(rng, words[k])
            text = " ".join(words)
        else:
            text, combo = _latin(rng, gp, g), (gp, g)
        by_kind[kind] += 1
        out.append((kind, text, p.household, reg.share[combo]))
    return out

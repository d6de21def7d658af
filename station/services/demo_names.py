"""Name and place lists for synthetic demo households (Arabic and Sorani Kurdish, with Latin spellings)."""

from __future__ import annotations

# (script, Latin) pairs. Arabic names common in Iraq and Syria; Sorani Kurdish names with ێ ڵ ۆ ڕ.
MALE_AR = [
    ("أحمد", "Ahmed"), ("محمد", "Mohammed"), ("علي", "Ali"), ("حسين", "Hussein"), ("عمر", "Omar"),
    ("خالد", "Khalid"), ("يوسف", "Yousef"), ("إبراهيم", "Ibrahim"), ("مصطفى", "Mustafa"), ("حسن", "Hassan"),
    ("عبد الله", "Abdullah"), ("سعد", "Saad"), ("فاضل", "Fadhil"), ("جاسم", "Jassim"), ("كريم", "Karim"),
    ("ياسر", "Yasir"), ("طارق", "Tariq"), ("ماجد", "Majid"), ("نبيل", "Nabil"), ("صالح", "Salih"),
]
FEMALE_AR = [
    ("فاطمة", "Fatima"), ("زينب", "Zainab"), ("مريم", "Maryam"), ("عائشة", "Aisha"), ("نور", "Nour"),
    ("هدى", "Huda"), ("سارة", "Sara"), ("رقية", "Ruqaya"), ("أمل", "Amal"), ("خديجة", "Khadija"),
    ("إسراء", "Israa"), ("شيماء", "Shaimaa"), ("رنا", "Rana"), ("سلمى", "Salma"), ("ليلى", "Layla"),
]
MALE_KU = [
    ("ئازاد", "Azad"), ("هێمن", "Hemin"), ("کاروان", "Karwan"), ("سەرهەنگ", "Sarhang"), ("دڵشاد", "Dilshad"),
    ("ڕێبوار", "Rebwar"), ("شێرکۆ", "Sherko"), ("بەختیار", "Bakhtiyar"), ("هەڵۆ", "Halo"), ("ئاراس", "Aras"),
]
FEMALE_KU = [
    ("ژیان", "Zhiyan"), ("شیلان", "Shilan"), ("ڕۆژان", "Rozhan"), ("نازدار", "Nazdar"), ("گوڵاڵە", "Gulala"),
    ("هێرۆ", "Hero"), ("ئاوات", "Awat"), ("سۆزان", "Sozan"), ("ڤیان", "Vian"), ("بەفرین", "Bafrin"),
]
FAMILY_AR = [
    ("الجبوري", "Al-Jubouri"), ("العبيدي", "Al-Obaidi"), ("الدليمي", "Al-Dulaimi"), ("الشمري", "Al-Shammari"),
    ("الحمداني", "Al-Hamdani"), ("التميمي", "Al-Tamimi"), ("الزبيدي", "Al-Zubaidi"), ("العزاوي", "Al-Azzawi"),
    ("الطائي", "Al-Tai"), ("الحديدي", "Al-Hadidi"), ("السبعاوي", "Al-Sabawi"), ("البياتي", "Al-Bayati"),
]
FAMILY_KU = [
    ("بارزانی", "Barzani"), ("سۆرانی", "Sorani"), ("هەورامی", "Hawrami"), ("زەنگەنە", "Zangana"),
    ("جاف", "Jaf"), ("مەرگەسۆری", "Margasori"), ("دزەیی", "Dizayee"), ("خۆشناو", "Khoshnaw"),
]
# (governorate, [districts], [towns]) in Latin script as clerks commonly write them, with Arabic.
ORIGINS = [
    ("Ninewa", ["Mosul", "Tel Afar", "Sinjar", "Hamdaniya"], ["Mosul", "Qayyarah", "Hammam al-Alil", "Bartella"]),
    ("Anbar", ["Fallujah", "Ramadi", "Al-Qaim"], ["Fallujah", "Karma", "Hit", "Rawa"]),
    ("Salah al-Din", ["Tikrit", "Baiji", "Shirqat"], ["Tikrit", "Baiji", "Shirqat", "Tuz Khurmatu"]),
    ("Kirkuk", ["Hawija", "Dibis"], ["Hawija", "Riyadh", "Zab"]),
    ("Diyala", ["Baqubah", "Khanaqin"], ["Jalawla", "Saadiya", "Muqdadiya"]),
    ("Deir ez-Zor", ["Al-Mayadin", "Abu Kamal"], ["Hajin", "Al-Bukamal", "Mayadin"]),
    ("Aleppo", ["Afrin", "Manbij", "Al-Bab"], ["Afrin", "Manbij", "Tal Rifaat"]),
    ("Raqqa", ["Tabqa", "Tal Abyad"], ["Raqqa", "Tabqa", "Ain Issa"]),
]
ORIGINS_AR = {
    "Ninewa": "نينوى", "Anbar": "الأنبار", "Salah al-Din": "صلاح الدين", "Kirkuk": "كركوك",
    "Diyala": "ديالى", "Deir ez-Zor": "دير الزور", "Aleppo": "حلب", "Raqqa": "الرقة",
}
ARRIVAL_POINTS = ["Khazir checkpoint", "Debaga gate", "Hasansham", "Qayyarah airstrip", "Bartella road"]

"""Hypothesis strategies for valid identities and MRZ lines (shared by the MRZ tests)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from station.scanning.mrz.compose import Identity, td1, td2, td3

TODAY = date(2026, 11, 25)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = "0123456789" + LETTERS

words = st.text(alphabet=LETTERS, min_size=1, max_size=9)
identities = st.builds(
    Identity,
    surname=st.lists(words, min_size=1, max_size=2).map(" ".join),
    given_names=st.lists(words, min_size=0, max_size=3).map(" ".join),
    document_number=st.text(alphabet=ALNUM, min_size=5, max_size=9),
    nationality=st.sampled_from(["IRQ", "SYR", "TUR", "IRN", "JOR", "D", "UTO"]),
    birth_date=st.dates(date(1930, 1, 1), date(2026, 11, 24)),
    sex=st.sampled_from("MFX"),
    expiry_date=st.dates(date(2027, 1, 1), date(2070, 12, 31)),
    optional_data=st.text(alphabet=ALNUM, max_size=12),
)
layouts = st.sampled_from([td1, td2, td3])

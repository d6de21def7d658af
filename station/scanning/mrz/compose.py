"""Write MRZ lines from fields (TD1, TD2, TD3): used by the synthetic documents, the trainer and tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from station.scanning.mrz.checkdigits import check_digit


@dataclass(frozen=True)
class Identity:
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: date
    sex: str  # M, F or X
    expiry_date: date
    issuing_state: str = ""
    document_code: str = ""
    optional_data: str = ""  # national ID number etc.


def _pad(text: str, n: int) -> str:
    return (text + "<" * n)[:n]


def name_field(surname: str, given: str, n: int) -> str:
    s = "<".join(surname.upper().split())
    g = "<".join(given.upper().split())
    return _pad(f"{s}<<{g}" if g else s, n)


def _yymmdd(d: date) -> str:
    return d.strftime("%y%m%d")


def td3(p: Identity) -> tuple[str, str]:
    code = _pad(p.document_code or "P", 2)
    l1 = code + _pad(p.issuing_state or p.nationality, 3) + name_field(p.surname, p.given_names, 39)
    num = _pad(p.document_number, 9)
    opt = _pad(p.optional_data, 14)
    opt_cd = "<" if set(opt) == {"<"} else check_digit(opt)
    body = (
        num + check_digit(num) + _pad(p.nationality, 3) + _yymmdd(p.birth_date) + check_digit(_yymmdd(p.birth_date))
        + (p.sex if p.sex in "MF" else "<") + _yymmdd(p.expiry_date) + check_digit(_yymmdd(p.expiry_date))
        + opt + opt_cd
    )
    comp = check_digit(body[0:10] + body[13:20] + body[21:43])
    return l1, body + comp


def td2(p: Identity) -> tuple[str, str]:
    code = _pad(p.document_code or "I", 2)
    l1 = code + _pad(p.issuing_state or p.nationality, 3) + name_field(p.surname, p.given_names, 31)
    num = _pad(p.document_number, 9)
    body = (
        num + check_digit(num) + _pad(p.nationality, 3) + _yymmdd(p.birth_date) + check_digit(_yymmdd(p.birth_date))
        + (p.sex if p.sex in "MF" else "<") + _yymmdd(p.expiry_date) + check_digit(_yymmdd(p.expiry_date))
        + _pad(p.optional_data, 7)
    )
    return l1, body + check_digit(body[0:10] + body[13:20] + body[21:35])


def td1(p: Identity) -> tuple[str, str, str]:
    code = _pad(p.document_code or "I", 2)
    num = p.document_number
    if len(num) <= 9:
        head = _pad(num, 9) + check_digit(_pad(num, 9)) + _pad(p.optional_data, 15)
    else:  # long number: first 9 characters, filler, rest + check digit, then the optional data
        head = num[:9] + "<" + _pad(num[9:] + check_digit(num) + "<" + p.optional_data, 15)
    l1 = code + _pad(p.issuing_state or p.nationality, 3) + head
    l2 = (
        _yymmdd(p.birth_date) + check_digit(_yymmdd(p.birth_date)) + (p.sex if p.sex in "MF" else "<")
        + _yymmdd(p.expiry_date) + check_digit(_yymmdd(p.expiry_date)) + _pad(p.nationality, 3) + "<" * 11
    )
    comp = check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    return l1, l2 + comp, name_field(p.surname, p.given_names, 30)

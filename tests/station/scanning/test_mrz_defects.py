"""Issue 17 defects, one test each: wrong values never pass as verified, repairs stay plausible, the zone
finder and the page turns find the MRZ, ICAO's empty surname and non-UTF-8 barcodes handled."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from station.domain.codes import DocumentType, Relationship, Sex
from station.domain.model import MemberDraft, NameParts
from station.scanning.fill import UNVERIFIED, Check, from_mrz, member_from_document
from station.scanning.idscan import scan_image
from station.scanning.mrz.checkdigits import check_digit
from station.scanning.mrz.compose import Identity, td1, td2, td3
from station.scanning.mrz.ocr import read_gray
from station.scanning.mrz.parse import PASSED, parse_lines
from tests.station.scanning.docgen import OCRB, make_sample, random_identity, render_document
from tests.station.scanning.mrz_strategies import TODAY

SURE = 0.9995  # above verdict.UNCHECKED_VERIFY_ABOVE: read surely enough to verify a name


def _conf(lines: tuple[str, ...] | list[str], low: dict[tuple[int, int], float] | None = None) -> list[list[float]]:
    out = [[SURE] * len(x) for x in lines]
    for (li, i), p in (low or {}).items():
        out[li][i] = p
    return out


def _card(number: str, opt: str = "") -> tuple[str, str, str]:
    return td1(Identity("ERIKSSON", "ANNA", number, "UTO", date(1974, 8, 12), "F", date(2032, 4, 15), "UTO", "I",
                        opt))


def _blank_member() -> MemberDraft:
    return MemberDraft(NameParts(), NameParts(), Sex.UNKNOWN, Relationship.HEAD)


def test_printed_number_is_the_document_and_an_unsure_national_id_is_not_stored() -> None:
    lines = _card("L1234567A", "199001234567")
    # The national ID (optional data) read unsurely: the composite digit alone cannot vouch for it.
    r = parse_lines(lines, today=TODAY, confidence=_conf(lines, {(0, 20): 0.7}))
    fields = from_mrz(r)
    assert fields.get("national_id") is not None and fields.get("national_id").check is not Check.PASSED
    member, sources = member_from_document(_blank_member(), fields)
    assert member.documents[0].number == "L1234567A"  # the number printed on the card
    assert [d.number for d in member.documents] == ["L1234567A"]
    assert sources["doc_number"] == "mrz"
    # Read surely, it is stored beside the card as a document of its own, and the card stays the card.
    r = parse_lines(lines, today=TODAY, confidence=_conf(lines))
    member, _sources = member_from_document(_blank_member(), from_mrz(r))
    assert [(d.doc_type, d.number) for d in member.documents] == [
        (DocumentType.NATIONAL_ID, "L1234567A"), (DocumentType.NATIONAL_ID, "199001234567")]


def test_anything_not_verified_is_marked_for_retyping() -> None:
    lines = _card("L1234567A")
    r = parse_lines(lines, today=TODAY, confidence=_conf(lines, {(2, 2): 0.8, (0, 7): 0.9}))
    assert r.valid
    _member, sources = member_from_document(_blank_member(), from_mrz(r))
    assert sources["family_lat"] == "mrz" + UNVERIFIED  # a name character read unsurely
    assert sources["doc_number"] == "mrz" + UNVERIFIED  # alphanumeric: its digit cannot see A/K/U/0 swaps
    assert sources["birth_date"] == "mrz"
    # Lines given as text carry no confidence: only the dates are vouched for by their own digits.
    _member, sources = member_from_document(_blank_member(), from_mrz(parse_lines(lines, today=TODAY)))
    assert {k for k, v in sources.items() if not v.endswith(UNVERIFIED)} == {"birth_date", "doc_expiry"}


def test_repair_inside_a_long_td1_number_is_not_passed() -> None:
    good = list(_card("D23145890123"))
    bad = [good[0][:5] + "0" + good[0][6:], *good[1:]]  # D read as 0
    r = parse_lines(bad, today=TODAY)
    assert r.field_checks["document_number"] in ("repaired", "failed")  # the form asks for it again


def test_td1_optional_data_obeys_the_low_confidence_rule() -> None:
    lines = _card("L1234567A", "1087511")
    unsure = {(0, i): 0.4 for i in range(18, 22)}
    r = parse_lines(lines, today=TODAY, confidence=_conf(lines, unsure))
    assert not r.valid and r.field_checks["optional_data"] == "failed"
    r = parse_lines(lines, today=TODAY, doubtful=set(unsure))
    assert not r.valid


def test_repair_refuses_an_implausible_alternative() -> None:
    l1, l2 = td3(Identity("HORVAT", "IVAN", "007007007", "HRV", date(1974, 8, 12), "M", date(2032, 4, 15)))
    misread = l2[:9] + check_digit("307007007") + l2[10:]  # the check digit misread
    conf = _conf((l1, misread), {(1, 9): 0.6})
    r = parse_lines((l1, misread), today=TODAY, confidence=conf, alternatives={(1, 0): {"3": 0.02}})
    assert r.fields["document_number"] == "007007007" and not r.repairs
    assert r.field_checks["document_number"] == "failed"
    # The same guess offered with weight where the reader was unsure is taken.
    conf[1][0] = 0.5
    r = parse_lines((l1, misread), today=TODAY, confidence=conf, alternatives={(1, 0): {"3": 0.45}})
    assert r.fields["document_number"] == "307007007" and r.field_checks["document_number"] == "repaired"


def test_two_equally_likely_repairs_are_refused() -> None:
    l1, l2 = td3(Identity("HORVAT", "IVAN", "L898902C3", "HRV", date(1974, 8, 12), "M", date(2032, 4, 15)))
    bad = "L8989O2C3" + l2[9:]
    conf = _conf((l1, bad), {(1, 5): 0.5, (1, 1): 0.5})
    r = parse_lines((l1, bad), today=TODAY, confidence=conf, alternatives={(1, 5): {"0": 0.4}, (1, 1): {"B": 0.4}})
    assert r.fields["document_number"] == "L898902C3" or not r.valid


def test_empty_surname_is_accepted() -> None:
    l1 = "P<IND<<FIRST<NAME" + "<" * 27
    l2 = td3(Identity("X", "Y", "L898902C3", "IND", date(1974, 8, 12), "F", date(2032, 4, 15)))[1]
    r = parse_lines((l1, l2), today=TODAY)
    assert r.valid and r.fields["surname"] == "" and r.fields["given_names"] == "FIRST NAME"


def test_unsure_name_character_does_not_refuse_a_record_whose_digits_hold() -> None:
    lines = _card("L1234567A")
    r = parse_lines(lines, today=TODAY, confidence=_conf(lines, {(2, 3): 0.45, (1, 16): 0.5}))
    assert r.valid
    assert r.field_checks["surname"] == "none" and r.field_checks["nationality"] == "none"
    assert r.field_checks["birth_date"] == PASSED


def _page_with_labels(mrz: tuple[str, ...]) -> np.ndarray:
    """A TD2-like page: three long lines of printed labels above the MRZ, same height and pitch."""
    font = ImageFont.truetype(str(OCRB), 34)
    w = int(font.getlength("M") * 46)
    img = Image.new("L", (w, 560), 235)
    d = ImageDraw.Draw(img)
    labels = ["SURNAME / NOM / APELLIDOS ERIKSSON ANNA MARIA", "DATE OF BIRTH 12 AUG 1974 PLACE ZENITH UTOPIA",
              "AUTHORITY PASSPORT OFFICE 15 APR 2012 ISSUE NO 4"]
    for i, text in enumerate(labels):
        d.text((30, 30 + i * 52), text, font=font, fill=30)
    for i, text in enumerate(mrz):
        d.text((30, 400 + i * 52), text, font=font, fill=20)
    return np.asarray(img)


def test_zone_finder_tries_the_next_candidate() -> None:
    mrz = td2(Identity("ERIKSSON", "ANNA MARIA", "D23145890", "UTO", date(1974, 8, 12), "F", date(2032, 4, 15)))
    read = read_gray(_page_with_labels(mrz))
    assert read is not None and read.result is not None and read.result.valid
    assert read.result.lines == mrz


def test_page_held_sideways_is_read() -> None:
    """A scan or a close-up: the page fills the picture, so no card outline straightens it first."""
    rng = np.random.default_rng(5)
    person = random_identity(rng, "TD3")
    page, lines = render_document(rng, "TD3", person)
    for turn in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE):
        r = scan_image(cv2.rotate(page, turn), barcodes=False)
        assert r.mrz is not None and r.mrz.valid and r.mrz.lines == lines


def test_verified_values_from_a_real_read_are_right() -> None:
    s = make_sample(2, "easy", "TD3")
    r = scan_image(s.image)
    assert r.mrz is not None
    truth = parse_lines(s.lines, today=TODAY)
    verified = {k for k, v in r.mrz.field_checks.items() if v == PASSED}
    assert {"document_number", "birth_date", "expiry_date"} <= verified
    assert all(r.mrz.fields[k] == truth.fields[k] for k in verified)
    assert replace(from_mrz(r.mrz)).get("document_number").verified

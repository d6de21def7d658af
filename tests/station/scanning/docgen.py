"""Synthetic ID documents for tests and the accuracy benchmark: valid random identities (TD1 cards, TD3
passport pages) in OCR-B on card-like backgrounds, photographed in a 1280x720 frame with perspective,
blur, noise, glare, JPEG compression and low light, at three difficulty levels.

Independent of the trainer's renderer on purpose: different layout, backgrounds and degradations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from station.scanning.mrz.compose import Identity, td1, td3

OCRB = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
SANS = Path(__file__).resolve().parents[3] / "station" / "resources" / "fonts" / "NotoSans-Regular.ttf"
LEVELS = ("easy", "moderate", "hard")
FRAME = (1280, 720)
PX_PER_MM = 10
SURNAMES = ["AL JUBOURI", "HASSAN", "AL OBAIDI", "KHALIL", "MAHMOUD", "AL DULAIMI", "OTHMAN", "SALEH",
            "IBRAHIM", "AL ZUBAIDI", "KARIM", "ABDULLAH", "AL SHAMMARI", "RASHID", "QADIR", "BARZANI"]
GIVEN = ["AHMED", "FATIMA", "ZAINAB", "MOHAMMED", "ALI", "HUSSEIN", "MARYAM", "OMAR", "NOOR", "YOUSIF",
         "SARA", "KHALID", "HIBA", "MUSTAFA", "RANA", "DILAN", "SHIRIN", "AZAD", "ZAHRA", "BASHIR"]


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # BGR frame
    lines: tuple[str, ...]
    identity: Identity
    kind: str
    level: str


def random_identity(rng: np.random.Generator, kind: str) -> Identity:
    alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    nat = str(rng.choice(["IRQ", "IRQ", "IRQ", "SYR", "SYR", "TUR", "IRN"]))
    if kind == "TD3":
        number = str(rng.choice(list("ABGNPS"))) + "".join(rng.choice(list("0123456789"), 8))
    else:
        number = "".join(rng.choice(list(alnum), 9))
    birth = date(1935, 1, 1) + timedelta(days=int(rng.integers(0, 33000)))
    expiry = date(2026, 12, 1) + timedelta(days=int(rng.integers(0, 3650)))
    n_given = int(rng.integers(1, 3))
    return Identity(
        surname=str(rng.choice(SURNAMES)),
        given_names=" ".join(rng.choice(GIVEN, n_given)),
        document_number=number,
        nationality=nat,
        birth_date=birth,
        sex=str(rng.choice(["M", "F"])),
        expiry_date=expiry,
        optional_data="".join(rng.choice(list("0123456789"), int(rng.integers(0, 13)))),
    )


def _background(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    base = rng.integers(190, 250, 3)
    tint = rng.integers(-40, 10, 3)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx / w + yy / h) / 2
    arr = base[None, None, :] + tint[None, None, :] * t[..., None]
    freq = rng.uniform(0.02, 0.06)
    arr += 8 * np.sin(xx * freq + 6 * np.sin(yy * freq * 0.7))[..., None]  # guilloche-like waves
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def render_document(rng: np.random.Generator, kind: str, person: Identity,
                    lines: tuple[str, ...] | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """The flat document as BGR at 10 px/mm, and its MRZ lines (`lines` prints others, e.g. a forgery)."""
    w_mm, h_mm = (85.6, 54.0) if kind == "TD1" else (125.0, 88.0)
    w, h = int(w_mm * PX_PER_MM), int(h_mm * PX_PER_MM)
    img = _background(rng, w, h)
    d = ImageDraw.Draw(img)
    sans = ImageFont.truetype(str(SANS), 22)
    small = ImageFont.truetype(str(SANS), 16)
    d.rectangle((30, 70, 30 + int(w * 0.25), 70 + int(h * 0.42)), fill=(150, 140, 135))  # photo
    d.ellipse((50, 100, 10 + int(w * 0.25), 40 + int(h * 0.42)), fill=(120, 100, 90))
    d.text((30, 20), "REPUBLIC OF IRAQ  -  NATIONAL CARD" if kind == "TD1" else "PASSPORT  -  REPUBLIC OF IRAQ",
           font=sans, fill=(40, 60, 110))
    x0 = 60 + int(w * 0.25)
    for i, (label, value) in enumerate([("Surname", person.surname), ("Given names", person.given_names),
                                         ("Date of birth", person.birth_date.strftime("%d.%m.%Y")),
                                         ("No.", person.document_number)]):
        d.text((x0, 75 + i * 44), label, font=small, fill=(90, 90, 110))
        d.text((x0, 93 + i * 44), value, font=sans, fill=(20, 20, 30))
    lines = lines or (td1(person) if kind == "TD1" else td3(person))
    font = ImageFont.truetype(str(OCRB), round(25.4 / 0.7229))  # 2.54 mm pitch
    spacing = 4.3 * PX_PER_MM
    bottom = h - int(1.2 * PX_PER_MM) - int(spacing * 0.8)
    left = (w - font.getlength(lines[0])) / 2
    ink = tuple(int(v) for v in rng.integers(10, 50, 3))
    for i, text in enumerate(lines):
        d.text((left, bottom - (len(lines) - 1 - i) * spacing - 30), text, font=font, fill=ink)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR), lines


PARAMS = {
    # card width share of frame, rotation deg, corner jitter share, blur sigma, noise sigma, glare, jpeg q, gain
    "easy": dict(width=(0.7, 0.85), rot=3, jitter=0.02, blur=(0.0, 0.5), noise=(1, 3), glare=(0.0, 0.0),
                 jpeg=(88, 95), gain=(0.9, 1.0)),
    "moderate": dict(width=(0.6, 0.8), rot=10, jitter=0.05, blur=(0.5, 1.1), noise=(3, 7), glare=(0.0, 0.35),
                     jpeg=(60, 85), gain=(0.6, 1.0)),
    "hard": dict(width=(0.5, 0.7), rot=20, jitter=0.08, blur=(0.9, 1.6), noise=(6, 12), glare=(0.3, 0.6),
                 jpeg=(35, 60), gain=(0.3, 0.6)),
}


def _desk(rng: np.random.Generator) -> np.ndarray:
    fw, fh = FRAME
    base = rng.integers(40, 140, 3).astype(np.float32)
    noise = cv2.GaussianBlur(rng.normal(0, 25, (fh, fw)).astype(np.float32), (0, 0), 6)
    return np.clip(base[None, None, :] + noise[..., None], 0, 255).astype(np.uint8)


def photograph(rng: np.random.Generator, doc: np.ndarray, level: str) -> np.ndarray:
    p = PARAMS[level]
    fw, fh = FRAME
    h, w = doc.shape[:2]
    tw = rng.uniform(*p["width"]) * fw
    th = tw * h / w
    if th > 0.9 * fh:
        tw, th = tw * 0.9 * fh / th, 0.9 * fh
    ang = np.radians(rng.uniform(-p["rot"], p["rot"]))
    c, s = np.cos(ang), np.sin(ang)
    half = np.array([[-tw / 2, -th / 2], [tw / 2, -th / 2], [tw / 2, th / 2], [-tw / 2, th / 2]])
    rot = half @ np.array([[c, s], [-s, c]])
    ext = np.abs(rot).max(axis=0) + p["jitter"] * tw
    fit = min(1.0, 0.47 * fw / ext[0], 0.47 * fh / ext[1])  # the whole document stays in the frame
    rot, tw, ext = rot * fit, tw * fit, ext * fit
    centre = np.array([rng.uniform(ext[0], fw - ext[0]) if fw > 2 * ext[0] else fw / 2,
                       rng.uniform(ext[1], fh - ext[1]) if fh > 2 * ext[1] else fh / 2])
    dst = rot + centre + rng.uniform(-1, 1, (4, 2)) * p["jitter"] * tw
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    frame = _desk(rng)
    warped = cv2.warpPerspective(doc, m, FRAME, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, FRAME)
    frame[mask > 127] = warped[mask > 127]
    out = frame.astype(np.float32)
    g = rng.uniform(*p["glare"])
    if g > 0:  # a soft bright spot from a ceiling light
        gx, gy = rng.uniform(0.2, 0.8) * fw, rng.uniform(0.2, 0.8) * fh
        r = rng.uniform(0.08, 0.2) * fw
        yy, xx = np.mgrid[0:fh, 0:fw]
        spot = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * r * r)) * g * 255
        out += spot[..., None]
    out *= rng.uniform(*p["gain"])
    sigma = rng.uniform(*p["blur"])
    if sigma > 0.2:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    out += rng.normal(0, rng.uniform(*p["noise"]), out.shape)
    img = np.clip(out, 0, 255).astype(np.uint8)
    _, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(*p["jpeg"]))])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def make_sample(seed: int, level: str, kind: str | None = None) -> Sample:
    rng = np.random.default_rng(seed)
    kind = kind or str(rng.choice(["TD1", "TD3"]))
    person = random_identity(rng, kind)
    doc, lines = render_document(rng, kind, person)
    return Sample(photograph(rng, doc, level), tuple(lines), person, kind, level)

"""A harder MRZ benchmark than docgen: the five ICAO layouts in several OCR-B-like fonts, at character
heights of 6-20 px, degraded the way real captures are, one named condition per image.

Fonts: OCR-B (the training font) and its "sharp" cut, plus monospaced faces the recognizer never saw
(DejaVu Sans Mono, Noto Sans Mono, Nimbus Mono PS, and Liberation Mono / FreeMono when Debian's
fonts-liberation / fonts-freefont-ttf are installed). Names and numbers use the whole alphabet; TD1
numbers are sometimes long. Every image also carries printed text lines above the zone.

Conditions: clean, print_scan (blur + halftone), jpeg, perspective (up to 30 degrees), turned (90, 180
or 270 degrees), curvature, glare (laminate highlight + hologram), stamp (coloured guilloche and a stamp
over the zone), near_text (text lines close to the zone in the same font), motion_blur.

Splits: seeds below HELD_OUT are for tuning; seeds from HELD_OUT on are the held-out set, never tuned on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from station.scanning.mrz.compose import Identity, name_field, td1, td2, td3

FONTS = {
    "ocrb": Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf"),
    "ocrb_sharp": Path("/usr/share/fonts/opentype/ocr-b/OCRBS.otf"),
    "dejavu_mono": Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
    "noto_mono": Path("/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf"),
    "nimbus_mono": Path("/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf"),
    "liberation_mono": Path("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf"),
    "free_mono": Path("/usr/share/fonts/truetype/freefont/FreeMono.ttf"),
}
CONDITIONS = ("clean", "print_scan", "jpeg", "perspective", "turned", "curvature", "glare", "stamp",
              "near_text", "motion_blur")
LAYOUTS = ("TD1", "TD2", "TD3", "MRVA", "MRVB")
HEIGHTS = tuple(range(6, 21))
HELD_OUT = 1_000_000
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = "0123456789" + LETTERS
WORK_CHAR_H = 40  # characters are drawn this tall, then the page is scaled to the wanted height


def available_fonts() -> dict[str, Path]:
    return {name: path for name, path in FONTS.items() if path.is_file()}


@dataclass(frozen=True)
class FieldSample:
    image: np.ndarray  # BGR
    lines: tuple[str, ...]
    layout: str
    font: str
    condition: str
    char_h: int
    seed: int


def _word(rng: np.random.Generator, lo: int, hi: int) -> str:
    return "".join(rng.choice(list(LETTERS), int(rng.integers(lo, hi + 1))))


def random_lines(rng: np.random.Generator, layout: str) -> tuple[str, ...]:
    """Valid MRZ lines for a random identity: names over the whole alphabet, alphanumeric numbers."""
    long_number = layout == "TD1" and rng.random() < 0.3
    number = "".join(rng.choice(list(ALNUM), int(rng.integers(10, 15)) if long_number else 9))
    person = Identity(
        surname=" ".join(_word(rng, 2, 9) for _ in range(int(rng.integers(1, 3)))),
        given_names=" ".join(_word(rng, 2, 8) for _ in range(int(rng.integers(0, 3)))),
        document_number=number,
        nationality="".join(rng.choice(list(LETTERS), 3)),
        birth_date=date(1930, 1, 1) + timedelta(days=int(rng.integers(0, 34000))),
        sex=str(rng.choice(["M", "F", "X"])),
        expiry_date=date(2027, 1, 1) + timedelta(days=int(rng.integers(0, 3650))),
        issuing_state="".join(rng.choice(list(LETTERS), 3)),
        document_code={"TD3": "P", "MRVA": "V", "MRVB": "V"}.get(layout, str(rng.choice(["I", "ID", "AC", "IR"]))),
        optional_data="".join(rng.choice(list(ALNUM), int(rng.integers(0, 8 if layout == "TD2" else 12)))),
    )
    if layout == "TD1":
        return td1(person)
    if layout == "TD2":
        return td2(person)
    if layout == "TD3":
        return td3(person)
    n = 44 if layout == "MRVA" else 36
    code = (person.document_code + "<")[:2]
    l1 = code + person.issuing_state + name_field(person.surname, person.given_names, n - 5)
    body = td3(person)[1][:28] if n == 44 else td2(person)[1][:28]
    opt = (person.optional_data + "<" * n)[: n - 28]
    return l1, body + opt


def _background(rng: np.random.Generator, w: int, h: int, strong: bool) -> np.ndarray:
    base = rng.integers(200, 250, 3).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    arr = np.repeat(base[None, None, :], h, 0).repeat(w, 1)
    amp = 45 if strong else 10
    for _ in range(3 if strong else 1):
        colour = rng.uniform(-1, 1, 3)
        f = rng.uniform(0.01, 0.05)
        wave = np.sin(xx * f + 5 * np.sin(yy * f * rng.uniform(0.3, 1.2)) + rng.uniform(0, 6))
        arr += amp * (wave[..., None] > 0.8) * colour[None, None, :]  # fine coloured guilloche lines
    return np.clip(arr, 0, 255).astype(np.uint8)


def _draw_text_lines(d: ImageDraw.ImageDraw, font: ImageFont.FreeTypeFont, rng: np.random.Generator,
                     x: float, y0: float, spacing: float, n: int, length: int) -> None:
    for i in range(n):
        text = " ".join(_word(rng, 2, 9) for _ in range(length // 6))[:length]
        d.text((x, y0 + i * spacing), text, font=font, fill=(40, 40, 60))


def render(rng: np.random.Generator, lines: tuple[str, ...], font_path: Path, condition: str) -> tuple[
        np.ndarray, float]:
    """The page around the zone at WORK_CHAR_H px character height (BGR) and that height."""
    probe = ImageFont.truetype(str(font_path), 100)
    box = probe.getbbox("A")
    size = round(100 * WORK_CHAR_H / (box[3] - box[1]))
    font = ImageFont.truetype(str(font_path), size)
    pitch = font.getlength("A")
    spacing = WORK_CHAR_H * rng.uniform(1.5, 1.9)
    n = len(lines[0])
    margin = int(WORK_CHAR_H * 2)
    w = int(pitch * n + 2 * margin)
    above = 3
    h = int(spacing * (len(lines) + above + 2) + 2 * margin)
    page = Image.fromarray(_background(rng, w, h, condition == "stamp"))
    d = ImageDraw.Draw(page)
    label_font = ImageFont.truetype(str(FONTS["dejavu_mono"] if font_path.is_file() else font_path),
                                    int(size * rng.uniform(0.7, 1.0)))
    top = margin
    mrz_top = top + spacing * (above + 1)
    if condition == "near_text":  # lines in the zone's own font, one line-gap above and below
        _draw_text_lines(d, font, rng, margin, mrz_top - spacing, spacing, 1, n - 4)
        _draw_text_lines(d, font, rng, margin, mrz_top + spacing * len(lines), spacing, 1, n - 8)
    _draw_text_lines(d, label_font, rng, margin, top, spacing * 0.9, above - 1, int(n * 0.9))
    ink = tuple(int(v) for v in rng.integers(0, 60, 3))
    for i, text in enumerate(lines):
        d.text((margin, mrz_top + i * spacing - (font.getbbox("A")[1])), text, font=font, fill=ink)
    arr = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)
    if condition == "stamp":
        centre = (int(rng.uniform(0.2, 0.8) * w), int(mrz_top + spacing * rng.uniform(0, len(lines))))
        colour = [(180, 60, 60), (60, 60, 180), (60, 140, 60), (150, 60, 150)][int(rng.integers(0, 4))]
        r = int(WORK_CHAR_H * rng.uniform(2.0, 3.5))
        overlay = arr.copy()
        cv2.circle(overlay, centre, r, colour, max(2, WORK_CHAR_H // 8))
        cv2.circle(overlay, centre, int(r * 0.75), colour, max(1, WORK_CHAR_H // 14))
        cv2.putText(overlay, "APPROVED", (centre[0] - r // 2, centre[1]), cv2.FONT_HERSHEY_SIMPLEX,
                    WORK_CHAR_H / 45, colour, max(1, WORK_CHAR_H // 14))
        arr = cv2.addWeighted(overlay, 0.75, arr, 0.25, 0)
    return arr, float(WORK_CHAR_H)


def _halftone(img: np.ndarray, period: int) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    screen = (np.sin(xx * 2 * np.pi / period) * np.sin(yy * 2 * np.pi / period) + 1) / 2 * 255
    grey = img.astype(np.float32)
    dots = (grey > screen[..., None] * 0.9 + 10).astype(np.float32) * 255
    return np.clip(0.55 * grey + 0.45 * dots, 0, 255).astype(np.uint8)


def _curve(img: np.ndarray, rng: np.random.Generator, char_h: float) -> np.ndarray:
    h, w = img.shape[:2]
    amp = rng.uniform(0.4, 1.2) * char_h
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    phase = rng.uniform(0, np.pi)
    map_y = yy + amp * np.sin(np.pi * xx / w + phase)
    map_x = xx + 0.15 * amp * np.sin(np.pi * yy / h)
    return cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _glare(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    out = img.astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.3, 0.8) * h
    rx, ry = rng.uniform(0.08, 0.2) * w, rng.uniform(0.15, 0.4) * h
    spot = np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2))
    out += spot[..., None] * rng.uniform(120, 200)
    band = np.sin((xx + yy * 0.6) * rng.uniform(0.02, 0.05))  # a hologram's rainbow sheen
    rainbow = np.stack([np.sin(band * 3 + k * 2.1) for k in range(3)], axis=-1) * 35
    mask = (np.abs(xx - rng.uniform(0, w)) < rng.uniform(0.1, 0.25) * w)[..., None]
    out += rainbow * mask
    return np.clip(out, 0, 255).astype(np.uint8)


def _perspective(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    tilt = np.radians(rng.uniform(10, 30))
    f = max(w, h) * 1.2
    rot = rng.uniform(-20, 20)
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    c = corners - [w / 2, h / 2]
    axis = rng.integers(0, 2)
    z = f + (c[:, axis] * np.sin(tilt))
    proj = c.copy()
    proj[:, axis] = c[:, axis] * np.cos(tilt)
    proj = proj * (f / z)[:, None]
    a = np.radians(rot)
    proj = proj @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]], np.float32)
    pad = 0.2 * max(w, h)
    proj = proj - proj.min(axis=0) + pad
    size = (int(proj[:, 0].max() + pad), int(proj[:, 1].max() + pad))
    m = cv2.getPerspectiveTransform(corners, proj.astype(np.float32))
    desk = np.full((size[1], size[0], 3), rng.integers(60, 140, 3), np.uint8)
    return cv2.warpPerspective(img, m, size, dst=desk, borderMode=cv2.BORDER_TRANSPARENT)


def degrade(img: np.ndarray, rng: np.random.Generator, condition: str, work_h: float, char_h: int) -> np.ndarray:
    """Scale the page to `char_h` px characters and apply the named condition (before or after scaling)."""
    if condition == "curvature":
        img = _curve(img, rng, work_h)
    if condition == "glare":
        img = _glare(img, rng)
    if condition == "print_scan":
        img = _halftone(img, int(rng.integers(3, 6)))
    f = char_h / work_h
    img = cv2.resize(img, (max(16, round(img.shape[1] * f)), max(16, round(img.shape[0] * f))),
                     interpolation=cv2.INTER_AREA)
    if condition == "print_scan":
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.6, 1.1))
    if condition == "motion_blur":
        k = int(rng.integers(3, 7))
        line = np.zeros((k, k), np.float32)
        line[k // 2, :] = 1.0 / k
        m = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1.0)
        kernel: np.ndarray = cv2.warpAffine(line, m, (k, k))
        img = cv2.filter2D(img, -1, kernel / max(kernel.sum(), 1e-6))
    if condition == "perspective":
        img = _perspective(img, rng)
    if condition == "turned":
        img = cv2.rotate(img, [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE][
            int(rng.integers(0, 3))])
    noisy = img.astype(np.float32) + rng.normal(0, rng.uniform(1, 4), img.shape)
    img = np.clip(noisy, 0, 255).astype(np.uint8)
    quality = int(rng.integers(20, 50)) if condition == "jpeg" else int(rng.integers(75, 95))
    _ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    out: np.ndarray = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR))
    return out


def make(seed: int, *, condition: str | None = None, char_h: int | None = None, font: str | None = None,
         layout: str | None = None) -> FieldSample:
    rng = np.random.default_rng(seed)
    fonts = available_fonts()
    font = font or str(rng.choice(sorted(fonts)))
    layout = layout or str(rng.choice(LAYOUTS))
    condition = condition or str(rng.choice(CONDITIONS))
    char_h = char_h or int(rng.choice(HEIGHTS))
    lines = random_lines(rng, layout)
    page, work_h = render(rng, lines, fonts[font], condition)
    return FieldSample(degrade(page, rng, condition, work_h, char_h), lines, layout, font, condition, char_h,
                       seed)

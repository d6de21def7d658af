"""Training data for the MRZ line recognizer (tools/mrz/train_ctc.py): blocks of MRZ lines rendered and
degraded as real captures are, each line cut with the runtime's own `line_strip`.

Renders with the TRAINING fonts only (OCR-B and its sharp cut for a fixed share of the blocks; DejaVu Sans
Mono, Liberation Mono and other monospaced faces in several weights; proportional faces squeezed into the
MRZ's cells; Noto Sans Mono, Nimbus Mono PS and FreeMono are left for the benchmark to report as unseen), at
character heights of 5.5-22 px, with strokes thinned or thickened (other fonts' weights), degraded as real
captures are (coloured guilloche, stamps with text over the zone, glare and hologram sheen, curvature, phone
perspective, halftone, blur, motion blur, noise, JPEG, small tilt, text lines near the zone), with the
locator's usual errors in position and height. Deterministic for a given seed. The trainer's record pins
this file's SHA-256 beside its own.

Fonts (Debian 12 packages, build time only; whichever are missing are left out): fonts-ocr-b,
fonts-dejavu-core, fonts-liberation, fonts-urw-base35 and, for more monospaced shapes and weights,
fonts-courier-prime, fonts-croscore (Cousine, Arimo, Tinos), fonts-hack, fonts-inconsolata,
fonts-jetbrains-mono, fonts-firacode, fonts-anonymous-pro, fonts-go, fonts-mononoki, fonts-hermit,
fonts-league-mono, fonts-oxygen, fonts-agave, fonts-roboto:
`apt-get install -y fonts-ocr-b fonts-dejavu-core fonts-liberation fonts-urw-base35 fonts-courier-prime
fonts-croscore fonts-hack fonts-inconsolata fonts-jetbrains-mono fonts-firacode fonts-anonymous-pro fonts-go
fonts-mononoki fonts-hermit fonts-league-mono fonts-oxygen fonts-agave fonts-roboto`.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from station.scanning.mrz.checkdigits import ALPHABET
from station.scanning.mrz.compose import Identity, name_field, td1, td2, td3
from station.scanning.mrz.ctc import line_strip

OCRB_FONTS = (
    Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf"),  # fonts-ocr-b
    Path("/usr/share/fonts/opentype/ocr-b/OCRBS.otf"),  # fonts-ocr-b, "sharp" cut
)
OCRB_SHARE = 0.3  # of the rendered blocks: real zones are OCR-B, whatever the other fonts' number
_TT, _OT = Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype")
# Other monospaced faces, drawn at their own pitch: the shapes (Courier-like slab serifs, programmers'
# sans) and weights (light to extra bold) that other MRZ printers' fonts have. Never Noto, Nimbus or Free.
MONO_FONTS = (
    _TT / "dejavu/DejaVuSansMono.ttf",  # fonts-dejavu-core
    _TT / "dejavu/DejaVuSansMono-Bold.ttf",
    _TT / "liberation/LiberationMono-Regular.ttf",  # fonts-liberation
    _TT / "liberation/LiberationMono-Bold.ttf",
    _OT / "courier-prime/Courier Prime.otf",  # fonts-courier-prime
    _OT / "courier-prime/Courier Prime Bold.otf",
    _OT / "courier-prime/Courier Prime Code.otf",
    _OT / "courier-prime/Courier Prime Sans.otf",
    _TT / "croscore/Cousine-Regular.ttf",  # fonts-croscore
    _TT / "croscore/Cousine-Bold.ttf",
    _TT / "hack/Hack-Regular.ttf",  # fonts-hack
    _TT / "hack/Hack-Bold.ttf",
    _TT / "inconsolata/Inconsolata.otf",  # fonts-inconsolata
    _TT / "jetbrains-mono/JetBrainsMono-ExtraLight.ttf",  # fonts-jetbrains-mono
    _TT / "jetbrains-mono/JetBrainsMono-Regular.ttf",
    _TT / "jetbrains-mono/JetBrainsMono-ExtraBold.ttf",
    _TT / "firacode/FiraCode-Light.ttf",  # fonts-firacode
    _TT / "firacode/FiraCode-Regular.ttf",
    _TT / "firacode/FiraCode-Bold.ttf",
    _TT / "anonymous-pro/Anonymous Pro.ttf",  # fonts-anonymous-pro
    _TT / "anonymous-pro/Anonymous Pro B.ttf",
    Path("/usr/share/fonts/fonts-go/Go-Mono.ttf"),  # fonts-go
    Path("/usr/share/fonts/fonts-go/Go-Mono-Bold.ttf"),
    _TT / "mononoki/mononoki-Regular.ttf",  # fonts-mononoki
    _TT / "mononoki/mononoki-Bold.ttf",
    _TT / "hermit/Hermit-light.otf",  # fonts-hermit
    _TT / "hermit/Hermit-bold.otf",
    _OT / "league-mono/LeagueMono-Light.otf",  # fonts-league-mono
    _OT / "league-mono/LeagueMono-Regular.otf",
    _OT / "league-mono/LeagueMono-Bold.otf",
    _OT / "league-mono/LeagueMono-NarrowRegular.otf",
    _TT / "oxygen/OxygenMono-Regular.ttf",  # fonts-oxygen
    _TT / "agave/agave-r-autohinted.ttf",  # fonts-agave
    _TT / "agave/agave-b-autohinted.ttf",
)
FONTS = OCRB_FONTS + MONO_FONTS
# Proportional fonts of other shapes (serifs, thin and wide strokes), squeezed into the MRZ's cells: the
# network should know a character by its shape, not by the training fonts' details. (Never the families
# the benchmark keeps unseen: Noto, Nimbus, Free.)
SHAPE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),  # fonts-dejavu-core
    Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),  # fonts-liberation
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/opentype/urw-base35/C059-Roman.otf"),  # fonts-urw-base35
    Path("/usr/share/fonts/opentype/urw-base35/URWBookman-Light.otf"),
    Path("/usr/share/fonts/opentype/urw-base35/P052-Roman.otf"),
    _TT / "croscore/Arimo-Regular.ttf",  # fonts-croscore
    _TT / "croscore/Tinos-Bold.ttf",
    _TT / "roboto/unhinted/RobotoTTF/Roboto-Medium.ttf",  # fonts-roboto
    _TT / "oxygen/Oxygen-Sans.ttf",  # fonts-oxygen
)
SHAPE_SHARE = 0.3  # of the rendered blocks
LABEL_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LETTERS = ALPHABET[10:36]
ALNUM = ALPHABET[:36]
WORK_H = 26  # characters are drawn this tall, then the block is scaled to the wanted height


def fonts() -> list[Path]:
    return [f for f in FONTS if f.is_file()]


def ocrb_fonts() -> list[Path]:
    return [f for f in OCRB_FONTS if f.is_file()]


def mono_fonts() -> list[Path]:
    return [f for f in MONO_FONTS if f.is_file()]


def shape_fonts() -> list[Path]:
    return [f for f in SHAPE_FONTS if f.is_file()]


def _word(rng: np.random.Generator, lo: int, hi: int) -> str:
    return "".join(rng.choice(list(LETTERS), int(rng.integers(lo, hi + 1))))


def mrz_lines(rng: np.random.Generator) -> list[str]:
    """Either valid MRZ lines of a random identity (whole alphabet) or MRZ-shaped random runs."""
    layout = str(rng.choice(["TD1", "TD2", "TD3", "MRVA", "MRVB"]))
    n_lines, n = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44), "MRVA": (2, 44), "MRVB": (2, 36)}[layout]
    if rng.random() < 0.35:
        out = []
        for _ in range(n_lines):
            chars: list[str] = []
            while len(chars) < n:
                kind = rng.choice(3, p=[0.4, 0.35, 0.25])
                pool = LETTERS if kind == 0 else "0123456789" if kind == 1 else "<"
                chars.extend(rng.choice(list(pool), int(rng.integers(1, 9))))
            out.append("".join(chars[:n]))
        return out
    number = "".join(rng.choice(list(ALNUM), int(rng.integers(10, 15)) if rng.random() < 0.3 else 9))
    person = Identity(
        surname=" ".join(_word(rng, 2, 9) for _ in range(int(rng.integers(1, 3)))),
        given_names=" ".join(_word(rng, 2, 8) for _ in range(int(rng.integers(0, 3)))),
        document_number=number if layout == "TD1" else number[:9],
        nationality="".join(rng.choice(list(LETTERS), 3)),
        birth_date=date(1930, 1, 1) + timedelta(days=int(rng.integers(0, 34000))),
        sex=str(rng.choice(["M", "F", "X"])),
        expiry_date=date(2020, 1, 1) + timedelta(days=int(rng.integers(0, 5000))),
        issuing_state="".join(rng.choice(list(LETTERS), 3)),
        document_code=str(rng.choice(["I", "ID", "AC", "IR", "P", "PO", "V"])),
        optional_data="".join(rng.choice(list(ALNUM), int(rng.integers(0, 12)))),
    )
    if layout == "TD1":
        return list(td1(person))
    if layout == "TD2":
        return list(td2(person))
    if layout == "TD3":
        return list(td3(person))
    l1 = "V<" + person.issuing_state + name_field(person.surname, person.given_names, n - 5)
    body = td3(person)[1][:28] if n == 44 else td2(person)[1][:28]
    return [l1, body + (person.optional_data + "<" * n)[: n - 28]]


def _page(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Paper with coloured guilloche lines (drawn at half size, then enlarged: cheaper, as fine)."""
    hh, hw = max(2, h // 2), max(2, w // 2)
    base = rng.integers(170, 252, 3).astype(np.float32)
    arr = np.empty((hh, hw, 3), np.float32)
    arr[:] = base
    yy, xx = (a.astype(np.float32) for a in np.ogrid[0:hh, 0:hw])
    for _ in range(int(rng.integers(0, 4))):
        f = np.float32(rng.uniform(0.03, 0.2))
        wave = np.sin(xx * f + 5 * np.sin(yy * (f * np.float32(rng.uniform(0.3, 1.2)))) + np.float32(rng.uniform(0, 6)))
        lines = (wave > rng.uniform(0.6, 0.9)).astype(np.float32)
        arr += lines[..., None] * (rng.uniform(10, 55) * rng.uniform(-1, 1, 3)).astype(np.float32)
    return cv2.resize(np.clip(arr, 0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)


def render(rng: np.random.Generator, lines: list[str], font_file: Path) -> tuple[np.ndarray, np.ndarray]:
    """BGR block at WORK_H px character height, and (lines, 2, 2) first/last character centres."""
    probe = ImageFont.truetype(str(font_file), 100)
    box = probe.getbbox("A")
    size = round(100 * WORK_H / (box[3] - box[1]))
    font = ImageFont.truetype(str(font_file), size)
    squeeze = font_file in SHAPE_FONTS
    pitch = WORK_H * rng.uniform(0.78, 0.95) if squeeze else font.getlength("A") * rng.uniform(0.97, 1.03)
    spacing = WORK_H * rng.uniform(1.45, 2.0)
    n = len(lines[0])
    margin = int(WORK_H * rng.uniform(1.5, 3.0))
    near = rng.random() < 0.35  # text lines one gap above and below
    extra = 1 if near else 0
    w = int(pitch * n + 2 * margin)
    h = int(spacing * (len(lines) + 2 * extra) + 2 * margin)
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    top = font.getbbox("A")[1]
    ink = 255
    y0 = margin + extra * spacing
    if near:
        other = font if rng.random() < 0.5 else ImageFont.truetype(str(LABEL_FONT), int(size * rng.uniform(0.7, 1)))
        for y in (y0 - spacing, y0 + spacing * len(lines)):
            words = " ".join(_word(rng, 2, 9) for _ in range(n // 5))[: int(n * rng.uniform(0.4, 1.0))]
            d.text((margin + rng.uniform(-1, 3) * WORK_H, y - top), words, font=other, fill=ink)
    ends = []
    arr = np.array(mask)
    glyphs: dict[str, np.ndarray] = {}
    for i, text in enumerate(lines):
        y = y0 + i * spacing
        x = float(margin)
        for ch in text:  # one glyph per cell: the pitch is the MRZ's, whatever the font's advance
            if squeeze:
                g = glyphs.get(ch)
                if g is None:
                    g = glyphs[ch] = _glyph(font, ch, top, pitch)
                gx, gy = round(x + (pitch - g.shape[1]) / 2), round(y) - WORK_H // 2
                region = arr[gy : gy + g.shape[0], gx : gx + g.shape[1]]
                np.maximum(region, g[: region.shape[0], : region.shape[1]], out=region)
            else:
                d.text((x, y - top), ch, font=font, fill=ink)
            x += pitch
        cy = y + WORK_H / 2
        ends.append([[margin + pitch / 2, cy], [margin + pitch * (n - 0.5), cy]])
    if not squeeze:
        arr = np.asarray(mask)
    return _ink(rng, _page(rng, w, h), arr), np.array(ends, np.float32)


def _glyph(font: ImageFont.FreeTypeFont, ch: str, top: float, pitch: float) -> np.ndarray:
    """`ch` alone (its cap top WORK_H // 2 px down), squeezed to at most 0.92 of the pitch wide."""
    wide = int(font.getlength(ch)) + 4
    img = Image.new("L", (wide, 2 * WORK_H), 0)
    ImageDraw.Draw(img).text((2, WORK_H // 2 - top), ch, font=font, fill=255)
    g = np.asarray(img)
    cols = np.flatnonzero(g.max(axis=0) > 0)
    if len(cols) == 0:
        return np.zeros((2 * WORK_H, 1), np.uint8)
    g = g[:, cols[0] : cols[-1] + 1]
    limit = max(1, int(0.92 * pitch))
    if g.shape[1] > limit:
        g = cv2.resize(g, (limit, g.shape[0]), interpolation=cv2.INTER_AREA)
    return g


def _ink(rng: np.random.Generator, page: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The page (RGB) inked through `mask`, its strokes first thinned or thickened by up to ~2 px at
    WORK_H (fonts thinner or bolder than the training ones), as BGR."""
    weight = rng.random()
    if weight < 0.25:
        thin = cv2.erode(mask, np.ones((2, 2) if rng.random() < 0.6 else (3, 3), np.uint8))
        if float(thin.sum()) > 0.5 * float(mask.sum()):  # thinner, never broken up
            mask = thin
    elif weight < 0.4:
        mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    ink = rng.integers(0, 70, 3).astype(np.float32)
    out = page.astype(np.float32) * (1 - alpha) + ink * alpha
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)


def _overprint(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = (a.astype(np.float32) for a in np.ogrid[0:h, 0:w])
    out = img.astype(np.float32)
    if rng.random() < 0.45:  # a stamp over the zone: rings and a word in a coloured ink
        out = _stamp(rng, out)
    if rng.random() < 0.25:  # laminate glare and a hologram's sheen
        c = (rng.uniform(0, w), rng.uniform(0, h))
        spot = np.exp(-(((xx - c[0]) / (rng.uniform(0.08, 0.25) * w)) ** 2 + ((yy - c[1]) / (0.4 * h)) ** 2))
        out += spot[..., None] * rng.uniform(80, 200)
        band = np.sin((xx + yy * 0.6) * rng.uniform(0.02, 0.05))
        rainbow = np.stack([np.sin(band * 3 + k * 2.1) for k in range(3)], axis=-1) * rng.uniform(10, 40)
        out += rainbow * (np.abs(xx - rng.uniform(0, w)) < rng.uniform(0.1, 0.25) * w)[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def _stamp(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    colour = rng.uniform(40, 200, 3)
    colour[int(rng.integers(0, 3))] = rng.uniform(0, 60)  # a clearly coloured ink, never grey
    overlay = np.zeros((h, w), np.uint8)
    c = (int(rng.uniform(0.1, 0.9) * w), int(rng.uniform(0.25, 0.75) * h))
    r = int(WORK_H * rng.uniform(1.5, 4.0))
    cv2.circle(overlay, c, r, 255, max(1, int(WORK_H * rng.uniform(0.06, 0.14))), cv2.LINE_AA)
    if rng.random() < 0.7:
        cv2.circle(overlay, c, int(r * rng.uniform(0.65, 0.8)), 255, max(1, WORK_H // 14), cv2.LINE_AA)
    if rng.random() < 0.8:
        word = _word(rng, 4, 9)
        face = int(rng.choice([cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_TRIPLEX]))
        scale = WORK_H / rng.uniform(30, 55)
        cv2.putText(overlay, word, (c[0] - int(r * rng.uniform(0.3, 0.8)), c[1] + int(rng.uniform(-0.3, 0.3) * r)),
                    face, scale, 255, max(1, int(WORK_H * rng.uniform(0.04, 0.1))), cv2.LINE_AA)
    a = (overlay.astype(np.float32) / 255 * rng.uniform(0.45, 0.85))[..., None]
    return img * (1 - a) + colour * a


def _perspective(rng: np.random.Generator, img: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A phone held at up to 30 degrees to the page (about either axis): sizes change along the line."""
    h, w = img.shape[:2]
    tilt = np.radians(rng.uniform(5, 30))
    f = max(w, h) * rng.uniform(1.0, 1.6)
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    c = corners - np.array([w / 2, h / 2], np.float32)
    axis = int(rng.integers(0, 2))
    z = f + c[:, axis] * np.sin(tilt) * (1 if rng.random() < 0.5 else -1)
    proj = c.copy()
    proj[:, axis] = c[:, axis] * np.cos(tilt)
    proj = proj * (f / z)[:, None]
    proj = proj - proj.min(axis=0)
    scale = max(w / max(float(proj[:, 0].max()), 1.0), 1.0)  # keep the characters' mean size about the same
    proj = (proj * scale).astype(np.float32)
    size = (int(proj[:, 0].max()) + 1, int(proj[:, 1].max()) + 1)
    m = cv2.getPerspectiveTransform(corners, proj)
    out = cv2.warpPerspective(img, m, size, borderMode=cv2.BORDER_REPLICATE)
    moved = cv2.perspectiveTransform(ends.reshape(-1, 1, 2).astype(np.float32), m).reshape(ends.shape)
    return out, moved


def degrade(rng: np.random.Generator, img: np.ndarray, ends: np.ndarray, char_h: float) -> tuple[
        np.ndarray, np.ndarray, np.ndarray]:
    """(grey image at `char_h`, scaled line ends, vertical displacement map's value at each line's ends)."""
    if rng.random() < 0.55:
        img = _overprint(rng, img)
    if rng.random() < 0.25:
        img, ends = _perspective(rng, img, ends)
    h, w = img.shape[:2]
    if rng.random() < 0.2:  # halftone screen (print and scan)
        period = int(rng.integers(3, 6))
        yy, xx = np.ogrid[0:h, 0:w]
        screen = (np.sin(xx * 2 * np.pi / period) * np.sin(yy * 2 * np.pi / period) + 1) / 2 * 255
        grey = img.astype(np.float32)
        img = np.clip(0.55 * grey + 0.45 * (grey > screen[..., None] * 0.9 + 10) * 255, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:  # page curvature: the line bends by up to ~0.35 character heights
        amp = rng.uniform(0.1, 0.35) * WORK_H
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        phase = rng.uniform(0, np.pi)
        bend = amp * np.sin(np.pi * xx / w + phase)
        bend -= amp * (np.sin(np.pi * ends[0, 0, 0] / w + phase) + np.sin(np.pi * ends[0, 1, 0] / w + phase)) / 2
        img = cv2.remap(img, xx, yy + bend, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    angle = rng.uniform(-3, 3)  # the level the locator could not take out
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    img = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    ends = ends @ m[:, :2].T + m[:, 2]
    f = char_h / WORK_H
    size = (max(16, round(w * f)), max(16, round(h * f)))
    img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    ends = ends * np.array([size[0] / w, size[1] / h], np.float32)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if rng.random() < 0.35:
        gray = cv2.GaussianBlur(gray, (0, 0), rng.uniform(0.4, 1.2))
    if rng.random() < 0.25:  # motion blur (at most about one character width long)
        k = min(int(rng.integers(3, 8)), max(3, round(0.8 * char_h)))
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1.0)
        turned = np.asarray(cv2.warpAffine(kernel, rot, (k, k)), np.float32)
        gray = cv2.filter2D(gray, -1, turned / max(float(turned.sum()), 1e-6))
    noisy = gray.astype(np.float32) + rng.normal(0, rng.uniform(0.5, 6), gray.shape)
    gray = np.clip(noisy, 0, 255).astype(np.uint8)
    quality = int(rng.integers(20, 50)) if rng.random() < 0.3 else int(rng.integers(60, 96))
    _ok, buf = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)), ends, np.zeros(0)


def samples(rng: np.random.Generator, blocks: int) -> list[tuple[np.ndarray, str]]:
    """(strip, text) pairs: each of `blocks` rendered blocks degraded twice (two character heights)."""
    faces = fonts()
    ocrb = ocrb_fonts() or faces
    mono = mono_fonts() or faces
    shapes = shape_fonts() or faces
    out = []
    for _ in range(blocks):
        lines = mrz_lines(rng)
        pick = rng.random()
        pool = shapes if pick < SHAPE_SHARE else ocrb if pick < SHAPE_SHARE + OCRB_SHARE else mono
        face = pool[int(rng.integers(0, len(pool)))]
        img, work_ends = render(rng, lines, face)
        for _variant in range(2):
            char_h = float(rng.uniform(5.5, 12)) if rng.random() < 0.55 else float(rng.uniform(12, 22))
            gray, ends, _ = degrade(rng, img, work_ends, char_h)
            pitch = float(np.hypot(*(ends[0, 1] - ends[0, 0]))) / (len(lines[0]) - 1)
            for text, (a, b) in zip(lines, ends, strict=True):
                jit = lambda s: rng.normal(0, s)  # noqa: E731 - the locator's errors in line geometry
                start = (a[0] + jit(0.25 * pitch), a[1] + jit(0.12 * char_h))
                end = (b[0] + jit(0.25 * pitch), b[1] + jit(0.12 * char_h))
                out.append((line_strip(gray, start, end, char_h * float(rng.uniform(0.85, 1.2))), text))
    return out


def _samples_job(job: tuple[int, int]) -> list[tuple[np.ndarray, str]]:
    return samples(np.random.default_rng(job), job[1])


def parallel_samples(seed: int, blocks: int, workers: int = 2) -> list[tuple[np.ndarray, str]]:
    """samples() split over processes, deterministic for a given seed and block count."""
    from multiprocessing import Pool

    chunk = 100
    jobs = [(seed * 100_000 + i, min(chunk, blocks - i)) for i in range(0, blocks, chunk)]
    with Pool(workers) as pool:
        parts = pool.map(_samples_job, jobs)
    return [s for part in parts for s in part]

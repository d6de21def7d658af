"""Draw the application icon: station/resources/icons/registration-station.svg, PNGs at hicolor sizes, a .ico.

The same geometry twice, on a 256-unit grid: once as SVG text (scalable icon for Linux desktops), once with
Pillow at 1024 px and scaled down (PNG sizes; Windows .ico). Run again after changing the shapes:

    .venv/bin/python installer/icons/make_icon.py [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

NAME = "registration-station"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
BLUE, WHITE, ORANGE, GREY = "#1f5f8b", "#ffffff", "#f0a030", "#9fb8c9"

# (kind, box on the 256 grid, radius, fill): the tile, the card, its orange band, the person, three text lines.
SHAPES: tuple[tuple[str, tuple[int, int, int, int], int, str], ...] = (
    ("rect", (8, 8, 248, 248), 52, BLUE),
    ("rect", (36, 60, 220, 196), 18, WHITE),
    ("band", (36, 60, 220, 84), 18, ORANGE),
    ("circle", (70, 100, 114, 144), 0, BLUE),
    ("dome", (56, 148, 128, 212), 0, BLUE),
    ("rect", (140, 106, 200, 118), 6, GREY),
    ("rect", (140, 130, 200, 142), 6, GREY),
    ("rect", (140, 154, 184, 166), 6, GREY),
)
CARD_BOTTOM = 196  # the person's shoulders are cut off at the card's lower edge


def svg() -> str:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">',
        "<title>Registration Station</title>",
        f'<clipPath id="card"><rect x="36" y="60" width="184" height="{CARD_BOTTOM - 60}" rx="18"/></clipPath>',
    ]
    for kind, (x0, y0, x1, y1), r, fill in SHAPES:
        w, h = x1 - x0, y1 - y0
        if kind == "rect":
            parts.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" rx="{r}" fill="{fill}"/>')
        elif kind == "band":
            parts.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="{fill}" clip-path="url(#card)"/>')
        elif kind == "circle":
            parts.append(f'<circle cx="{x0 + w / 2:g}" cy="{y0 + h / 2:g}" r="{w / 2:g}" fill="{fill}"/>')
        elif kind == "dome":
            parts.append(f'<ellipse cx="{x0 + w / 2:g}" cy="{y0 + h / 2:g}" rx="{w / 2:g}" ry="{h / 2:g}" '
                         f'fill="{fill}" clip-path="url(#card)"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def raster(size: int = 1024) -> Image.Image:
    k = size / 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    card = Image.new("L", (size, size), 0)
    ImageDraw.Draw(card).rounded_rectangle((36 * k, 60 * k, 220 * k, CARD_BOTTOM * k), radius=18 * k, fill=255)
    for kind, box, r, fill in SHAPES:
        scaled = tuple(v * k for v in box)
        layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        if kind in ("rect", "band"):
            draw.rounded_rectangle(scaled, radius=(r if kind == "rect" else 0) * k, fill=fill)
        else:
            draw.ellipse(scaled, fill=fill)
        if kind in ("band", "dome"):
            alpha = Image.composite(layer.getchannel("A"), Image.new("L", (size, size), 0), card)
            layer.putalpha(alpha)
        image = Image.alpha_composite(image, layer)
    return image


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{NAME}.svg").write_text(svg(), encoding="utf-8")
    big = raster()
    for size in SIZES:
        big.resize((size, size), Image.Resampling.LANCZOS).save(out / f"{NAME}-{size}.png", optimize=True)
    big.resize((256, 256), Image.Resampling.LANCZOS).save(
        out / f"{NAME}.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "station" / "resources" / "icons")

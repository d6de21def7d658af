"""Mutation fuzz of the image loaders (Hypothesis): any bytes give a bounded picture or a StationError.

Seeds are small valid files in every accepted format and in the modes Pillow decodes differently
(palette, 16-bit grey, one bit, CMYK, progressive JPEG, tiled and compressed TIFF, lossless WebP).
Hypothesis flips, inserts, deletes and truncates bytes and writes large numbers over size fields. The
run happens in a child process so its peak memory is its own: CI runs a short, derandomized pass here;
tests/perf/test_camera_perf.py runs a long random one.
"""

from __future__ import annotations

import io
import struct
import time
from functools import cache

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from station.errors import StationError
from station.scanning.image_io import ImageLimits, decode_image_bytes, load_image_bounded
from tests.station.scanning.test_image_io import PEAK_LIMIT_MB, run_child_peak_mb

KNOWN_CODES = {"camera.image.corrupt", "camera.image.empty", "camera.image.unsupported_format",
               "camera.image.too_many_pixels", "camera.image.too_large_file"}
FUZZ_LIMITS = ImageLimits(max_pixels=20_000_000, max_decoded_side=256)


@cache
def seeds() -> tuple[bytes, ...]:
    rng = np.random.default_rng(5)
    rgb = Image.fromarray(rng.integers(0, 255, (24, 32, 3), np.uint8))
    out: list[bytes] = []

    def save(img: Image.Image, fmt: str, **kw: object) -> None:
        buf = io.BytesIO()
        img.save(buf, fmt, **kw)
        out.append(buf.getvalue())

    save(rgb, "PNG")
    save(rgb.convert("RGBA"), "PNG")
    save(rgb.convert("P"), "PNG", transparency=0)
    save(rgb.convert("L").convert("I;16"), "PNG")
    save(rgb.convert("1"), "PNG")
    save(rgb, "JPEG", quality=80)
    save(rgb, "JPEG", quality=80, progressive=True)
    save(rgb.convert("L"), "JPEG")
    save(rgb.convert("CMYK"), "JPEG")
    exif = Image.Exif()
    exif[0x0112] = 6
    save(rgb, "JPEG", exif=exif)
    save(rgb, "BMP")
    save(rgb.convert("P"), "BMP")
    save(rgb, "WEBP", lossless=True)
    save(rgb, "WEBP", quality=50)
    save(rgb, "TIFF")
    save(rgb, "TIFF", compression="tiff_lzw")
    save(rgb.convert("L"), "TIFF", compression="tiff_adobe_deflate", tile=(16, 16))
    return tuple(out)


def mutations() -> st.SearchStrategy[bytes]:
    """A seed with a few random edits: byte changes, inserts, deletions, a truncation, big numbers."""
    edit = st.one_of(
        st.tuples(st.just("set"), st.integers(0, 10_000), st.integers(0, 255)),
        st.tuples(st.just("insert"), st.integers(0, 10_000), st.binary(min_size=1, max_size=16)),
        st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 64)),
        st.tuples(st.just("truncate"), st.integers(0, 10_000), st.just(0)),
        st.tuples(st.just("big"), st.integers(0, 64), st.sampled_from([0xFFFF, 0xFFFFFFFF, 30000, 65535 * 256, 7])),
    )

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(seeds())))
        for kind, pos, arg in draw(st.lists(edit, min_size=1, max_size=6)):
            pos = pos % max(1, len(data))
            if kind == "set" and data:
                data[pos] = int(arg)  # type: ignore[call-overload]
            elif kind == "insert":
                data[pos:pos] = arg  # type: ignore[assignment]
            elif kind == "delete":
                del data[pos: pos + int(arg)]  # type: ignore[call-overload]
            elif kind == "truncate":
                del data[pos:]
            elif kind == "big":  # a width/height-like field (headers sit in the first 64 bytes)
                size = 2 if int(arg) <= 0xFFFF else 4  # type: ignore[call-overload]
                fmt = draw(st.sampled_from([">", "<"])) + ("H" if size == 2 else "I")
                data[pos: pos + size] = struct.pack(fmt, int(arg))  # type: ignore[call-overload]
        return bytes(data)

    return build()


def check(data: bytes) -> str:
    """Both loaders on `data`: a bounded BGR array or a StationError with a known key; nothing else."""
    outcomes = []
    for load in (lambda d: decode_image_bytes(d, FUZZ_LIMITS), lambda d: load_image_bounded(d, 4_000_000)):
        try:
            arr = load(data)
        except StationError as exc:
            assert exc.code in KNOWN_CODES, exc.code
            outcomes.append(exc.code)
            continue
        assert arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[2] == 3 and arr.flags.c_contiguous
        assert arr.shape[0] * arr.shape[1] <= 40_000_000 and min(arr.shape[:2]) >= 1
        outcomes.append("decoded")
    return outcomes[0]


def run_fuzz(examples: int, derandomize: bool) -> None:
    """Run the fuzz in this process; print the outcomes and the slowest case (called in a child)."""
    seen: dict[str, int] = {}
    slowest = [0.0]

    @settings(max_examples=examples, deadline=None, derandomize=derandomize, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutations())
    def fuzz(data: bytes) -> None:
        t = time.perf_counter()
        outcome = check(data)
        slowest[0] = max(slowest[0], time.perf_counter() - t)
        seen[outcome] = seen.get(outcome, 0) + 1

    for seed in seeds():  # every seed itself decodes
        assert check(seed) == "decoded"
    fuzz()
    print("OUTCOMES", sorted(seen.items()), "SLOWEST_S", round(slowest[0], 3))


def fuzz_in_child(examples: int, derandomize: bool) -> tuple[float, str]:
    return run_child_peak_mb(f"""
        from tests.station.scanning.test_image_fuzz import run_fuzz
        run_fuzz({examples}, {derandomize})
    """, timeout=1800)


def test_seeds_cover_the_formats() -> None:
    formats = {Image.open(io.BytesIO(s)).format for s in seeds()}
    assert formats == {"PNG", "JPEG", "BMP", "WEBP", "TIFF"}


def test_image_loader_fuzz_short() -> None:
    peak_mb, out = fuzz_in_child(300, derandomize=True)
    lines = [ln for ln in out.splitlines() if ln.strip()]
    print(f"\n[image fuzz] 300 cases: peak {peak_mb:.0f} MB; {lines[0]}")
    assert "OUTCOMES" in out and "decoded" in out and "camera.image.corrupt" in out, out
    assert peak_mb < PEAK_LIMIT_MB, out
    # nothing on stderr: no libtiff, libpng, libjpeg or OpenCV message (stdout holds only these two lines)
    assert [ln.split()[0] for ln in lines] == ["OUTCOMES", "PEAK_KB"], out

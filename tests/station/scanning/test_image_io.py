"""Untrusted image decoding: corrupt data, empty input, huge pictures judged from the header, EXIF rotation."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from station.errors import StationError
from station.scanning.image_io import (
    MAX_FULL_DECODE_PIXELS,
    ImageLimits,
    decode_image_bytes,
    load_image_bounded,
    load_image_file,
    valid_frame,
)
from tests.station.scanning.camera_fixtures import FACES_DIR

ROOT = Path(__file__).resolve().parents[3]
PEAK_LIMIT_MB = 500


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def zeros_png(w: int, h: int, colour_type: int = 0, channels: int = 1, batch_rows: int = 1000) -> bytes:
    """A valid all-black 8-bit PNG of any size, built without holding its pixels (a 30,000 px square: 875 KB).

    After a full flush zlib emits the same bytes for the same input, so one compressed batch of rows is
    repeated; the Adler-32 of n zero bytes is (n mod 65521) << 16 | 1.
    """
    row = b"\0" * (1 + w * channels)
    batch_rows = min(batch_rows, h)
    z = zlib.compressobj(9)
    head = z.compress(row * batch_rows) + z.flush(zlib.Z_FULL_FLUSH)
    again = z.compress(row * batch_rows) + z.flush(zlib.Z_FULL_FLUSH)
    n, rest = divmod(h, batch_rows)
    tail = (z.compress(row * rest) if rest else b"") + z.flush(zlib.Z_SYNC_FLUSH)
    adler = ((h * len(row)) % 65521) << 16 | 1
    body = head + again * (n - 1) + tail + b"\x03\x00" + struct.pack(">I", adler)  # empty final block
    ihdr = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def forged_png(w: int, h: int) -> bytes:
    """A 1x1 PNG whose header (with a valid CRC) claims w x h pixels."""
    buf = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    data[16:24] = struct.pack(">II", w, h)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def forged_jpeg(w: int, h: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims w x h pixels."""
    data = bytearray(_jpeg(Image.new("RGB", (16, 16), (200, 10, 10))))
    sof = data.index(b"\xff\xc0")
    data[sof + 5: sof + 9] = struct.pack(">HH", h, w)
    return bytes(data)


def forged_bmp(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "BMP")
    data = bytearray(buf.getvalue())
    data[18:26] = struct.pack("<ii", w, h)
    return bytes(data)


def run_child_peak_mb(code: str, timeout: float = 300) -> tuple[float, str]:
    """Run `code` in a fresh Python process; (its peak resident memory in MB, its stdout).

    The peak is VmHWM from /proc/self/status: the high-water mark of the child's own address space.
    (Its ru_maxrss would not do: Linux carries the parent's peak across fork and exec, so a child of a
    700 MB pytest process reports at least 700 MB.)
    """
    report = "[ln.split()[1] for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0]"
    body = textwrap.indent(textwrap.dedent(code), "    ")
    wrapped = f"try:\n{body}\nfinally:\n    print('PEAK_KB', {report})\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", wrapped], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    peak_kb = int(proc.stdout.rsplit("PEAK_KB", 1)[1].split()[0])
    return peak_kb / 1024, proc.stdout + proc.stderr


def _jpeg(img: Image.Image, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kw)
    return buf.getvalue()


def test_decodes_real_photo_to_bgr() -> None:
    arr = load_image_file(FACES_DIR / "astronaut.jpg")
    assert arr.shape == (512, 512, 3) and arr.dtype == np.uint8
    rgb = np.asarray(Image.open(FACES_DIR / "astronaut.jpg").convert("RGB"))
    assert np.abs(arr[..., ::-1].astype(int) - rgb.astype(int)).mean() < 2  # channels swapped to BGR


@pytest.mark.parametrize(
    "data",
    [b"not an image at all", b"\xff\xd8\xff\xe0" + b"\x00" * 50, _jpeg(Image.new("RGB", (64, 64)))[:200]],
)
def test_corrupt_data_gives_station_error(data: bytes) -> None:
    with pytest.raises(StationError) as exc:
        decode_image_bytes(data)
    assert exc.value.code == "camera.image.corrupt"


def test_empty_and_missing_file() -> None:
    with pytest.raises(StationError) as exc:
        decode_image_bytes(b"")
    assert exc.value.code == "camera.image.empty"
    with pytest.raises(StationError) as exc2:
        load_image_file("/nonexistent/x.jpg")
    assert exc2.value.code == "camera.image.unreadable"


@pytest.mark.parametrize("forge", [forged_png, forged_jpeg, forged_bmp])
@pytest.mark.parametrize(("w", "h"), [(60000, 60000), (65535, 65535), (65535, 1), (30000, 30000)])
def test_huge_header_refused_before_decoding(forge, w: int, h: int) -> None:  # type: ignore[no-untyped-def]
    data = forge(w, h)
    with pytest.raises(StationError) as exc:
        decode_image_bytes(data)
    assert exc.value.code in {"camera.image.too_many_pixels", "camera.image.corrupt"}
    with pytest.raises(StationError):
        load_image_bounded(data, 40_000_000)


def test_too_many_pixels_message_names_the_size() -> None:
    with pytest.raises(StationError) as exc:
        decode_image_bytes(forged_png(30000, 30000))
    assert exc.value.code == "camera.image.too_many_pixels" and exc.value.params["mp"] == 900
    for lang in ("en", "ar", "ckb"):
        assert "900" in exc.value.message(lang)


def test_full_size_decoding_is_capped_whatever_the_caller_allows() -> None:
    # An RGBA PNG just over the full-decode cap is refused even when the caller's own limit is higher.
    side = int(MAX_FULL_DECODE_PIXELS**0.5) + 8
    with pytest.raises(StationError) as exc:
        load_image_bounded(zeros_png(side, side, 6, 4), 10**9)
    assert exc.value.code == "camera.image.too_many_pixels"


def test_big_jpeg_is_decoded_reduced() -> None:
    big = Image.new("RGB", (8660, 5774), (120, 130, 140))  # 50 MP, as a phone takes
    data = _jpeg(big, quality=70)
    del big
    arr = decode_image_bytes(data, ImageLimits())
    assert max(arr.shape[:2]) <= ImageLimits().max_decoded_side
    assert arr.shape[1] > arr.shape[0]
    assert np.abs(arr[100, 100].astype(int) - (140, 130, 120)).max() <= 3  # BGR
    # the same photo saved progressive cannot be decoded reduced: over the full-decode cap, refused
    big = Image.new("RGB", (8660, 5774), (120, 130, 140))
    prog = _jpeg(big, quality=70, progressive=True)
    del big
    with pytest.raises(StationError) as exc:
        decode_image_bytes(prog)
    assert exc.value.code == "camera.image.too_many_pixels"


_CAP_SIDE = int(MAX_FULL_DECODE_PIXELS**0.5)
BOMBS = {
    "png_30000_square_875kb": "zeros_png(30000, 30000)",
    "png_header_65535_square": "forged_png(65535, 65535)",
    "jpeg_header_65535_square": "forged_jpeg(65535, 65535)",
    "rgba_png_just_over_cap": f"zeros_png({_CAP_SIDE + 8}, {_CAP_SIDE + 8}, 6, 4)",
    "rgba_png_just_under_cap": f"zeros_png({_CAP_SIDE - 8}, {_CAP_SIDE - 8}, 6, 4)",
    "rgba_png_119mp_under_import_limit": "zeros_png(10900, 10900, 6, 4)",
}


CALLERS = {
    "photo": "decode_image_bytes(data)",  # photo-check and the camera dialog's import
    "idscan": "decode_image_bytes(data, ImageLimits(max_decoded_side=3200))",  # station.scanning.idscan
    "full_size": "load_image_bounded(data, 120_000_000)",  # no scaling down at all
}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_image_bombs_keep_peak_memory_bounded(bomb: str) -> None:
    """Each bomb goes through each caller's settings in a fresh process: refused or decoded, under 500 MB."""
    calls = "".join(f"""
        try:
            img = {load}
            print("{caller}", "DECODED", img.shape)
            del img
        except StationError as exc:
            print("{caller}", "REFUSED", exc.code)""" for caller, load in CALLERS.items())
    code = f"""
        from station.errors import StationError
        from station.scanning.image_io import ImageLimits, decode_image_bytes, load_image_bounded
        from tests.station.scanning.test_image_io import forged_jpeg, forged_png, zeros_png
        data = {BOMBS[bomb]}{calls}
    """
    peak_mb, out = run_child_peak_mb(code)
    print(f"[image bomb] {bomb}: peak {peak_mb:.0f} MB")
    assert peak_mb < PEAK_LIMIT_MB, (peak_mb, out)
    assert "Traceback" not in out, out
    lines = [ln for ln in out.splitlines() if ln.split(" ")[0] in CALLERS]
    assert len(lines) == len(CALLERS), out
    for line in lines:
        if "under_cap" in bomb:
            assert "DECODED" in line, out  # a big but legitimate picture is still read
        else:
            assert "REFUSED camera.image.too_many_pixels" in line, out


def test_exif_orientation_applied() -> None:
    img = Image.new("RGB", (40, 20), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 clockwise on display
    arr = decode_image_bytes(_jpeg(img, exif=exif))
    assert arr.shape[:2] == (40, 20)


def test_size_limits_from_settings() -> None:
    data = _jpeg(Image.new("RGB", (100, 100)))
    with pytest.raises(StationError) as exc:
        decode_image_bytes(data, ImageLimits(max_file_bytes=10))
    assert exc.value.code == "camera.image.too_large_file"
    with pytest.raises(StationError) as exc2:
        decode_image_bytes(data, ImageLimits(max_pixels=5000))
    assert exc2.value.code == "camera.image.too_many_pixels"


def test_gif_refused_and_valid_frame() -> None:
    buf = io.BytesIO()
    Image.new("P", (20, 20)).save(buf, "GIF")
    with pytest.raises(StationError) as exc:
        decode_image_bytes(buf.getvalue())
    assert exc.value.code == "camera.image.unsupported_format"
    assert valid_frame(np.zeros((20, 20, 3), np.uint8))
    assert not valid_frame(np.zeros((0, 0, 3), np.uint8))
    assert not valid_frame(None)
    assert not valid_frame(np.zeros((20, 20), np.uint8))


def test_named_pipe_and_folder_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)  # reading it would block for ever: nobody writes
    for path in (fifo, tmp_path):
        with pytest.raises(StationError) as exc:
            load_image_file(path)
        assert exc.value.code == "camera.image.unreadable"


@pytest.mark.parametrize("mode", ["P", "1", "I;16", "CMYK", "LA", "RGBA"])
def test_every_pixel_mode_becomes_bgr(mode: str) -> None:
    src = Image.new("RGB", (40, 30), (200, 100, 50)).convert(mode)
    fmt = "JPEG" if mode == "CMYK" else "TIFF" if mode == "I;16" else "PNG"
    buf = io.BytesIO()
    src.save(buf, fmt)
    arr = load_image_bounded(buf.getvalue(), 10_000)
    assert arr.shape == (30, 40, 3) and arr.dtype == np.uint8 and arr.flags.c_contiguous

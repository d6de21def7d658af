"""Untrusted image decoding: corrupt data, empty input, huge pictures judged from the header, EXIF rotation."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from station.errors import StationError
from station.scanning.image_io import (
    ImageLimits,
    decode_image_bytes,
    load_image_file,
    read_header,
    valid_frame,
)
from tests.station.scanning.camera_fixtures import FACES_DIR


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


def test_huge_header_refused_before_decoding() -> None:
    # A tiny PNG that claims 60000 x 60000 pixels: refused from the header, instantly.
    img = Image.new("L", (1, 1))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    data = bytearray(buf.getvalue())
    data[16:24] = (60000).to_bytes(4, "big") + (60000).to_bytes(4, "big")
    t = time.perf_counter()
    with pytest.raises(StationError) as exc:
        decode_image_bytes(bytes(data))
    assert exc.value.code in {"camera.image.too_many_pixels", "camera.image.corrupt"}
    assert time.perf_counter() - t < 0.5
    assert read_header(buf.getvalue())[1:] == (1, 1)


def test_50_megapixel_jpeg_is_decoded_small_and_fast() -> None:
    big = Image.new("RGB", (8660, 5774), (120, 130, 140))  # 50 MP, as a phone takes
    data = _jpeg(big, quality=70)
    limits = ImageLimits()
    t = time.perf_counter()
    arr = decode_image_bytes(data, limits)
    elapsed = time.perf_counter() - t
    assert max(arr.shape[:2]) <= limits.max_decoded_side
    assert arr.shape[1] > arr.shape[0]
    assert elapsed < 3.0, elapsed


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

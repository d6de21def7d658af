"""Safe decoding of untrusted image files (imports, phone photos): size limits, corrupt data, huge pictures.

The header is read first (Pillow reads only the header on `Image.open`), so a 50-megapixel or a
forged 60,000 x 60,000 file is judged before any pixel is decoded. JPEGs, the usual case for phone
photos, are decoded at a reduced scale by libjpeg itself (`Image.draft`), which keeps a 50 MP photo
to a few megabytes of memory and a fraction of a second. EXIF orientation is applied, since phones
store portraits sideways with an orientation tag. Every failure becomes a `StationError` with a
catalogue key; nothing here raises anything else for bad input.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from station.errors import StationError

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "BMP", "WEBP", "TIFF", "MPO"})


@dataclass(frozen=True)
class ImageLimits:
    """Limits for decoding an untrusted image (settings section "image_import")."""

    max_file_bytes: int = 80 * 1024 * 1024
    max_pixels: int = 120_000_000  # refuse above this (header check, before decoding)
    max_decoded_side: int = 2400  # pictures are scaled down to at most this many pixels on the long side


def _refuse(code: str, **params: object) -> StationError:
    return StationError(code, **params)


def read_header(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the header alone; raises StationError on unknown or corrupt data."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return str(im.format or ""), int(im.width), int(im.height)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _refuse("camera.image.corrupt") from None


def decode_image_bytes(data: bytes, limits: ImageLimits | None = None) -> np.ndarray:
    """Decode untrusted bytes to a BGR uint8 array, no larger than `limits.max_decoded_side`."""
    limits = limits or ImageLimits()
    if not data:
        raise _refuse("camera.image.empty")
    if len(data) > limits.max_file_bytes:
        raise _refuse("camera.image.too_large_file", mb=limits.max_file_bytes // (1024 * 1024))
    fmt, width, height = read_header(data)
    if fmt not in ALLOWED_FORMATS:
        raise _refuse("camera.image.unsupported_format")
    if width <= 0 or height <= 0:
        raise _refuse("camera.image.corrupt")
    if width * height > limits.max_pixels:
        raise _refuse("camera.image.too_many_pixels", mp=round(width * height / 1e6))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as src:
                if src.format in {"JPEG", "MPO"}:
                    # libjpeg scales by 1/2, 1/4 or 1/8 while decoding: cheap for phone photos.
                    src.draft("RGB", (limits.max_decoded_side, limits.max_decoded_side))
                src.load()
                img: Image.Image = ImageOps.exif_transpose(src) or src
                if img.mode not in ("RGB", "L"):
                    img = img.convert("RGBA").convert("RGB") if "A" in img.mode else img.convert("RGB")
                if max(img.size) > limits.max_decoded_side:
                    img.thumbnail((limits.max_decoded_side, limits.max_decoded_side), Image.Resampling.LANCZOS)
                arr = np.asarray(img)
    except (OSError, ValueError, SyntaxError, MemoryError, Image.DecompressionBombError, EOFError):
        raise _refuse("camera.image.corrupt") from None
    return to_bgr(arr)


def to_bgr(arr: np.ndarray) -> np.ndarray:
    """An RGB/grey Pillow array as a contiguous BGR uint8 array; rejects empty arrays."""
    if arr.size == 0 or arr.ndim not in (2, 3):
        raise _refuse("camera.image.corrupt")
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        return cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR)
    if arr.shape[2] == 4:
        return cv2.cvtColor(arr, cv2.COLOR_RGBA2BGR)
    return np.ascontiguousarray(arr[:, :, ::-1])


def load_image_file(path: str | Path, limits: ImageLimits | None = None) -> np.ndarray:
    """Read and decode an image file chosen by the clerk (see `decode_image_bytes`)."""
    limits = limits or ImageLimits()
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > limits.max_file_bytes:
            raise _refuse("camera.image.too_large_file", mb=limits.max_file_bytes // (1024 * 1024))
        data = p.read_bytes()
    except OSError:
        raise _refuse("camera.image.unreadable") from None
    return decode_image_bytes(data, limits)


def valid_frame(frame: object) -> bool:
    """True for a usable BGR frame: a non-empty uint8 array of shape (h, w, 3) at least 16 px each way."""
    return (
        isinstance(frame, np.ndarray)
        and frame.dtype == np.uint8
        and frame.ndim == 3
        and frame.shape[2] == 3
        and frame.shape[0] >= 16
        and frame.shape[1] >= 16
    )

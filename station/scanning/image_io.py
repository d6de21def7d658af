"""Bounded decoding of untrusted image files (imports, phone photos, ID scans): one loader for every caller.

`load_image_bounded(data, max_pixels, max_side=...)` is the single entry point (`decode_image_bytes`
and `load_image_file` wrap it with the settings in `ImageLimits`; the ID scan and the photo check both
use it). It keeps memory bounded whatever the bytes claim:

* the dimensions come from the header (Pillow's `Image.open` reads only the header), so a 30,000 x
  30,000 PNG of 875 KB or a forged 65,535 x 65,535 header is refused before any pixel is decoded;
* JPEGs are decoded at a reduced scale by libjpeg itself (`Image.draft`), so a 100-megapixel phone
  photo takes a few tens of megabytes. Other formats (and progressive JPEGs, whose decoder keeps every
  coefficient of the whole picture) decode in full, so they are refused above `MAX_FULL_DECODE_PIXELS`
  (40 MP: 160 MB for RGBA, the worst case), and big pictures are scaled down before any colour
  conversion so no second full-size copy is made;
* every decoder failure (Pillow's OSError/ValueError/SyntaxError..., a MemoryError) becomes a
  `StationError` with a catalogue key; Pillow's warnings are silenced, libtiff's messages are kept
  off stderr, and OpenCV (used only to convert and scale the result) is told to log errors only.
  No libpng is involved: Pillow decodes PNG itself.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import struct
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from station.errors import StationError
from station.settings import section, setting

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "BMP", "WEBP", "TIFF", "MPO"})
REDUCED_DECODE_FORMATS = frozenset({"JPEG", "MPO"})  # libjpeg scales by 1/2, 1/4 or 1/8 while decoding
MAX_FULL_DECODE_PIXELS = 40_000_000  # hard cap on pixels decoded at full size (any format, any caller)
# What Pillow's decoders raise on damaged data (seen in fuzzing: truncated chunks, bad tables, odd tags).
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, MemoryError, IndexError, TypeError, KeyError,
                  ZeroDivisionError, struct.error, Image.DecompressionBombError)
try:  # OpenCV prints decoder warnings on stderr unless told otherwise; we only convert colours with it
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
except AttributeError:  # pragma: no cover - an OpenCV build without the logging module
    pass


@section("image_import")
@dataclass(frozen=True)
class ImageLimits:
    """Limits for decoding an untrusted image (settings section "image_import")."""

    max_file_bytes: int = setting(80 * 1024 * 1024, "largest image file accepted for import, in bytes")
    max_pixels: int = setting(120_000_000, "refuse above this (header check, before decoding)")
    max_decoded_side: int = setting(2400, "pictures are scaled down to at most this many pixels on the long side")


_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null meanwhile: libtiff (inside Pillow) prints its errors there.

    Process-wide for the few milliseconds of a TIFF decode; Pillow offers no handler to install instead.
    """
    with _STDERR_LOCK:
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all (a windowed program): nothing to silence
            yield
            return
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _too_many(pixels: int) -> StationError:
    return StationError("camera.image.too_many_pixels", mp=max(1, round(pixels / 1e6)))


def read_header(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the header alone; raises StationError on unknown or corrupt data."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                return str(im.format or ""), int(im.width), int(im.height)
    except Image.DecompressionBombError as exc:  # Pillow's own guard (> 179 MP): still a size refusal
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many(int(found.group(1)) if found else 10**9) from None
    except (UnidentifiedImageError, *_DECODE_ERRORS):
        raise StationError("camera.image.corrupt") from None


def _fit(size: tuple[int, int], max_side: int | None) -> tuple[int, int] | None:
    """The size to scale down to so the long side is at most `max_side`, or None when it already fits."""
    w, h = size
    if not max_side or max(w, h) <= max_side:
        return None
    s = max_side / max(w, h)
    return max(1, round(w * s)), max(1, round(h * s))


_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
_STRIP_PIXELS = 2_000_000  # pixels copied out of Pillow at a time


def _to_8bit(img: Image.Image) -> Image.Image:
    """RGB, RGBA, L or LA; 16-bit grey scaled to 8 bits; one bit per pixel widened to grey, not to colour."""
    mode = img.mode
    if mode in ("RGB", "L", "RGBA", "LA"):
        return img
    if mode == "1" or mode == "F" or mode == "La":
        return img.convert("L")
    if mode.startswith("I"):
        return img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return img.convert("RGBA" if "A" in mode or "a" in mode or "transparency" in img.info else "RGB")


def _copy_out(src: Image.Image, factor: int) -> np.ndarray:
    """The loaded picture as a BGR (or grey) numpy array reduced by `factor`, copied a strip at a time.

    Pillow keeps RGB and RGBA at 4 bytes a pixel and both `convert()` and `reduce()` of RGBA make a
    full-size copy; strips keep every intermediate small, so the peak is the decoded picture plus the
    (reduced) result.
    """
    w, h = src.size
    grey = src.mode in _GREY_MODES
    ow, oh = -(-w // factor), -(-h // factor)
    out = np.empty((oh, ow) if grey else (oh, ow, 3), np.uint8)
    band = max(factor, (_STRIP_PIXELS // max(w, 1)) // factor * factor)
    for y in range(0, h, band):
        strip = _to_8bit(src.crop((0, y, w, min(h, y + band))))
        if factor > 1:
            strip = strip.reduce(factor)
        a = np.asarray(strip)
        oy = y // factor
        if grey:
            out[oy: oy + a.shape[0]] = a if a.ndim == 2 else a[..., 0]
        else:
            out[oy: oy + a.shape[0]] = a[..., 2::-1]  # RGB(A) -> BGR, alpha dropped
    return out


def _decode(data: bytes, max_pixels: int, max_side: int | None) -> np.ndarray:
    """Decode to a BGR array, upright, no longer than `max_side`; memory bounded (see the module docstring)."""
    with Image.open(io.BytesIO(data)) as src:
        fmt = str(src.format or "")
        if fmt not in ALLOWED_FORMATS:
            raise StationError("camera.image.unsupported_format")
        w, h = src.size
        if w <= 0 or h <= 0:
            raise StationError("camera.image.corrupt")
        if w * h > max_pixels:
            raise _too_many(w * h)
        reduced = fmt in REDUCED_DECODE_FORMATS and not src.info.get("progressive") and not src.info.get("progression")
        if reduced and max_side:
            src.draft(src.mode, (max_side, max_side))  # libjpeg decodes at 1/2, 1/4 or 1/8 scale
        dw, dh = src.size
        if dw * dh > MAX_FULL_DECODE_PIXELS:
            raise _too_many(w * h)
        # (PNG's getexif() would decode the whole picture to look for a late eXIf chunk: not asked there.)
        orientation = src.getexif().get(0x0112, 1) if fmt != "PNG" else 1
        with _quiet_stderr() if fmt == "TIFF" else contextlib.nullcontext():
            src.load()
            target = _fit(src.size, max_side)
            factor = max(1, min(src.size[0] // target[0], src.size[1] // target[1])) if target else 1
            arr = _copy_out(src, factor)
    if target is not None and arr.shape[:2] != (target[1], target[0]):
        arr = cv2.resize(arr, target, interpolation=cv2.INTER_AREA)
    arr = _orient(arr, int(orientation) if isinstance(orientation, int) else 1)
    return cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR) if arr.ndim == 2 else arr


def _orient(arr: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1-8) so the picture shows upright, as PIL.ImageOps.exif_transpose does."""
    if orientation in (5, 6, 7, 8):
        arr = cv2.rotate(arr, cv2.ROTATE_90_CLOCKWISE if orientation in (5, 6) else cv2.ROTATE_90_COUNTERCLOCKWISE)
        if orientation in (5, 7):
            arr = cv2.flip(arr, 1)
    elif orientation == 2:
        arr = cv2.flip(arr, 1)
    elif orientation == 3:
        arr = cv2.rotate(arr, cv2.ROTATE_180)
    elif orientation == 4:
        arr = cv2.flip(arr, 0)
    return np.ascontiguousarray(arr)


def load_image_bounded(data: bytes, max_pixels: int, *, max_side: int | None = None) -> np.ndarray:
    """Decode untrusted bytes to a contiguous BGR uint8 array, never holding more than a bounded picture.

    `max_pixels`: refuse (from the header, before decoding) a picture with more pixels than this.
    `max_side`: scale down to at most this many pixels on the long side (None: keep the size; then
    anything over `MAX_FULL_DECODE_PIXELS` is refused too). Raises `StationError` with a catalogue key:
    camera.image.empty / corrupt / unsupported_format / too_many_pixels.
    """
    if not data:
        raise StationError("camera.image.empty")
    read_header(data)  # unknown or truncated headers: corrupt; Pillow's bomb guard: too many pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = _decode(data, max_pixels, max_side)
    except StationError:
        raise
    except (*_DECODE_ERRORS, cv2.error):
        raise StationError("camera.image.corrupt") from None
    if arr.size == 0:
        raise StationError("camera.image.corrupt")
    return arr


def decode_image_bytes(data: bytes, limits: ImageLimits | None = None) -> np.ndarray:
    """Decode untrusted bytes to a BGR uint8 array, no larger than `limits.max_decoded_side`."""
    limits = limits or ImageLimits()
    if not data:
        raise StationError("camera.image.empty")
    if len(data) > limits.max_file_bytes:
        raise StationError("camera.image.too_large_file", mb=limits.max_file_bytes // (1024 * 1024))
    return load_image_bounded(data, limits.max_pixels, max_side=limits.max_decoded_side or None)


def to_bgr(arr: np.ndarray) -> np.ndarray:
    """An RGB/grey Pillow array as a contiguous BGR uint8 array; rejects empty arrays."""
    if arr.size == 0 or arr.ndim not in (2, 3):
        raise StationError("camera.image.corrupt")
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        return cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR)
    if arr.shape[2] == 4:
        return cv2.cvtColor(arr, cv2.COLOR_RGBA2BGR)
    if arr.shape[2] != 3:
        raise StationError("camera.image.corrupt")
    return cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)


def load_image_file(path: str | Path, limits: ImageLimits | None = None) -> np.ndarray:
    """Read and decode an image file chosen by the clerk (see `load_image_bounded`)."""
    limits = limits or ImageLimits()
    p = Path(path)
    try:
        if not p.is_file():  # a folder, a named pipe or a device: never read (a pipe would block)
            raise StationError("camera.image.unreadable")
        if p.stat().st_size > limits.max_file_bytes:
            raise StationError("camera.image.too_large_file", mb=limits.max_file_bytes // (1024 * 1024))
        data = p.read_bytes()
    except OSError:
        raise StationError("camera.image.unreadable") from None
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

"""Passport-style portrait from a frame: find the face, check quality, crop 35x45 around the head, encode JPEG.

A picture with too few pixels is refused outright (StationError "camera.portrait.too_few_pixels"):
a face under `QualityThresholds.min_face_px` high, or, with no face found, a frame whose crop would be
upscaled as much, would only be a blown-up blur at 800 px. The face search here is the thorough one
(`FaceDetector.detect(thorough=True)`), so a small second face (a child) is counted.

The crop follows ICAO proportions: 35:45 width to height, the head (crown to chin) about 72 % of the
height, the crown about 10 % below the top, centred on the face. The Haar box runs roughly from the
brows to the chin, so the head is taken as `head_per_box` times the box height, ending a little below
it. Pixels outside the frame are filled by edge replication (the report says so in `padded`). The
output is about 622x800 pixels, a sensible print resolution for a 35x45 mm photo (450 dpi), and the
JPEG quality is stepped down until the file is under `max_bytes` (a few tens of kilobytes).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

from station.errors import StationError
from station.scanning.faces import DETECTOR_NAME, Face, FaceDetector
from station.scanning.image_io import valid_frame
from station.scanning.photo_quality import QualityReport, QualityThresholds, assess
from station.settings import section, setting

FORMAT_VERSION = 1


@section("portrait")
@dataclass(frozen=True)
class PortraitSpec:
    """Portrait geometry and encoding (settings section "portrait")."""

    out_height: int = setting(800, "portrait height in pixels")
    aspect_w: int = setting(35, "portrait width : height, width part (35 x 45 passport format)")
    aspect_h: int = setting(45, "portrait width : height, height part")
    head_share: float = setting(0.72, "head height / portrait height")
    crown_margin: float = setting(0.10, "space above the crown / portrait height")
    head_per_box: float = setting(1.5, "head height / Haar face-box height")
    chin_below_box: float = setting(0.05, "chin sits this many box heights below the box bottom")
    jpeg_quality: int = setting(88, "JPEG quality the portrait is first saved with")
    min_jpeg_quality: int = setting(50, "lowest JPEG quality tried to stay under max_bytes")
    max_bytes: int = setting(70_000, "largest stored portrait in bytes")

    @property
    def out_width(self) -> int:
        return round(self.out_height * self.aspect_w / self.aspect_h)


@dataclass(frozen=True)
class PortraitResult:
    """What the dialog hands to `save_portrait`: JPEG bytes, the quality dict, and the crop for display."""

    jpeg: bytes
    quality: dict[str, Any]
    report: QualityReport
    image: np.ndarray  # the portrait, BGR, out_width x out_height

    @property
    def passed(self) -> bool:
        return self.report.passed


def crop_box(face: Face | None, frame_w: int, frame_h: int, spec: PortraitSpec) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the portrait in frame pixels; may reach outside the frame."""
    if face is None:  # no face: the largest centred 35x45 region
        h = min(frame_h, frame_w * spec.aspect_h / spec.aspect_w)
        w = h * spec.aspect_w / spec.aspect_h
        return round((frame_w - w) / 2), round((frame_h - h) / 2), round(w), round(h)
    head = spec.head_per_box * face.h
    chin = face.y + face.h * (1 + spec.chin_below_box)
    h = head / spec.head_share
    w = h * spec.aspect_w / spec.aspect_h
    top = chin - head - spec.crown_margin * h
    return round(face.cx - w / 2), round(top), round(w), round(h)


def check_pixels(face: Face | None, box: tuple[int, int, int, int], t: QualityThresholds, spec: PortraitSpec) -> None:
    """Refuse a portrait that would be blown up from too few pixels (the face, or the whole crop)."""
    # the face box is this share of the portrait height (0.48 with the defaults)
    box_share = spec.head_share / spec.head_per_box
    have = face.h if face is not None else box[3] * box_share
    if have < t.min_face_px:
        raise StationError("camera.portrait.too_few_pixels", px=round(have), need=t.min_face_px)


def cut(frame: np.ndarray, box: tuple[int, int, int, int], out_w: int, out_h: int) -> tuple[np.ndarray, bool]:
    """The box from `frame`, padded by edge replication where it leaves the frame, resized to out_w x out_h."""
    x, y, w, h = box
    fh, fw = frame.shape[:2]
    pad_l, pad_t = max(0, -x), max(0, -y)
    pad_r, pad_b = max(0, x + w - fw), max(0, y + h - fh)
    padded = bool(pad_l or pad_t or pad_r or pad_b)
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(fw, x + w), min(fh, y + h)
    if x1 <= x0 or y1 <= y0:
        raise StationError("camera.image.corrupt")
    region = frame[y0:y1, x0:x1]
    if padded:
        region = cv2.copyMakeBorder(region, pad_t, pad_b, pad_l, pad_r, cv2.BORDER_REPLICATE)
    interp = cv2.INTER_AREA if region.shape[0] > out_h else cv2.INTER_CUBIC
    return cv2.resize(region, (out_w, out_h), interpolation=interp), padded


def encode_jpeg(image: np.ndarray, spec: PortraitSpec) -> bytes:
    """JPEG bytes under `spec.max_bytes` when possible, at the best quality that fits."""
    q = spec.jpeg_quality
    while True:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, q, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
        if not ok:
            raise StationError("camera.portrait.encode_failed")
        data = buf.tobytes()
        if len(data) <= spec.max_bytes or q <= spec.min_jpeg_quality:
            return data
        q = max(spec.min_jpeg_quality, q - 8)


def make_portrait(
    frame: np.ndarray,
    detector: FaceDetector | None = None,
    thresholds: QualityThresholds | None = None,
    spec: PortraitSpec | None = None,
    faces: list[Face] | None = None,
) -> PortraitResult:
    """Detect (full frame) unless `faces` is given, assess, crop and encode. Never raises on a poor photo."""
    if not valid_frame(frame):
        raise StationError("camera.image.corrupt")
    spec = spec or PortraitSpec()
    thresholds = thresholds or QualityThresholds()
    if faces is None:
        faces = (detector or FaceDetector()).detect(frame, thorough=True)
    report = assess(frame, faces, thresholds)
    fh, fw = frame.shape[:2]
    box = crop_box(report.subject, fw, fh, spec)
    check_pixels(report.subject, box, thresholds, spec)
    image, padded = cut(frame, box, spec.out_width, spec.out_height)
    jpeg = encode_jpeg(image, spec)
    quality = report.as_dict(thresholds)
    quality.update(
        version=FORMAT_VERSION,
        detector=DETECTOR_NAME,
        frame_size=[fw, fh],
        crop={"x": box[0], "y": box[1], "w": box[2], "h": box[3]},
        padded=padded,
        portrait_size=[spec.out_width, spec.out_height],
        jpeg_bytes=len(jpeg),
        spec=asdict(spec),
    )
    return PortraitResult(jpeg, quality, report, image)

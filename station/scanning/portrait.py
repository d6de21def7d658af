"""Passport-style portrait from a frame: find the face, check quality, crop 35x45 around the head, encode JPEG.

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

FORMAT_VERSION = 1


@dataclass(frozen=True)
class PortraitSpec:
    """Portrait geometry and encoding (settings section "portrait")."""

    out_height: int = 800
    aspect_w: int = 35
    aspect_h: int = 45
    head_share: float = 0.72  # head height / portrait height
    crown_margin: float = 0.10  # space above the crown / portrait height
    head_per_box: float = 1.5  # head height / Haar face-box height
    chin_below_box: float = 0.05  # chin sits this many box heights below the box bottom
    jpeg_quality: int = 88
    min_jpeg_quality: int = 50
    max_bytes: int = 70_000

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
        faces = (detector or FaceDetector()).detect(frame)
    report = assess(frame, faces, thresholds)
    fh, fw = frame.shape[:2]
    box = crop_box(report.subject, fw, fh, spec)
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

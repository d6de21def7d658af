"""`station photo-check IMAGE [--crop OUT.jpg] [--json]`: run the portrait pipeline on one image file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from station import settings
from station.errors import StationError
from station.fsutil import atomic_write_bytes
from station.i18n import tr
from station.scanning.faces import DetectorSettings, FaceDetector
from station.scanning.image_io import ImageLimits, load_image_file
from station.scanning.photo_quality import QualityThresholds
from station.scanning.portrait import PortraitSpec, make_portrait

NAME = "photo-check"
HELP = "Check a photo as the camera would: faces found, each quality measure, pass or fail with reasons."


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", type=Path, help="image file (JPEG, PNG, ...)")
    parser.add_argument("--crop", type=Path, metavar="OUT.jpg", help="write the passport-style portrait here")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the photo passes, 3 when it fails the quality check, 1 when it cannot be read."""
    limits = settings.load(ImageLimits)
    thresholds = settings.load(QualityThresholds)
    spec = settings.load(PortraitSpec)
    try:
        # bounded decoding: the header is judged before any pixel is decoded (station.scanning.image_io)
        frame = load_image_file(args.image, limits)
        detector = FaceDetector(settings.load(DetectorSettings))
        result = make_portrait(frame, detector, thresholds, spec)  # refuses a face with too few pixels
    except StationError as exc:
        if args.json:
            print(json.dumps({"error": exc.code, "message": exc.message()}, ensure_ascii=False))
            return 1
        raise
    if args.crop:
        atomic_write_bytes(args.crop, result.jpeg, mode=0o600)
    out = dict(result.quality)
    out["reason_messages"] = [tr(code) for code in result.report.reasons]
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        verdict = tr("camera.check.pass") if result.passed else tr("camera.check.fail")
        print(f"{verdict}: {tr('camera.check.faces', n=result.report.face_count)}")
        for key, value in out["measures"].items():
            print(f"  {key}: {value}")
        for msg in out["reason_messages"]:
            print(f"  - {msg}")
    return 0 if result.passed else 3

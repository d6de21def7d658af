"""`station scan-id IMAGE... [--json]`: read the MRZ and barcodes of ID images (same code as the window)."""

from __future__ import annotations

import argparse
import json
import sys

from station.i18n import tr

NAME = "scan-id"
HELP = "Read the machine-readable zone and barcodes of ID document images."


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files (JPEG, PNG, ...)")
    parser.add_argument("--json", action="store_true", help="print one JSON document with every result")


def run(args: argparse.Namespace) -> int:
    from station.scanning.idscan import ScanResult, load_image, scan_image

    out = []
    for path in args.images:
        img = load_image(path)
        result = scan_image(img) if img is not None else ScanResult(None, "scanning.reason.not_image", ())
        entry = {"image": path, **result.to_dict()}
        if result.reason:
            entry["reason_text"] = tr(result.reason)
        out.append(entry)
        if not args.json:
            _print_text(path, result)
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return 0 if all(e["mrz"] or e["barcodes"] for e in out) else 1


def _print_text(path: str, result: object) -> None:
    from station.scanning.idscan import ScanResult

    assert isinstance(result, ScanResult)
    print(path)
    if result.mrz is None:
        print("  MRZ: " + tr(result.reason))
    else:
        m = result.mrz
        print(f"  MRZ {m.format}: {'valid' if m.valid else 'INVALID'}")
        for line in m.lines:
            print("    " + line)
        for k, v in m.fields.items():
            print(f"    {k}: {v} [{m.field_checks.get(k, '')}]")
    for b in result.barcodes:
        print(f"  {b.format}: {b.text!r}")

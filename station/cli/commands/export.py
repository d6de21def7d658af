"""`station export`: end-of-day pack to a folder or stick; office key set-up; drives; plain spreadsheets."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import date
from pathlib import Path

from station.errors import StationError
from station.i18n import tr

NAME = "export"
HELP = ("Write the encrypted end-of-day pack (and manage the office key, this station's key for the office, "
        "list USB drives, plain spreadsheets).")
PASSPHRASE_ENV = "STATION_OFFICE_KEY_PASSPHRASE"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", type=Path, metavar="DIR", help="folder to write the pack into (e.g. the USB stick)")
    rng = p.add_mutually_exclusive_group()
    rng.add_argument("--since", metavar="DATE", help="everything changed since DATE (YYYY-MM-DD)")
    rng.add_argument("--all", action="store_true", help="everything, not only what changed since the last export")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    k = sub.add_parser("keygen", help="(office) make the office key pair")
    k.add_argument("--out", type=Path, required=True, help="private key file to write (passphrase-protected)")
    k.add_argument("--public", type=Path,
                   help="public key file to write (default: OUT with its extension replaced, office.key -> office.pub)")
    s = sub.add_parser("set-office-key", help="(administrator) install the office public key on this station")
    s.add_argument("pubfile", type=Path)
    sk = sub.add_parser("station-key", help="this station's public signing key (its identity) for the office")
    sk.add_argument("--out", type=Path, required=True, help="file to write (public, no secret: carry it to the office)")
    en = sub.add_parser("enrol-station", help="(office administrator) enrol a station from its station-key file, "
                                             "before its first pack")
    en.add_argument("identity", type=Path, metavar="FILE")
    sub.add_parser("drives", help="list removable drives")
    pl = sub.add_parser("plain", help="(supervisor) NOT encrypted spreadsheet of the register")
    pl.add_argument("--out", type=Path, required=True, help="file to write (.csv or .xlsx)")


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StationError("export.error.bad_date", value=text[:20]) from None


def key_passphrase(confirm: bool = False) -> str:
    secret = os.environ.get(PASSPHRASE_ENV)
    if secret is not None:
        return secret
    if not sys.stdin.isatty():
        raise StationError("export.error.passphrase_needed")
    secret = getpass.getpass("Office key passphrase: ")
    if confirm and getpass.getpass("Again: ") != secret:
        raise StationError("export.error.passphrase_mismatch")
    return secret


def run(args: argparse.Namespace) -> int:
    if args.action == "keygen":
        return _keygen(args)
    if args.action == "drives":
        return _drives()
    if args.to is None and args.action is None:
        print(tr("export.cli.usage"), file=sys.stderr)
        return 2
    from station.cli.session import open_from_env

    ctx = open_from_env()
    try:
        if args.action == "set-office-key":
            from station.services.export import set_office_key

            try:
                data = args.pubfile.read_bytes()
            except OSError:
                raise StationError("export.error.public_key_invalid") from None
            print(tr("export.cli.key_installed", fingerprint=set_office_key(ctx.db, ctx.actor, data)))
            return 0
        if args.action == "plain":
            return _plain(ctx, args.out)
        if args.action in ("station-key", "enrol-station"):
            return _station_identity(ctx, args)
        return _pack(ctx, args)
    finally:
        ctx.close()


def _pack(ctx: object, args: argparse.Namespace) -> int:
    from station.services.export import export_pack

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    since = parse_day(args.since) if args.since else None
    res = export_pack(ctx.db, ctx.actor, args.to, since=since, everything=args.all,  # type: ignore[attr-defined]
                      progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(tr("export.cli.written", file=str(res.path), size=f"{res.size / 2**20:.1f}",
             households=tr("count.households", n=res.households),
             individuals=tr("count.individuals", n=res.individuals),
             portraits=tr("count.portraits", n=res.portraits), events=tr("count.audit_events", n=res.audit_events)))
    print(tr("export.cli.sha", sha=res.sha256))
    return 0


def _station_identity(ctx: object, args: argparse.Namespace) -> int:
    """`station-key` writes this station's identity; `enrol-station` installs another station's at the office."""
    from station.services import pack_origin

    if args.action == "station-key":
        fingerprint = pack_origin.write_identity(ctx.home, ctx.station_code, args.out)  # type: ignore[attr-defined]
        print(tr("security.cli.station_key_written", file=str(args.out), fingerprint=fingerprint))
        return 0
    identity = pack_origin.read_identity(args.identity)
    pack_origin.enrol_station(ctx.db, ctx.actor, identity)  # type: ignore[attr-defined]
    print(tr("security.cli.station_enrolled", station=identity["station"], fingerprint=identity["fingerprint"]))
    return 0


def _plain(ctx: object, out: Path) -> int:
    from station.services.export import export_plain

    fmt = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    print(tr("export.plain_warning"), file=sys.stderr)
    rows = export_plain(ctx.db, ctx.actor, out, fmt)  # type: ignore[attr-defined]
    print(tr("export.cli.plain_written", file=str(out), rows=tr("count.rows", n=rows)))
    print(tr("export.plain_warning"), file=sys.stderr)
    return 0


def _keygen(args: argparse.Namespace) -> int:
    from station.export.crypto import generate_office_key, key_id, load_public_key, public_raw
    from station.fsutil import atomic_write_bytes

    out: Path = args.out
    public = args.public or out.with_suffix(".pub")
    for path in (out, public):
        if path.exists():
            raise StationError("export.error.file_exists", file=path.name)
    private_pem, public_pem = generate_office_key(key_passphrase(confirm=True))
    atomic_write_bytes(out, private_pem, 0o600)
    atomic_write_bytes(public, public_pem, 0o644)
    fingerprint = key_id(public_raw(load_public_key(public_pem)))
    print(tr("export.cli.key_written", file=str(out), public=str(public), fingerprint=fingerprint))
    return 0


def _drives() -> int:
    from station.export.drives import human_size, removable_drives

    drives = removable_drives()
    if not drives:
        print(tr("export.cli.no_drives"))
    for d in drives:
        print(tr("export.ui.drive_item", label=d.label, mount=str(d.mount), free=human_size(d.free)))
    return 0

"""`station print wristband|card|sheet REGNO... [--out FILE.pdf | --printer NAME]`: print from scripts."""

from __future__ import annotations

import argparse
from pathlib import Path

from station.cli.session import open_from_env
from station.errors import StationError
from station.i18n import tr
from station.printing import spool
from station.printing.profiles import load_print_settings, load_profiles
from station.services import printing

NAME = "print"
HELP = "Print wristbands, ration cards (CR80) or A4 sheets of cards for registration numbers."


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=printing.KINDS, help="wristband, card (CR80 card printer) or sheet (A4)")
    parser.add_argument("regnos", nargs="+", metavar="REGISTRATION_NUMBER")
    dest = parser.add_mutually_exclusive_group()
    dest.add_argument("--out", type=Path, metavar="FILE.pdf", help="write a PDF instead of printing")
    dest.add_argument("--printer", metavar="NAME", help="CUPS queue (default: this station's profile)")
    parser.add_argument("--reason", default="", help="required to reprint (a card supersedes the earlier one)")
    parser.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                        help="how long to watch the job for failure (default from settings)")


def run(args: argparse.Namespace) -> int:
    settings = load_print_settings()
    printer = ""
    if args.out is None:
        printer = args.printer or load_profiles().for_kind(args.kind)
        if not printer:
            raise StationError("printing.error.printer_missing", printer="-")
        spool.check_printer(printer)  # fail before anything is rendered or recorded
    ctx = open_from_env()
    try:
        with ctx.db.uow() as uow:
            printing.site_card_key(uow)  # created on first use: a short write, before the long render
        with ctx.db.reader() as uow:
            if args.kind == "wristband":
                job = printing.prepare_wristbands(uow, ctx.actor, args.regnos, reason=args.reason, settings=settings)
            else:
                job = printing.prepare_cards(uow, ctx.actor, args.regnos, kind=args.kind, reason=args.reason,
                                             settings=settings)
        if args.out is not None:
            printing.save_pdf(job, args.out)
            with ctx.db.uow() as uow:
                printing.record_printed(uow, ctx.actor, job, printer="pdf", job_ref=job.job_id)
            print(tr("printing.cli.written", path=str(args.out)))
            return 0
        wait = settings.job_wait_seconds if args.wait is None else args.wait
        result = spool.send(job.pdf, printer, job.title, job.page_mm, wait_seconds=wait)
        with ctx.db.uow() as uow:
            printing.record_printed(uow, ctx.actor, job, printer=printer, job_ref=result.job_ref)
        print(tr("printing.cli.accepted", printer=printer, job=result.job_ref))
        return 0
    finally:
        ctx.close()

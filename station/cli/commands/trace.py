"""`station trace add|list|matches|confirm|dismiss|close`: family tracing cases from scripts and the office.

Signed in like every command (STATION_USER + STATION_PASSPHRASE or STATION_PASSPHRASE_FILE). Adding a case
needs the registration number of the household of the person asking; listing cases and deciding on
matches is for supervisors.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from station.cli.session import open_from_env
from station.domain.tracing import AlertStatus, CaseDraft, CaseStatus, CaseView
from station.i18n import tn, tr
from station.services import tracing
from station.services.matching import Candidate
from station.services.registration import find_by_regno

NAME = "trace"
HELP = "Family tracing: add a case, list cases, show possible matches, confirm or dismiss them, close a case."


def register(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="trace_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="record a person sought by a member of a registered household")
    add.add_argument("--seeker", required=True, metavar="REGNO", help="registration number of the household asking")
    add.add_argument("--seeker-member", type=int, default=0, metavar="N",
                     help="position of the member asking in that household (default: the head)")
    for part in ("given", "father", "grandfather", "family"):
        add.add_argument(f"--{part}", default="", help=f"{part} name in Latin script")
        add.add_argument(f"--{part}-ar", default="", help=f"{part} name in Arabic script")
    add.add_argument("--sex", choices=("F", "M", "X"), default="X")
    add.add_argument("--age", type=int, default=None, help="estimated age in years")
    add.add_argument("--birth", type=date.fromisoformat, default=None, metavar="DATE", help="birth date YYYY-MM-DD")
    add.add_argument("--origin", default="", help="place of origin")
    add.add_argument("--last-seen-place", default="")
    add.add_argument("--last-seen-on", type=date.fromisoformat, default=None, metavar="DATE")
    add.add_argument("--circumstances", default="", help='e.g. "injured, taken to hospital in Erbil"')
    add.add_argument("--consent", action="store_true", help="the person asking agrees that the case is shared")
    add.add_argument("--json", action="store_true")
    ls = sub.add_parser("list", help="tracing cases, newest first (supervisors)")
    ls.add_argument("--status", action="append", choices=[s.value for s in CaseStatus], default=[])
    ls.add_argument("--text", default="", help="any name part (either script, any spelling), place or REGNO")
    ls.add_argument("--json", action="store_true")
    m = sub.add_parser("matches", help="possible matches (alerts) waiting for a decision (supervisors)")
    m.add_argument("--all", action="store_true", help="also confirmed and dismissed ones")
    m.add_argument("--json", action="store_true")
    for action, text in (("confirm", "the person registered is the one sought: the case is found"),
                         ("dismiss", "not the person sought (never shown again)")):
        d = sub.add_parser(action, help=text)
        d.add_argument("alert", type=int, metavar="ALERT_ID")
        d.add_argument("--note", default="")
    c = sub.add_parser("close", help="close a case")
    c.add_argument("case", metavar="CASE_ID")
    c.add_argument("--reason", required=True)


def case_json(c: CaseView) -> dict[str, Any]:
    return {"id": c.id, "status": c.status.value, "station": c.station, "sought_ar": list(c.sought_ar),
            "sought_lat": list(c.sought_lat), "sex": c.sex,
            "birth_date": c.birth_date.isoformat() if c.birth_date else None, "birth_estimated": c.birth_estimated,
            "origin": c.origin, "last_seen_place": c.last_seen_place,
            "last_seen_on": c.last_seen_on.isoformat() if c.last_seen_on else None,
            "circumstances": c.circumstances, "seeker_registration_number": c.seeker_registration_number,
            "consent_to_share": c.consent_to_share, "found_registration_number": c.found_registration_number,
            "open_alerts": c.open_alerts, "created_at": c.created_at.isoformat(), "created_by": c.created_by}


def candidate_json(c: Candidate) -> dict[str, Any]:
    return {"individual_id": c.individual_id, "registration_number": c.registration_number, "name_ar": c.name_ar,
            "name_lat": c.name_lat, "sex": c.sex, "birth_date": c.birth_date.isoformat() if c.birth_date else None,
            "birth_estimated": c.birth_estimated, "origin": c.origin, "score": c.score,
            "reasons": [[code, value] for code, value in c.reasons]}


def _add(args: argparse.Namespace) -> int:
    ctx = open_from_env()
    try:
        with ctx.db.uow() as uow:
            seeker = find_by_regno(uow, ctx.actor, args.seeker)
            member = seeker.members[args.seeker_member - 1] if args.seeker_member else seeker.head
            draft = CaseDraft(
                seeker.id, (args.given_ar, args.father_ar, args.grandfather_ar, args.family_ar),
                (args.given, args.father, args.grandfather, args.family), args.sex, args.birth, args.age,
                args.origin, args.last_seen_place, args.last_seen_on, args.circumstances,
                member.id if member else "", args.consent)
            case = tracing.open_case(uow, ctx.actor, draft)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps(case_json(case), ensure_ascii=False, indent=1))
    else:
        print(tr("tracing.cli.added", case=case.id, alerts=tn("tracing.cli.matches", case.open_alerts)))
    return 0


def _list(args: argparse.Namespace) -> int:
    ctx = open_from_env()
    try:
        with ctx.db.reader() as uow:
            cases = tracing.list_cases(uow, ctx.actor, [CaseStatus(s) for s in args.status], args.text)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps([case_json(c) for c in cases], ensure_ascii=False, indent=1))
    else:
        for c in cases:
            print(f"{c.id}  {c.status.value:<14} {c.sought_name()}  <- {c.seeker_registration_number}"
                  f"  ({c.open_alerts})")
    return 0


def _matches(args: argparse.Namespace) -> int:
    ctx = open_from_env()
    try:
        with ctx.db.reader() as uow:
            alerts = tracing.list_alerts(uow, ctx.actor, None if args.all else AlertStatus.OPEN)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps([{"id": a.id, "status": a.status.value, "source": a.source, "score": a.score,
                           "case": case_json(a.case), "candidate": candidate_json(a.candidate)} for a in alerts],
                         ensure_ascii=False, indent=1))
    else:
        for a in alerts:
            # n: the count of a plural reason ("1 person here shares this name"); value: a percent ("names 87% alike")
            reasons = ", ".join(tr(f"tracing.reason.{code}", n=v, value=v) for code, v in a.candidate.reasons)
            who = a.candidate.name_lat or a.candidate.name_ar
            print(f"#{a.id} [{a.status.value}] {a.score}: {a.case.sought_name()} ~ {who}"
                  f" ({a.candidate.registration_number}) - {reasons}")
    return 0


def _decide(args: argparse.Namespace) -> int:
    ctx = open_from_env()
    try:
        with ctx.db.uow() as uow:
            if args.trace_command == "confirm":
                case = tracing.confirm_alert(uow, ctx.actor, args.alert, args.note)
            else:
                case = tracing.dismiss_alert(uow, ctx.actor, args.alert, args.note)
    finally:
        ctx.close()
    print(tr("tracing.cli.case_status", case=case.id, status=tr(f"tracing.status.{case.status.value}")))
    return 0


def _close(args: argparse.Namespace) -> int:
    ctx = open_from_env()
    try:
        with ctx.db.uow() as uow:
            case = tracing.close_case(uow, ctx.actor, args.case, args.reason)
    finally:
        ctx.close()
    print(tr("tracing.cli.case_status", case=case.id, status=tr(f"tracing.status.{case.status.value}")))
    return 0


def run(args: argparse.Namespace) -> int:
    return {"add": _add, "list": _list, "matches": _matches, "confirm": _decide, "dismiss": _decide,
            "close": _close}[args.trace_command](args)

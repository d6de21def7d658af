"""Sign in for scripts: account from STATION_USER, passphrase from STATION_PASSPHRASE or STATION_PASSPHRASE_FILE.

Never from a command-line argument (other users of the machine could read it in the process list).

A passphrase changed (or reset) at another desk of a PostgreSQL site: this desk's key file still opens with
the previous one, which goes in STATION_PREVIOUS_PASSPHRASE (or STATION_PREVIOUS_PASSPHRASE_FILE) for one run,
beside the new one as usual (station.services.site_join.take_new_passphrase checks both); from then on the
new one alone signs in.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from station.errors import StationError
from station.i18n import tr
from station.services.station import StationContext, sign_in

PREVIOUS = "STATION_PREVIOUS_PASSPHRASE"


def _secret_from_env(name: str) -> str | None:
    file = os.environ.get(name + "_FILE")
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError:
            raise StationError("error.passphrase_file_unreadable") from None
    return os.environ.get(name)


def passphrase_from_env() -> str:
    secret = _secret_from_env("STATION_PASSPHRASE")
    if secret is None:
        raise StationError("error.passphrase_missing")
    return secret


def open_from_env() -> StationContext:
    user = os.environ.get("STATION_USER")
    if not user:
        raise StationError("error.user_missing")
    previous = _secret_from_env(PREVIOUS)
    if previous:
        from station.services.site_join import take_new_passphrase

        ctx = take_new_passphrase(user, previous, passphrase_from_env())
        print(tr("cli.passphrase_taken", name=PREVIOUS), file=sys.stderr)
    else:
        ctx = sign_in(user, passphrase_from_env())
    if ctx.disk_full:
        print(tr("fault.signin_disk_full"), file=sys.stderr)
    return ctx

"""Sign in for scripts: account from STATION_USER, passphrase from STATION_PASSPHRASE or STATION_PASSPHRASE_FILE.

Never from a command-line argument (other users of the machine could read it in the process list).
"""

from __future__ import annotations

import os
from pathlib import Path

from station.errors import StationError
from station.services.station import StationContext, sign_in


def passphrase_from_env() -> str:
    file = os.environ.get("STATION_PASSPHRASE_FILE")
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError:
            raise StationError("error.passphrase_file_unreadable") from None
    secret = os.environ.get("STATION_PASSPHRASE")
    if secret is None:
        raise StationError("error.passphrase_missing")
    return secret


def open_from_env() -> StationContext:
    user = os.environ.get("STATION_USER")
    if not user:
        raise StationError("error.user_missing")
    ctx = sign_in(user, passphrase_from_env())
    if ctx.disk_full:
        import sys

        from station.i18n import tr

        print(tr("fault.signin_disk_full"), file=sys.stderr)
    return ctx

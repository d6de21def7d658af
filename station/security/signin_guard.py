"""Sign-in attempts before any key is unwrapped: the throttle (counted first, under the key file's lock) and
the log of failed sign-ins, read back into the audit trail at the next sign-in (issue 15)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from station import clock
from station.errors import StationError
from station.security.keyring import Keyring

# Growing delay after failed sign-ins, then a temporary lock.
FREE_FAILURES = 3
LOCK_AFTER = 8
LOCK_SECONDS = 15 * 60
FAILURE_UNSAVED_DELAY = 2.0  # seconds; a failure that cannot be counted (full disk) still costs a guesser time


def throttle_wait(count: int, last: float, now: float) -> float:
    """Seconds to wait before the next attempt after `count` failures (the last at `last`); raises when locked."""
    if count >= LOCK_AFTER:
        remaining = LOCK_SECONDS - (now - last)
        if remaining > 0:
            raise StationError("error.account_locked", n=max(1, round(remaining / 60)))
        return 0.0
    if count >= FREE_FAILURES:
        return float(min(2 ** (count - FREE_FAILURES), 30) - (now - last))
    return 0.0


def throttle(keyring: Keyring, username: str) -> None:
    """Wait (or refuse) as the failures counted so far require; the attempt itself is counted by the caller."""
    count, last = keyring.failures(username)
    wait = throttle_wait(count, last, time.time())
    if wait > 0:
        time.sleep(wait)


def reserve_attempt(keyring: Keyring, username: str) -> None:
    """Count this attempt before its key derivation, under the key file's lock (read, check, count, write),
    so parallel attempts get no more tries than the throttle allows; a success clears the count. Waits as
    the throttle requires, raises error.account_locked when locked. On a full disk the attempt cannot be
    counted, so it is slowed instead."""
    now = time.time()
    while True:
        try:
            wait = keyring.reserve_attempt(username, throttle_wait, now)
        except OSError:
            time.sleep(FAILURE_UNSAVED_DELAY)
            return
        if wait <= 0:
            return
        time.sleep(wait)
        now = max(time.time(), now + wait)  # then try again: a parallel attempt may have been counted meanwhile


# A failed sign-in cannot write to the encrypted database (no key). It is noted in a small file, one line
# per failure holding the time and the typed name sealed to the station's report key (nobody reads it
# without a passphrase: issue 15), and moved into the audit trail at the next sign-in, where a typed name
# that is no account's (people type passphrases into the account field) becomes "?".
_PENDING = "failed-signins.log"


def record_failed_signin_later(home: Path, username: str) -> None:
    try:
        line = Keyring.load(home).seal_report(f"{clock.utcnow().isoformat(timespec='seconds')} {username}")
    except StationError:
        line = None
    fd = os.open(home / _PENDING, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # owner only (issue 15)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)  # a file made 0644 by an older version
    with open(fd, "a", encoding="utf-8") as fh:
        fh.write(f"{line or '?'}\n")
        fh.flush()
        os.fsync(fh.fileno())


def pending_failures(home: Path) -> list[tuple[str, str]]:
    """(account or "?", time) of each failure noted since; read once someone signed in (the file key is open)."""
    path = home / _PENDING
    if not path.exists():
        return []
    try:
        keyring: Keyring | None = Keyring.load(home)
    except StationError:
        keyring = None
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = keyring.open_report(line) if keyring is not None and " " not in line.strip() else None
        if text is None:  # an older "<time> #tag" line (its time is kept) or one that cannot be opened
            at, name = (line.partition(" ")[0] if " " in line else ""), ""
        else:
            at, _, name = text.partition(" ")
        if not at:
            at = clock.utcnow().isoformat(timespec="seconds")  # an older or unreadable line: its time is lost
        out.append((name if keyring is not None and name and keyring.has(name) else "?", at))
    return out


def clear_pending_failures(home: Path) -> None:
    (home / _PENDING).unlink(missing_ok=True)

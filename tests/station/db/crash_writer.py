"""Child process for the kill test: saves households in a loop and acknowledges each committed save."""

from __future__ import annotations

import os
import sys

from station.services.registration import register_household
from station.services.station import sign_in
from tests.factories import family_of_five


def main() -> None:
    ctx = sign_in("admin", os.environ["CRASH_PASSPHRASE"], None)
    print("READY", flush=True)
    draft = family_of_five()
    while True:
        sys.stdout.write("BEGIN\n")  # a save starts: a kill before the next ACK lands inside it
        sys.stdout.flush()
        with ctx.db.uow() as uow:
            saved = register_household(uow, ctx.actor, draft)
        # Only after the commit returned: this is the acknowledgement the clerk would see.
        sys.stdout.write(f"ACK {saved.registration_number}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

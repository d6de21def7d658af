"""Kill a child process (SIGKILL) at a random moment inside one operation, then check the station starts.

The child imports everything, prints READY, waits for a line on stdin, runs the operation and prints
DONE <seconds>. A first, uninterrupted run measures the operation, so the kills land uniformly over its
whole length (and a little after it). Used by tests/station/test_kill_*.py (a few kills, CI) and
tests/perf/test_kill_*.py (at least 50 kills per operation).

Operations (argv[1] of the child):
  init     first-run set-up of STATION_HOME, recovery code written to $RECOVERY_OUT before the commit
  account  an administrator creates the account "clerk1"
  migrate  sign-in on a database one schema behind: backup copy, then migration
"""

from __future__ import annotations

import base64
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"
CLERK_PASSPHRASE = "another long passphrase"


def _fast_kdf() -> None:
    from station.security.kdf import KdfParams
    from tests.conftest import FAST_KDF

    KdfParams.fresh = classmethod(  # type: ignore[method-assign,assignment]
        lambda cls, **kw: KdfParams(salt_b64=base64.b64encode(os.urandom(16)).decode(), **(FAST_KDF | kw)))


def _child(op: str) -> None:
    _fast_kdf()
    from station.domain.roles import Role
    from station.services.accounts import create_account
    from station.services.station import initialize, sign_in

    home = Path(os.environ["STATION_HOME"])
    admin = sign_in("admin", PASSPHRASE, home) if op == "account" else None  # the kill lands in the creation
    print("READY", flush=True)
    sys.stdin.readline()
    t = time.perf_counter()
    if op == "init":
        out = Path(os.environ["RECOVERY_OUT"])
        from station.fsutil import atomic_write_bytes

        ctx, _code = initialize(site_code="MKH", station_number=2, admin_username="admin",
                                admin_passphrase=PASSPHRASE, home=home,
                                on_recovery_code=lambda c: atomic_write_bytes(out, c.encode()))
    elif op == "account" and admin is not None:
        ctx = admin
        create_account(ctx, "clerk1", Role.CLERK, CLERK_PASSPHRASE)
    elif op == "migrate":
        ctx = sign_in("admin", PASSPHRASE, home)
    else:
        raise SystemExit(f"unknown operation {op}")
    print(f"DONE {time.perf_counter() - t:.4f}", flush=True)
    ctx.close()


def _spawn(op: str, home: Path, extra: dict[str, str]) -> subprocess.Popen[str]:
    env = os.environ | {"STATION_HOME": str(home), "PYTHONPATH": str(ROOT)} | extra
    return subprocess.Popen([sys.executable, "-m", "tests.station.kill_harness", op], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_once(op: str, home: Path, extra: dict[str, str], kill_after: float | None) -> tuple[bool, float]:
    """Run the operation; kill it `kill_after` seconds after it started (None: let it finish).
    Returns (finished, seconds it took when it finished)."""
    proc = _spawn(op, home, extra)
    assert proc.stdin is not None and proc.stdout is not None
    ready = proc.stdout.readline().strip()
    assert ready == "READY", (ready, proc.stderr.read() if proc.stderr else "")
    proc.stdin.write("go\n")
    proc.stdin.flush()
    if kill_after is None:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        return True, float(out.split()[-1])
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    out, _err = proc.communicate(timeout=60)
    return "DONE" in out, 0.0


@dataclass
class KillReport:
    op: str
    kills: int = 0
    finished_before_kill: int = 0
    op_seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)


def kill_many(
    op: str, workdir: Path, rounds: int, prepare: Callable[[Path], dict[str, str]],
    check: Callable[[Path, dict[str, str]], str], seed: int = 16,
) -> KillReport:
    """`prepare(home)` makes a fresh home for one round (returns extra env); `check(home, env)` verifies the
    station starts with nothing lost after the kill and returns a short outcome label."""
    rng = random.Random(seed)
    report = KillReport(op)
    timings = []
    for n in range(2):  # the faster of two runs: the first one also warms the file cache
        calib = workdir / f"calibrate-{n}"
        calib.mkdir(parents=True)
        extra = prepare(calib)
        timings.append(run_once(op, calib, extra, None)[1])
        check(calib, extra)
    report.op_seconds = min(timings)
    span = report.op_seconds * 1.05 + 0.005
    for i in range(rounds):
        home = workdir / f"round-{i}"
        home.mkdir()
        extra = prepare(home)
        finished, _ = run_once(op, home, extra, rng.uniform(0, span))
        report.kills += 1
        report.finished_before_kill += finished
        label = check(home, extra)
        report.outcomes[label] = report.outcomes.get(label, 0) + 1
        shutil.rmtree(home, ignore_errors=True)
    return report


# Scenarios: each returns (prepare, check) for kill_many. The checks run in the test process.
HOUSEHOLDS = 40


def _station(home: Path) -> None:
    from station.services.station import initialize

    home.mkdir(parents=True, exist_ok=True)
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    ctx.close()


def _copy_station(src: Path, dst: Path) -> None:
    for p in src.iterdir():
        if p.is_file():
            shutil.copy2(p, dst / p.name)


def _assert_backups_complete(home: Path, key: bytes) -> int:
    """Every backup that looks complete (not a hidden .partial) opens, passes the check and is old-schema."""
    from station.db.engine import integrity_ok, sqlcipher_engine
    from station.db.migrate import current_revision

    n = 0
    for b in sorted((home / "backups").glob("station-*.db")) if (home / "backups").exists() else []:
        engine = sqlcipher_engine(b, key)
        try:
            assert integrity_ok(engine), b.name
            assert current_revision(engine) == "0001", b.name
        finally:
            engine.dispose()
        assert b.stat().st_mode & 0o077 == 0, b.name
        n += 1
    return n


def init_scenario(workdir: Path) -> tuple[Callable[[Path], dict[str, str]], Callable[[Path, dict[str, str]], str]]:
    from station.domain.recovery_code import normalize_recovery_code
    from station.security.keyring import RECOVERY_ENTRY, Keyring
    from station.services.station import initialize, is_set_up, sign_in

    def prepare(home: Path) -> dict[str, str]:
        return {"RECOVERY_OUT": str(home.parent / f"{home.name}.recovery")}

    def check(home: Path, extra: dict[str, str]) -> str:
        label = "set-up finished"
        if not is_set_up(home):  # the interrupted set-up must simply run again
            out = Path(extra["RECOVERY_OUT"])
            ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin",
                                   admin_passphrase=PASSPHRASE, home=home)
            ctx.close()
            out.write_text(code)
            label = "set-up run again"
        ctx = sign_in("admin", PASSPHRASE, home)
        try:
            from station.db.engine import integrity_ok

            assert integrity_ok(ctx.db.engine)
            if extra:
                code = Path(extra["RECOVERY_OUT"]).read_text()
                assert Keyring.load(home).unwrap(RECOVERY_ENTRY, normalize_recovery_code(code)) == ctx.db_key
        finally:
            ctx.close()
        return label

    return prepare, check


def account_scenario(workdir: Path) -> tuple[Callable[[Path], dict[str, str]], Callable[[Path, dict[str, str]], str]]:
    from station.domain.roles import Role
    from station.services.accounts import create_account, list_accounts
    from station.services.station import sign_in

    template = workdir / "template"
    _station(template)

    def prepare(home: Path) -> dict[str, str]:
        _copy_station(template, home)
        return {}

    def check(home: Path, extra: dict[str, str]) -> str:
        ctx = sign_in("admin", PASSPHRASE, home)
        try:
            names = {a.username for a in list_accounts(ctx)}
            label = "account created"
            if "clerk1" not in names:  # never created: the name must still be free
                create_account(ctx, "clerk1", Role.CLERK, CLERK_PASSPHRASE)
                label = "account absent, created again"
        finally:
            ctx.close()
        sign_in("clerk1", CLERK_PASSPHRASE, home).close()
        return label

    return prepare, check


def migrate_scenario(workdir: Path) -> tuple[Callable[[Path], dict[str, str]], Callable[[Path, dict[str, str]], str]]:
    from alembic import command
    from sqlalchemy import func, select

    from station.db.engine import DB_FILE, integrity_ok, sqlcipher_engine
    from station.db.migrate import _config, current_revision, head_revision
    from station.db.rows import HouseholdRow
    from station.services.registration import register_household
    from station.services.station import sign_in
    from tests.factories import family_of_five

    template = workdir / "template"
    _station(template)
    ctx = sign_in("admin", PASSPHRASE, template)
    with ctx.db.uow() as uow:
        for _ in range(HOUSEHOLDS):
            register_household(uow, ctx.actor, family_of_five())
    key = ctx.db_key
    assert key is not None
    ctx.close()
    engine = sqlcipher_engine(template / DB_FILE, key)
    cfg = _config()
    with engine.begin() as conn:  # back to the first released schema: the next start migrates
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    engine.dispose()

    def prepare(home: Path) -> dict[str, str]:
        _copy_station(template, home)
        return {}

    def check(home: Path, extra: dict[str, str]) -> str:
        ctx = sign_in("admin", PASSPHRASE, home)
        try:
            assert current_revision(ctx.db.engine) == head_revision()
            assert integrity_ok(ctx.db.engine)
            with ctx.db.reader() as uow:
                assert uow.session.scalar(select(func.count()).select_from(HouseholdRow)) == HOUSEHOLDS
        finally:
            ctx.close()
        n = _assert_backups_complete(home, key)
        return f"{n} complete backup(s)"

    return prepare, check


SCENARIOS = {"init": init_scenario, "account": account_scenario, "migrate": migrate_scenario}


if __name__ == "__main__":
    _child(sys.argv[1])

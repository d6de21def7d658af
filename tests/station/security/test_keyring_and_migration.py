"""The key file under parallel failures (issue 16), signing keys in it, and stations set up before signatures."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

from sqlalchemy import text

from station.db.engine import DB_FILE, sqlcipher_engine
from station.domain.roles import Role
from station.errors import StationError
from station.security import signing
from station.security.keyring import Keyring
from station.services import accounts, audit
from station.services.station import initialize, record_failed_signin_later, sign_in
from tests.conftest import PASSPHRASE
from tests.station.printing.print_helpers import add_household

CLERK_PW = "clerk passphrase 42"


def test_parallel_wrong_passphrases_all_count(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    ctx.close()
    n = 16
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            keyring = Keyring.load(home)
            barrier.wait()
            try:
                keyring.unwrap("admin", "wrong passphrase!")
            except StationError:
                keyring.record_failure("admin")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Keyring.load(home).failures("admin")[0] == n


def test_entries_carry_a_sealed_signing_key(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    ctx.close()
    raw = (home / "keyring.json").read_text()
    entry = json.loads(raw)["entries"]["admin"]
    keyring = Keyring.load(home)
    assert keyring.signing_key("admin") is None  # nothing in memory before an unwrap
    keyring.unwrap("admin", PASSPHRASE)
    sk = keyring.signing_key("admin")
    assert sk is not None and signing.public_of(sk) == entry["pub"]
    assert signing.b64(sk) not in raw
    keyring.forget()
    assert keyring.signing_key("admin") is None


def _make_legacy(home: Path) -> None:
    """What a station set up by the previous version looks like: no authority, no signing keys."""
    (home / "authority.json").unlink()
    data = json.loads((home / "keyring.json").read_text())
    for entry in data["entries"].values():
        for k in ("pub", "sk", "sk_nonce"):
            entry.pop(k, None)
    (home / "keyring.json").write_text(json.dumps(data))


def _problems(home: Path) -> list[tuple[str | None, object]]:
    admin = sign_in("admin", PASSPHRASE, home)
    try:
        with admin.db.reader() as uow:
            return [(r.problem, r.first_bad_event_id) for r in audit.verify(uow, admin.actor) if not r.ok]
    finally:
        admin.close()


def test_upgraded_station_signs_from_the_first_administrator_sign_in(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    accounts.create_account(ctx, "clerk", Role.SUPERVISOR, CLERK_PW)
    add_household(ctx, with_photo=False)
    ctx.close()
    _make_legacy(home)

    sup = sign_in("clerk", CLERK_PW, home)  # before any administrator: roles as before
    assert sup.actor.role == Role.SUPERVISOR
    sup.close()
    assert "pub" in json.loads((home / "keyring.json").read_text())["entries"]["clerk"]  # key made on sign-in
    assert not (home / "authority.json").exists()

    assert _problems(home) == []  # the administrator's sign-in made the authority and granted current roles
    assert (home / "authority.json").exists()
    sup = sign_in("clerk", CLERK_PW, home)  # binds its key to its grant ("claim")
    assert sup.actor.role == Role.SUPERVISOR
    add_household(sup, with_photo=False)
    sup.close()
    assert _problems(home) == []

    key = Keyring.load(home).unwrap("clerk", CLERK_PW)  # and now the old attack is seen
    with sqlcipher_engine(home / DB_FILE, key).begin() as conn:
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'clerk'"))
    assert ("role", "clerk") in _problems(home)
    assert sign_in("clerk", CLERK_PW, home).actor.role == Role.SUPERVISOR


def test_no_file_in_the_station_folder_is_readable_by_others(home: Path) -> None:
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    add_household(ctx)
    ctx.close()
    sign_in("admin", PASSPHRASE, home).close()
    (home / "failed-signins.log").write_text("")
    (home / "failed-signins.log").chmod(0o644)  # as the previous version left it
    try:
        sign_in("admin", "wrong passphrase!", home)
    except StationError:
        pass
    record_failed_signin_later(home, "someone")
    assert (home / "failed-signins.log").exists()
    loose = [str(p) for p in home.rglob("*") if p.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)]
    assert loose == []


def test_recovery_keeps_roles_and_signatures(home: Path) -> None:
    from station.services.recovery import recover, rotate_recovery_code

    ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    accounts.create_account(ctx, "clerk", Role.CLERK, CLERK_PW)
    ctx.close()
    rec = recover(code, "boss", "the new boss passphrase", home)  # a new administrator, granted by the sheet
    add_household(rec, with_photo=False)
    code2 = rotate_recovery_code(rec)
    rec.close()
    boss = sign_in("boss", "the new boss passphrase", home)
    assert boss.actor.role == Role.ADMINISTRATOR
    with boss.db.reader() as uow:
        assert [r for r in audit.verify(uow, boss.actor) if not r.ok] == []
    boss.close()
    assert sign_in("clerk", CLERK_PW, home).actor.role == Role.CLERK
    rec = recover(code2, "boss2", "another boss passphrase", home)  # the renewed sheet is an authority too
    assert rec.actor.role == Role.ADMINISTRATOR
    with rec.db.reader() as uow:
        assert [r for r in audit.verify(uow, rec.actor) if not r.ok] == []
    rec.close()
    assert sign_in("boss2", "another boss passphrase", home).actor.role == Role.ADMINISTRATOR


def test_recovery_on_an_upgraded_station_founds_a_new_authority(home: Path) -> None:
    from station.services.recovery import recover

    ctx, code = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                           home=home)
    accounts.create_account(ctx, "clerk", Role.CLERK, CLERK_PW)
    ctx.close()
    _make_legacy(home)
    sign_in("admin", PASSPHRASE, home).close()  # authority made, without the recovery key (code unknown)
    key = Keyring.load(home).unwrap("clerk", CLERK_PW)
    with sqlcipher_engine(home / DB_FILE, key).begin() as conn:  # promoted before the recovery
        conn.execute(text("UPDATE accounts SET role = 'administrator' WHERE username = 'clerk'"))
    rec = recover(code, "boss", "the new boss passphrase", home)
    assert rec.actor.role == Role.ADMINISTRATOR
    rec.close()
    boss = sign_in("boss", "the new boss passphrase", home)
    assert boss.actor.role == Role.ADMINISTRATOR
    with boss.db.reader() as uow:
        problems = [(r.problem, r.first_bad_event_id) for r in audit.verify(uow, boss.actor) if not r.ok]
    boss.close()
    assert problems == [("role", "clerk")]  # the old grant (clerk) carried over, the promotion still named
    assert sign_in("clerk", CLERK_PW, home).actor.role == Role.CLERK


def test_typed_names_never_stored_readable(home: Path) -> None:
    """A passphrase typed into the account field must not land in a file or the trail; a real account's
    failed sign-in still reaches the trail under its name."""
    ctx, _ = initialize(site_code="MKH", station_number=2, admin_username="admin", admin_passphrase=PASSPHRASE,
                        home=home)
    ctx.close()
    typo = "mysecretpassphrase7"
    for name in (typo, "admin"):
        try:
            sign_in(name, "wrong passphrase!", home)
        except StationError:
            pass
    for path in home.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".log"):
            assert typo not in path.read_text(errors="replace"), path.name
    assert Keyring.load(home).failures(typo)[0] == 1 and Keyring.load(home).failures("admin")[0] == 1
    ctx = sign_in("admin", PASSPHRASE, home)
    try:
        with ctx.db.reader() as uow:
            page = audit.browse(uow, ctx.actor, audit.AuditFilter(action="signin.failed"))
            failed = sorted(e.actor for e in page.events)
            trail = json.dumps([[e.actor, e.entity_id, e.details] for e in page.events])
    finally:
        ctx.close()
    assert failed == ["?", "admin"] and typo not in trail

"""The key file under parallel failures (issue 16), signing keys in it, and stations set up before signatures."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text

from station.db.engine import DB_FILE, sqlcipher_engine
from station.domain.recovery_code import normalize_recovery_code
from station.domain.roles import Role
from station.errors import StationError
from station.security import sealed, signing
from station.security.kdf import KdfParams, derive_key
from station.security.keyring import RECOVERY_ENTRY, Keyring
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
    keyring = Keyring.load(home)
    assert keyring.signing_key("admin") is None  # nothing in memory before an unwrap
    keyring.unwrap("admin", PASSPHRASE)
    sk = keyring.signing_key("admin")
    assert sk is not None and signing.public_of(sk) in [e["pub"] for e in json.loads(raw)["entries"]]
    assert signing.b64(sk) not in raw
    keyring.forget()
    assert keyring.signing_key("admin") is None


def _make_legacy(home: Path, secrets: dict[str, str]) -> None:
    """What a station set up by an older version looks like: no authority, no signing keys, a key file of
    format 1 (entries under their names, each with its own key derivation)."""
    station_id = json.loads((home / "keyring.json").read_text())["station_id"]
    db_key = Keyring.load(home).unwrap("admin", PASSPHRASE)
    sealed.forget(home)
    (home / "authority.json").unlink()
    (home / "trail-heads.json").unlink(missing_ok=True)
    entries = {}
    for name, secret in secrets.items():
        params = KdfParams.fresh()
        nonce = os.urandom(12)
        wrapped = AESGCM(derive_key(secret, params)).encrypt(nonce, db_key, f"{station_id}\x00{name}".encode())
        entries[name] = {"kdf": params.to_dict(), "nonce": signing.b64(nonce), "wrapped": signing.b64(wrapped)}
    (home / "keyring.json").write_text(json.dumps({"format": 1, "station_id": station_id, "entries": entries,
                                                   "failures": {}}))


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
    _make_legacy(home, {"admin": PASSPHRASE, "clerk": CLERK_PW})
    assert "clerk" in (home / "keyring.json").read_text()

    sup = sign_in("clerk", CLERK_PW, home)  # before any administrator: roles as before
    assert sup.actor.role == Role.SUPERVISOR
    sup.close()
    raw = (home / "keyring.json").read_text()
    assert "clerk" not in raw and "admin" in raw  # the clerk's entry moved to the nameless form, with a key
    assert len([e for e in json.loads(raw)["entries"] if e.get("pub")]) == 1
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
    _make_legacy(home, {"admin": PASSPHRASE, "clerk": CLERK_PW, RECOVERY_ENTRY: normalize_recovery_code(code)})
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
    ring = Keyring.load(home)  # counted per bucket, not per name (the counters name nobody)
    assert ring.failures(typo)[0] + ring.failures("admin")[0] == (2 if ring._bucket(typo) != ring._bucket("admin")
                                                                  else 4)
    ctx = sign_in("admin", PASSPHRASE, home)
    try:
        with ctx.db.reader() as uow:
            page = audit.browse(uow, ctx.actor, audit.AuditFilter(action="signin.failed"))
            failed = sorted(e.actor for e in page.events)
            trail = json.dumps([[e.actor, e.entity_id, e.details] for e in page.events])
    finally:
        ctx.close()
    assert failed == ["?", "admin"] and typo not in trail

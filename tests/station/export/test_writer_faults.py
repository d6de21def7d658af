"""Writing to a stick that fills up, vanishes or lies: nothing that looks complete, nothing recorded, retry works."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from station.db.rows import AuditEventRow
from station.errors import StationError
from station.export import writer
from station.export.collect import Item
from station.services import export as ex
from station.services.station import StationContext

from .conftest import OfficeKeys
from .test_merge import add_household

REPO = Path(__file__).resolve().parents[3]


def _items(n: int, blob: int = 50_000) -> Iterator[Item]:
    for i in range(n):
        yield "portraits", {"individual_id": str(i)}, bytes([i % 251]) * blob


def _exports_recorded(st: StationContext) -> int:
    with st.db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(AuditEventRow)
                                      .where(AuditEventRow.action == "export.pack")) or 0)


def _packs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_folder_vanishing_mid_write(office_keys: OfficeKeys, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()

    def pulled() -> Iterator[Item]:
        for n, item in enumerate(_items(40)):
            if n == 20:
                shutil.rmtree(stick)  # the stick is pulled out
            yield item

    with pytest.raises(StationError) as err:
        writer.write_pack(stick, "MKH-02_2026-11-25_1800", office_keys.private.public_key(),
                          {"pack_id": str(uuid.uuid4()), "station": "MKH-02"}, pulled())
    assert err.value.code == "export.error.device_gone"
    assert not stick.exists()


def test_missing_folder_is_reported(office_keys: OfficeKeys, tmp_path: Path) -> None:
    with pytest.raises(StationError) as err:
        writer.write_pack(tmp_path / "nope", "x", office_keys.private.public_key(),
                          {"pack_id": "p", "station": "S"}, _items(1))
    assert err.value.code == "export.error.device_gone"


def test_file_size_limit_acts_as_full_device(tmp_path: Path, office_keys: OfficeKeys) -> None:
    """RLIMIT_FSIZE in a child process: the write fails part-way with EFBIG, like a full stick."""
    (tmp_path / "pub.pem").write_bytes(office_keys.public_pem)
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        sys.path.insert(0, {str(REPO)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from station.errors import StationError
        from station.export import writer
        from station.export.crypto import load_public_key
        pub = load_public_key(Path({str(tmp_path / "pub.pem")!r}).read_bytes())
        items = (("portraits", {{"individual_id": str(i)}}, bytes([i]) * 50_000) for i in range(60))
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))
        try:
            writer.write_pack(Path({str(tmp_path / "out")!r}), "pack", pub, {{"pack_id": "p", "station": "S"}}, items)
        except StationError as exc:
            print(exc.code)
    """)
    (tmp_path / "out").mkdir()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "export.error.device_full", out.stderr
    assert _packs(tmp_path / "out") == []


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "usb"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)], capture_output=True)
    if res.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); RLIMIT_FSIZE test covers a full device")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_full_stick_then_retry_on_another(make_station, tiny_tmpfs: Path, tmp_path: Path) -> None:
    from station.services.photos import save_portrait

    from .conftest import jpeg

    st = make_station("MKH", 3)
    for seed in range(8):
        hid = add_household(st, seed, photos=False)
        with st.db.uow() as uow:
            from station.db.rows import HouseholdRow

            for i, m in enumerate(uow.session.get(HouseholdRow, hid).members):
                save_portrait(uow, st.actor, m.id, jpeg(seed * 10 + i, 200, 260))
    before = ex.last_export(st.db)
    with pytest.raises(StationError) as err:
        ex.export_pack(st.db, st.actor, tiny_tmpfs)
    assert err.value.code == "export.error.device_full"
    assert _packs(tiny_tmpfs) == []  # nothing that looks complete (and no hidden leftovers either)
    assert ex.last_export(st.db) == before and _exports_recorded(st) == 0
    good = tmp_path / "other-stick"
    good.mkdir()
    result = ex.export_pack(st.db, st.actor, good)  # the clerk retries on another stick
    assert result.verified and result.households == 8 and result.portraits == 40
    assert _exports_recorded(st) == 1


def test_bad_read_back_is_not_recorded(make_station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    st = make_station("MKH", 3)
    add_household(st, 1)
    real = writer.verify_with_key

    def flaky_stick(path: Path, key: bytes) -> object:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x04  # the stick returns one wrong bit
        path.write_bytes(bytes(data))
        return real(path, key)

    monkeypatch.setattr(writer, "verify_with_key", flaky_stick)
    with pytest.raises(StationError) as err:
        ex.export_pack(st.db, st.actor, tmp_path)
    assert err.value.code == "export.error.verify_failed"
    assert not any(p.suffix == ".rspack" for p in tmp_path.iterdir())
    assert _exports_recorded(st) == 0 and ex.last_export(st.db)[0] == 0


def test_retry_in_the_same_minute_beside_leftover_partials(office_keys: OfficeKeys, tmp_path: Path) -> None:
    """A killed export or a pulled stick left `.partial` files; a retry in the same minute must work
    (it failed with a TypeError: fixed temporary name, then the `code=` keyword clash)."""
    import os

    stick = tmp_path / "stick"
    stick.mkdir()
    stem = "MKH-02_2026-11-25_1800"
    old_style = stick / f".{stem}{writer.PACK_SUFFIX}.partial"
    old_style.write_bytes(b"half a pack")
    stale = stick / f".{stem}{writer.PACK_SUFFIX}.0badc0de.partial"
    stale.write_bytes(b"x" * 1000)
    os.utime(stale, (1, 1))  # long untouched: no export is still writing it
    pub = office_keys.private.public_key()
    first = writer.write_pack(stick, stem, pub, {"pack_id": str(uuid.uuid4()), "station": "MKH-02"}, _items(3))
    second = writer.write_pack(stick, stem, pub, {"pack_id": str(uuid.uuid4()), "station": "MKH-02"}, _items(3))
    assert first.verified and second.verified
    assert (first.path.name, second.path.name) == (f"{stem}.rspack", f"{stem}-2.rspack")
    assert not stale.exists()
    assert [p.name for p in stick.iterdir() if p.name.endswith(".partial")] == [old_style.name] or \
        not old_style.exists()


def test_unexpected_write_error_names_its_errno() -> None:
    import errno

    err = writer.write_error(OSError(errno.EMFILE, "Too many open files"))
    assert err.code == "export.error.write_failed" and err.params == {"code": "EMFILE"}
    assert "EMFILE" in err.message()

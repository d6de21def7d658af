"""Recovery with the printed code; issuing a new code; the recovery sheet PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from station.domain.roles import Role
from station.errors import StationError
from station.printing.recovery_sheet import render_recovery_sheet
from station.security.keyring import RECOVERY_ENTRY, Keyring
from station.services import accounts, audit
from station.services import station as st
from station.services.recovery import recover, rotate_recovery_code
from tests.conftest import PASSPHRASE

NEW = "recovered admin passphrase"


def _setup(home: Path) -> str:
    ctx, code = st.initialize(site_code="MKH", station_number=2, admin_username="admin",
                              admin_passphrase=PASSPHRASE, home=home)
    accounts.create_account(ctx, "sara", Role.CLERK, "sara passphrase 1")
    ctx.close()
    return code


def test_recover_with_sloppy_typing_resets_the_admin(home: Path) -> None:
    code = _setup(home)
    typed = code.lower().replace("-", " ")
    ctx = recover(typed, "admin", NEW, home)
    try:
        assert ctx.actor.role is Role.ADMINISTRATOR and ctx.db_key is not None
        with ctx.db.reader() as uow:
            page = audit.browse(uow, ctx.actor, audit.AuditFilter(action="recovery.used"))
            assert page.total == 1 and page.events[0].details["created"] is False
            assert all(r.ok for r in audit.verify_all(uow))
    finally:
        ctx.close()
    with pytest.raises(StationError):
        st.sign_in("admin", PASSPHRASE, home)  # the lost passphrase is replaced
    st.sign_in("admin", NEW, home).close()
    st.sign_in("sara", "sara passphrase 1", home).close()  # other accounts are untouched


def test_recover_can_promote_or_create_an_account(home: Path) -> None:
    code = _setup(home)
    recover(code, "sara", NEW, home).close()
    assert st.sign_in("sara", NEW, home).actor.role is Role.ADMINISTRATOR
    recover(code, "newboss", NEW + "!", home).close()
    ctx = st.sign_in("newboss", NEW + "!", home)
    try:
        assert ctx.actor.role is Role.ADMINISTRATOR
    finally:
        ctx.close()


def test_wrong_code_is_refused_and_throttled(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _setup(home)
    monkeypatch.setattr(st.time, "sleep", lambda s: None)
    for _ in range(st.LOCK_AFTER):
        with pytest.raises(StationError) as err:
            recover("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GG", "admin", NEW, home)
        assert err.value.code == "accounts.error.recovery_code_wrong"
    assert Keyring.load(home).failures(RECOVERY_ENTRY)[0] == st.LOCK_AFTER
    with pytest.raises(StationError) as err:
        recover("AAAAA", "admin", NEW, home)
    assert err.value.code == "error.account_locked"


def test_rotate_recovery_code(home: Path) -> None:
    old = _setup(home)
    ctx = st.sign_in("admin", PASSPHRASE, home)
    try:
        new = rotate_recovery_code(ctx)
    finally:
        ctx.close()
    assert new != old and len(st.normalize_recovery_code(new)) == 32
    with pytest.raises(StationError):
        recover(old, "admin", NEW, home)
    recover(new, "admin", NEW, home).close()


def test_recovery_sheet_pdf(tmp_path: Path) -> None:
    code = st.format_recovery_code(bytes(range(20)))
    out = tmp_path / "recovery.pdf"
    render_recovery_sheet(code, "MKH-02", out, made_on=date(2026, 11, 25))
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and oct(out.stat().st_mode & 0o777) == "0o600"
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    txt = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert "KEEP LOCKED AWAY" in txt and "MKH-02" in txt and "2026-11-25" in txt
    groups = code.split("-")
    assert all(g in txt for g in groups)
    typed_back = "".join(g for g in txt.split() if g in groups)
    assert st.normalize_recovery_code(typed_back) == st.normalize_recovery_code(code)
    assert txt.count("\f") == 1  # one page in English


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_recovery_sheet_in_the_station_language_follows_the_english_page(tmp_path: Path, lang: str) -> None:
    code = st.format_recovery_code(bytes(range(20, 40)))
    out = tmp_path / "recovery.pdf"
    render_recovery_sheet(code, "MKH-02", out, made_on=date(2026, 11, 25), lang=lang)
    pages = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    english, local = pages[0], pages[1]
    assert len([p for p in pages if p.strip()]) == 2
    assert "KEEP LOCKED AWAY" in english and "KEEP LOCKED AWAY" not in local
    for page in (english, local):  # the code, left to right, on both pages
        assert st.normalize_recovery_code("".join(g for g in page.split() if g in code.split("-"))) == \
            st.normalize_recovery_code(code)
    # The instructions hang from the right margin on the local page, from the left on the English one.
    from tests.station.printing.print_helpers import rasterise

    for page, rtl in ((1, False), (2, True)):
        grey = rasterise(out, 50, page=page, tmp=tmp_path)  # 20 mm margins = 39 px at 50 dpi
        h, w = grey.shape
        rows = [np.flatnonzero(r) for r in grey[int(h * 0.45): int(h * 0.78)] < 128 if r.any()]
        at_left = np.mean([r[0] <= 43 for r in rows])
        at_right = np.mean([r[-1] >= w - 46 for r in rows])
        flush, ragged = (at_right, at_left) if rtl else (at_left, at_right)
        assert flush > 0.4 and ragged < 0.1, (page, at_left, at_right)

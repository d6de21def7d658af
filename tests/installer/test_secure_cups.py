"""The print system is set to keep no copy of printed jobs where the station is installed (issue 15).

`spool.secure_spooler()` can change the scheduler's settings only as root; a clerk runs the station as a normal
user. So the .deb's postinst (root) and start.sh (through sudo) run installer/linux/secure-cups.sh, tried here
against stand-ins for cupsctl, id and sudo that record what they were asked.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "linux" / "secure-cups.sh"


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def _run(tmp_path: Path, settings: str, *, uid: int, cupsctl_ok: bool = True) -> tuple[int, list[str], str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls.log"
    log.write_text("")
    (tmp_path / "settings").write_text(settings)
    _stub(bin_dir, "cupsctl", f"""echo "cupsctl $*" >> {log}
if [ $# -eq 0 ]; then {'cat ' + str(tmp_path / 'settings') if cupsctl_ok else 'exit 1'}; fi
""")
    _stub(bin_dir, "sudo", f'echo "sudo $*" >> {log}\nexec "$@"\n')
    _stub(bin_dir, "id", f"echo {uid}\n")
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    proc = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)
    return proc.returncode, [line.strip() for line in log.read_text().splitlines() if line], proc.stderr


KEEPS = "_debug_logging=0\nErrorPolicy=retry-job\nPreserveJobFiles=Yes\nPreserveJobHistory=Yes\n"
KEEPS_DEFAULT = "_debug_logging=0\nErrorPolicy=retry-job\n"  # absent: CUPS' default keeps them a day
CLEAN = "_debug_logging=0\nPreserveJobFiles=No\nPreserveJobHistory=No\n"


def test_root_switches_copies_off(tmp_path: Path) -> None:
    code, calls, _ = _run(tmp_path, KEEPS, uid=0)
    assert code == 0 and calls == ["cupsctl", "cupsctl PreserveJobFiles=No PreserveJobHistory=No"]


def test_a_normal_user_goes_through_sudo_also_for_the_default(tmp_path: Path) -> None:
    code, calls, _ = _run(tmp_path, KEEPS_DEFAULT, uid=1000)
    assert code == 0
    assert calls == ["cupsctl", "sudo cupsctl PreserveJobFiles=No PreserveJobHistory=No",
                     "cupsctl PreserveJobFiles=No PreserveJobHistory=No"]


def test_nothing_asked_once_set_or_without_a_scheduler(tmp_path: Path) -> None:
    assert _run(tmp_path, CLEAN, uid=1000)[:2] == (0, ["cupsctl"])
    assert _run(tmp_path, KEEPS, uid=1000, cupsctl_ok=False)[:2] == (0, ["cupsctl"])


def test_the_deb_and_start_sh_run_it() -> None:
    build = (ROOT / "installer" / "build-linux.sh").read_text()
    assert 'installer/linux/secure-cups.sh "$PKG/DEBIAN/postinst"' in build
    start = [line.split("#")[0].strip() for line in (ROOT / "start.sh").read_text().splitlines()]
    assert "sh installer/linux/secure-cups.sh" in start
    first_exec = next(i for i, s in enumerate(start) if s.startswith("exec"))
    assert start.index("sh installer/linux/secure-cups.sh") < first_exec
    assert os.access(SCRIPT, os.X_OK)

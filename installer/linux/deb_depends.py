"""Print the .deb's Depends line: Debian packages that hold the shared libraries a bundle needs but lacks.

What dpkg-shlibdeps does for a normal package, for a PyInstaller folder (which dpkg-shlibdeps refuses: the
bundled libraries belong to no package). Every ELF file's NEEDED entries (readelf) that no file in the bundle
provides are looked up with `ldconfig -p` and `dpkg -S`; libc6 gets the build machine's version as minimum.

    python installer/linux/deb_depends.py BUNDLE_DIR
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# Loaded at run time with dlopen, not through NEEDED: the OpenGL/EGL drivers Qt's xcb plugin asks for.
ALWAYS = ("libegl1", "libgl1", "libfontconfig1", "libxkbcommon-x11-0")


def _elf_files(root: Path) -> list[Path]:
    out = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    out.append(path)
    return out


def _needed(path: Path) -> set[str]:
    text = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", text))


def _system_paths() -> dict[str, str]:
    text = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    paths: dict[str, str] = {}
    for m in re.finditer(r"^\s*(\S+) \(libc6,x86-64[^)]*\) => (\S+)$", text, re.M):
        paths.setdefault(m.group(1), m.group(2))
    for m in re.finditer(r"^\s*(\S+) \([^)]*\) => (\S+)$", text, re.M):
        paths.setdefault(m.group(1), m.group(2))
    return paths


def _package(path: str) -> str | None:
    for candidate in (path, str(Path(path).resolve())):
        out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.split(":", 1)[0].strip()
    return None


def depends(bundle: Path) -> list[str]:
    files = _elf_files(bundle)
    provided = {p.name for p in bundle.rglob("*.so*")}
    needed = set().union(*(_needed(f) for f in files)) - provided
    system = _system_paths()
    packages = set(ALWAYS)
    for soname in sorted(needed):
        path = system.get(soname)
        package = _package(path) if path else None
        if package is None:
            raise SystemExit(f"deb_depends: no Debian package provides {soname}")
        packages.add(package)
    libc = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libc6"], capture_output=True, text=True,
                          check=True).stdout.split("-")[0]
    packages.discard("libc6")
    return [f"libc6 (>= {libc})", *sorted(packages)]


if __name__ == "__main__":
    print(", ".join(depends(Path(sys.argv[1]))))

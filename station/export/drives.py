"""Removable drives (USB sticks) by name and free space: Linux via /proc/mounts + sysfs, Windows via kernel32."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DRIVE_REMOVABLE = 2
_SKIP_FS = {"proc", "sysfs", "tmpfs", "devtmpfs", "cgroup", "cgroup2", "overlay", "squashfs", "autofs"}


@dataclass(frozen=True)
class Drive:
    mount: Path
    label: str
    free: int
    size: int


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit in ("B", "KB") else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def removable_drives() -> list[Drive]:
    """Mounted removable drives, largest free space first. Never raises: no drives is an empty list."""
    try:
        if os.name == "nt":
            import ctypes

            return windows_drives(ctypes.windll.kernel32)  # type: ignore[attr-defined]
        return linux_drives()
    except OSError:
        return []


# ---- Linux -----------------------------------------------------------------------------------------

def _unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _parent_disk(dev: str, sys_class_block: Path) -> str:
    """'sdb1' -> 'sdb', 'mmcblk0p1' -> 'mmcblk0' (via sysfs when present, else by name)."""
    node = sys_class_block / dev
    if (node / "partition").exists():
        return node.resolve().parent.name
    return dev


def _labels(by_label: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if by_label.is_dir():
        for link in by_label.iterdir():
            try:
                out[link.resolve().name] = _unescape(link.name.replace("\\x20", " "))
            except OSError:
                continue
    return out


def linux_drives(root: Path = Path("/")) -> list[Drive]:
    mounts = (root / "proc/mounts").read_text(encoding="utf-8", errors="replace")
    sys_block, sys_class_block = root / "sys/block", root / "sys/class/block"
    labels = _labels(root / "dev/disk/by-label")
    drives: list[Drive] = []
    seen: set[str] = set()
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3 or not fields[0].startswith("/dev/") or fields[2] in _SKIP_FS:
            continue
        dev = fields[0].rsplit("/", 1)[-1]
        disk = _parent_disk(dev, sys_class_block)
        try:
            removable = (sys_block / disk / "removable").read_text().strip() == "1"
        except OSError:
            removable = False
        hotplug = "/usb" in str((sys_block / disk).resolve()) if (sys_block / disk).exists() else False
        if not (removable or hotplug):
            continue
        mount = Path(_unescape(fields[1]))
        if str(mount) in seen:
            continue
        seen.add(str(mount))
        try:
            usage = shutil.disk_usage(mount if root == Path("/") else root / str(mount).lstrip("/"))
        except OSError:
            continue
        drives.append(Drive(mount, labels.get(dev) or mount.name or dev, usage.free, usage.total))
    return sorted(drives, key=lambda d: -d.free)


# ---- Windows ---------------------------------------------------------------------------------------

def windows_drives(kernel32: Any) -> list[Drive]:
    """Removable drive letters through kernel32 (passed in, so tests can hand in a fake)."""
    import ctypes

    mask = kernel32.GetLogicalDrives()
    drives: list[Drive] = []
    for i in range(26):
        if not mask & (1 << i):
            continue
        root = f"{chr(65 + i)}:\\"
        if kernel32.GetDriveTypeW(root) != DRIVE_REMOVABLE:
            continue
        free, total = ctypes.c_ulonglong(0), ctypes.c_ulonglong(0)
        if not kernel32.GetDiskFreeSpaceExW(root, ctypes.byref(free), ctypes.byref(total), None):
            continue  # a card reader with no card in it
        name = ctypes.create_unicode_buffer(261)
        kernel32.GetVolumeInformationW(root, name, 261, None, None, None, None, 0)
        drives.append(Drive(Path(root), name.value or root, int(free.value), int(total.value)))
    return sorted(drives, key=lambda d: -d.free)

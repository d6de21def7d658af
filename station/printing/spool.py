"""Hand PDFs to the operating system's print system (CUPS: lp, lpstat, ipptool) and watch the job.

A job counts as accepted when the scheduler took it for an enabled, accepting queue and it did not fail
within a short watch (`wait_seconds`): a missing, paused or refusing printer raises a StationError
*before* anything is sent, so the caller keeps the job and can retry. The PDF goes through stdin: no
temporary file with names or portraits is left on disk. Messages are parsed under LC_ALL=C.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

from station.errors import StationError

_ENV = {**os.environ, "LC_ALL": "C", "LANG": "C"}
_JOB_ID = re.compile(r"request id is (\S+)-(\d+)")
_TIMEOUT = 15.0
_IPP_TEST = """{
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id $job_id
  ATTR name requesting-user-name $user
  ATTR keyword requested-attributes job-state,job-state-reasons
  DISPLAY job-state
  DISPLAY job-state-reasons
}
"""
FAILED_STATES = frozenset({"canceled", "aborted"})


@dataclass(frozen=True)
class PrinterInfo:
    name: str
    enabled: bool  # False: paused (cupsdisable) or stopped after an error
    accepting: bool  # False: refuses new jobs (cupsreject)
    is_default: bool

    @property
    def ready(self) -> bool:
        return self.enabled and self.accepting


@dataclass(frozen=True)
class SpoolResult:
    printer: str
    job_ref: str  # e.g. "StationPDF-12"
    state: str  # last state seen: pending | processing | completed | held | ...


def _run(args: list[str], data: bytes | None = None, timeout: float = _TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, input=data, capture_output=True, env=_ENV, timeout=timeout, check=False)
    except FileNotFoundError:
        raise StationError("printing.error.no_scheduler") from None
    except subprocess.TimeoutExpired:
        raise StationError("printing.error.job_timeout") from None


def available() -> bool:
    """True if the CUPS client tools are installed."""
    return shutil.which("lp") is not None and shutil.which("lpstat") is not None


def scheduler_running() -> bool:
    if not available():
        return False
    out = _run(["lpstat", "-r"]).stdout.decode(errors="replace")
    return "scheduler is running" in out


def list_printers() -> list[PrinterInfo]:
    """Every queue with its state; empty when no scheduler answers."""
    if not scheduler_running():
        return []
    states = _run(["lpstat", "-p"]).stdout.decode(errors="replace")
    accepts = _run(["lpstat", "-a"]).stdout.decode(errors="replace")
    default = _run(["lpstat", "-d"]).stdout.decode(errors="replace")
    default_name = default.split(":", 1)[1].strip() if "system default destination:" in default else ""
    accepting = {line.split()[0]: "not accepting" not in line for line in accepts.splitlines() if line.strip()}
    out: list[PrinterInfo] = []
    for line in states.splitlines():
        m = re.match(r"printer (\S+) (.*)", line)
        if not m:
            continue
        name, rest = m.group(1), m.group(2)
        out.append(PrinterInfo(name, "disabled" not in rest, accepting.get(name, False), name == default_name))
    return out


def printer_status(name: str) -> PrinterInfo | None:
    for p in list_printers():
        if p.name == name:
            return p
    return None


def media_option(page_mm: tuple[float, float]) -> str:
    w, h = page_mm
    if (round(w, 1), round(h, 1)) == (210.0, 297.0):
        return "A4"
    return f"Custom.{w:g}x{h:g}mm"


def check_printer(printer: str) -> PrinterInfo:
    """Raise the matching StationError unless `printer` can take a job right now."""
    if not scheduler_running():
        raise StationError("printing.error.no_scheduler")
    info = printer_status(printer)
    if info is None:
        raise StationError("printing.error.printer_missing", printer=printer)
    if not info.ready:
        raise StationError("printing.error.printer_paused", printer=printer)
    return info


def submit(pdf: bytes, printer: str, title: str, page_mm: tuple[float, float], copies: int = 1) -> str:
    """Queue the PDF; returns the job reference ("QUEUE-N"). Raises before sending if the queue is not ready."""
    check_printer(printer)
    args = ["lp", "-d", printer, "-t", title, "-n", str(max(1, copies)), "-o", f"media={media_option(page_mm)}",
            "-o", "fit-to-page=false"]
    proc = _run(args, data=pdf)
    text = (proc.stdout + proc.stderr).decode(errors="replace").strip()
    m = _JOB_ID.search(text)
    if proc.returncode != 0 or not m:
        raise StationError("printing.error.spooler_rejected", detail=text[:200] or f"exit {proc.returncode}")
    return f"{m.group(1)}-{m.group(2)}"


def job_state(job_ref: str) -> str:
    """pending | held | processing | stopped | canceled | aborted | completed | unknown."""
    queue, _, number = job_ref.rpartition("-")
    if shutil.which("ipptool"):
        with tempfile.NamedTemporaryFile("w", suffix=".test", delete=False) as fh:
            fh.write(_IPP_TEST)
            test = fh.name
        try:
            proc = _run(["ipptool", "-c", "-d", f"job_id={number}", "-d", f"user={_user()}",
                         f"ipp://localhost/printers/{queue}", test])
        finally:
            os.unlink(test)
        lines = proc.stdout.decode(errors="replace").splitlines()
        if proc.returncode == 0 and len(lines) >= 2:
            return lines[1].split(",")[0].strip() or "unknown"
    pending = _run(["lpstat", "-W", "not-completed", "-o", queue]).stdout.decode(errors="replace")
    if any(line.split()[:1] == [job_ref] for line in pending.splitlines()):
        return "pending"
    done = _run(["lpstat", "-W", "completed", "-o", queue]).stdout.decode(errors="replace")
    if any(line.split()[:1] == [job_ref] for line in done.splitlines()):
        return "completed"
    return "unknown"


def _user() -> str:
    try:
        import getpass

        return getpass.getuser()
    except (OSError, KeyError):  # pragma: no cover
        return "station"


def watch(job_ref: str, printer: str, wait_seconds: float) -> str:
    """Watch a queued job for up to `wait_seconds`; raise if it fails or its printer stops meanwhile."""
    deadline = time.monotonic() + max(0.0, wait_seconds)
    state = job_state(job_ref)
    while True:
        if state in FAILED_STATES:
            raise StationError("printing.error.job_failed", detail=state)
        if state == "completed":
            return state
        info = printer_status(printer)
        if info is not None and not info.enabled:
            raise StationError("printing.error.printer_paused", printer=printer)
        if time.monotonic() >= deadline:
            return state
        time.sleep(0.25)
        state = job_state(job_ref)


def cancel(job_ref: str) -> None:
    """Withdraw a job that failed, so a retry does not print it twice when the printer comes back."""
    _run(["cancel", job_ref])


def send(pdf: bytes, printer: str, title: str, page_mm: tuple[float, float], *, wait_seconds: float = 20.0,
         copies: int = 1) -> SpoolResult:
    """Submit and watch; on failure the job is cancelled and a StationError raised (the caller retries)."""
    job_ref = submit(pdf, printer, title, page_mm, copies)
    try:
        state = watch(job_ref, printer, wait_seconds)
    except StationError:
        cancel(job_ref)
        raise
    return SpoolResult(printer, job_ref, state)

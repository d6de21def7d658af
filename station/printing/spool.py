"""Hand PDFs to the operating system's print system (CUPS: lp, lpstat, ipptool) and watch the job.

A job counts as accepted when the scheduler took it for an enabled, accepting queue and it did not fail
within a short watch (`wait_seconds`): a missing, paused or refusing printer raises a StationError
*before* anything is sent, so the caller keeps the job and can retry. The PDF goes through stdin, so the
station itself writes no temporary file; the scheduler, though, stores each job's document in its spool
folder (`/var/spool/cups/dNNNNN-001`, the whole card with names and portrait) and by default keeps it
for a day after printing. `secure_spooler()` sets the scheduler to keep no job files and no job history
(`cupsctl PreserveJobFiles=No PreserveJobHistory=No`, where this process may) and purges finished jobs a
misconfigured scheduler kept; `send()` does both after each job and `spool_status()` says, for
`station doctor`, whether copies are kept. Messages are parsed under LC_ALL=C.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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
    """pending | held | processing | stopped | canceled | aborted | completed | gone (forgotten) | unknown."""
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
    # Neither waiting nor in the history: a scheduler that keeps no history (PreserveJobHistory No, as
    # secure_spooler() sets) forgets a job as soon as it is done.
    return "gone"


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
        if state == "gone":  # left the queue without a failure seen while we watched
            return "completed"
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
    secure_spooler()
    job_ref = submit(pdf, printer, title, page_mm, copies)
    try:
        state = watch(job_ref, printer, wait_seconds)
    except StationError:
        cancel(job_ref)
        raise
    if state == "completed":
        purge_finished_jobs(printer)
    return SpoolResult(printer, job_ref, state)


# What the scheduler keeps after a job. Defaults (CUPS 2.4): job files kept a day, job history forever.
NO_COPIES = {"PreserveJobFiles": "No", "PreserveJobHistory": "No"}
_CUPSD_CONF = Path("/etc/cups/cupsd.conf")
_CUPS_FILES_CONF = Path("/etc/cups/cups-files.conf")
_JOB_FILE = re.compile(r"^[cd]\d{5,}(-\d+)?$")


@dataclass(frozen=True)
class SpoolStatus:
    """What the local print system keeps on disk (for `station doctor`)."""

    present: bool  # CUPS client tools installed and the scheduler answers
    keeps_copies: bool | None  # True: job files or history kept after printing; None: could not read the settings
    kept_files: int | None  # job files lying in the spool folder now; None: this account may not look
    settings: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.present or (self.keeps_copies is False and not self.kept_files)


def scheduler_settings() -> dict[str, str] | None:
    """The scheduler's settings (`cupsctl`, else cupsd.conf when readable); None if neither can be read."""
    if shutil.which("cupsctl"):
        proc = _run(["cupsctl"])
        if proc.returncode == 0 and proc.stdout.strip():
            return dict(line.partition("=")[::2] for line in proc.stdout.decode(errors="replace").splitlines()
                        if "=" in line)
    try:
        text = _CUPSD_CONF.read_text(errors="replace")
    except OSError:
        return None
    out: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2 and not parts[0].startswith(("#", "<")):
            out[parts[0]] = parts[1].strip()
    return out


def keeps_copies(settings: dict[str, str]) -> bool:
    """True unless both job files and job history are switched off (absent means CUPS' keeping default)."""
    return any(settings.get(name, "").strip().lower() not in ("no", "false", "off", "0") for name in NO_COPIES)


def spool_folder() -> Path:
    """CUPS' RequestRoot (where job documents are stored)."""
    try:
        for line in _CUPS_FILES_CONF.read_text(errors="replace").splitlines():
            parts = line.split(None, 1)
            if len(parts) == 2 and parts[0] == "RequestRoot":
                return Path(parts[1].strip())
    except OSError:
        pass
    return Path("/var/spool/cups")


def _active_jobs() -> set[int]:
    """Numbers of the jobs still waiting or printing (their files are needed until they are done)."""
    if not scheduler_running():
        return set()
    out = _run(["lpstat", "-W", "not-completed", "-o"]).stdout.decode(errors="replace")
    return {int(m.group(1)) for line in out.splitlines() if (m := re.match(r"\S+-(\d+)\s", line))}


def kept_job_files(folder: Path | None = None) -> list[Path] | None:
    """Files of finished jobs left in the spool folder: documents (dNNNNN-NNN) and control files (cNNNNN);
    jobs still waiting or printing are not counted. None if this account may not list the folder."""
    folder = folder or spool_folder()
    try:
        files = sorted(p for p in folder.iterdir() if _JOB_FILE.match(p.name) and p.is_file())
    except FileNotFoundError:
        return []
    except OSError:
        return None
    active = _active_jobs() if files else set()
    return [p for p in files if int(p.name[1:].partition("-")[0]) not in active]


def configure_no_copies() -> bool:
    """Tell the running scheduler to keep no job files and no history; True if it now says so."""
    if not scheduler_running() or not shutil.which("cupsctl"):
        return False
    settings = scheduler_settings()
    if settings is not None and not keeps_copies(settings):
        return True
    _run(["cupsctl", *(f"{k}={v}" for k, v in NO_COPIES.items())])
    deadline = time.monotonic() + 10  # cupsctl restarts the scheduler
    while not scheduler_running() and time.monotonic() < deadline:
        time.sleep(0.2)
    settings = scheduler_settings()
    return settings is not None and not keeps_copies(settings)


def purge_finished_jobs(printer: str | None = None) -> None:
    """Remove the documents of finished jobs a scheduler kept. Root removes them from the spool folder;
    otherwise the scheduler is asked to purge (`cancel -a -x`, queue by queue, only where no job waits,
    since it would cancel waiting jobs too)."""
    if not scheduler_running():
        return
    files = kept_job_files()  # finished jobs only
    if files == []:
        return
    if files and os.name == "posix" and os.geteuid() == 0:
        for path in files:
            if path.name.startswith("d"):
                path.unlink(missing_ok=True)
        return
    if files is None:  # may not look: ask only if the scheduler is set to keep copies
        settings = scheduler_settings()
        if settings is not None and not keeps_copies(settings):
            return
    queues = [printer] if printer else [p.name for p in list_printers()]
    for queue in queues:
        if not _run(["lpstat", "-W", "not-completed", "-o", queue]).stdout.strip():
            _run(["cancel", "-a", "-x", queue])


_secured = False


def secure_spooler() -> SpoolStatus:
    """Switch copies off where this process may, purge what was kept, and say what remains (once per process
    for the settings; the purge runs every time)."""
    global _secured
    if not _secured and scheduler_running():
        _secured = configure_no_copies()
    purge_finished_jobs()
    return spool_status()


def spool_status() -> SpoolStatus:
    """For `station doctor`: does the local print system keep copies of printed cards, and are some there now?"""
    if not scheduler_running():
        return SpoolStatus(False, None, None, {})
    settings = scheduler_settings()
    files = kept_job_files()
    kept = None if files is None else sum(1 for p in files if p.name.startswith("d"))
    return SpoolStatus(True, None if settings is None else keeps_copies(settings), kept,
                       {k: v for k, v in (settings or {}).items() if k in NO_COPIES})


def spool_verdict(status: SpoolStatus | None = None) -> tuple[bool, str, dict[str, object]]:
    """(ok, catalogue key, parameters) for `station doctor`'s print-spool line."""
    status = status or spool_status()
    if not status.present:
        return True, "doctor.spool_none", {}
    if status.keeps_copies is None:
        return False, "doctor.spool_unknown", {}
    if status.keeps_copies:
        return False, "doctor.spool_keeps_copies", {"settings": ", ".join(f"{k}={v}" for k, v in
                                                                          sorted(status.settings.items())) or "?"}
    if status.kept_files:
        return False, "doctor.spool_kept_files", {"n": status.kept_files}
    return True, "doctor.spool_ok", {}

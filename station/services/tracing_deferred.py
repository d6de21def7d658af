"""Tracing checks of a desk's save, confirmed after its commit.

A household saved at the desk is checked against the open tracing cases in its own transaction (its
people's keys, the cases sharing one, each scored against them: a few milliseconds). A case that may match
is then confirmed against the whole register (`tracing_checks.confirm`: names many people share are discounted),
which at 200,000 people took 20-30 ms of a save the clerk waits for. The desk's save only notes such a case
(`station_meta`, key `tracing_pending:<case>`, in the save's own transaction); the window confirms it on a
worker thread once the save is committed, and again whenever a desk opens, so a crash in between loses no
alert. Saves from the command line and imports confirm at once, as before.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from station import clock
from station.db.rows import MetaRow, TracingCaseRow
from station.db.uow import Database, UnitOfWork
from station.services import tracing_checks


def defer_confirmation(uow: UnitOfWork) -> None:
    """This unit of work (a desk's save) notes the cases that may match instead of confirming them."""
    uow.session.info[tracing_checks.DEFER_CONFIRM] = True


def confirm_pending(db: Database, on: date | None = None) -> int:
    """Confirm every noted case against the people it was noted for; returns how many alerts were raised."""
    with db.reader() as uow:  # most saves note nothing: no write lock taken for them
        if not _notes(uow):
            return 0
    day = on or clock.local_today()
    raised = 0
    with db.uow() as uow:
        s = uow.session
        for note in _notes(uow, lock=True):
            source, *ids = note.value.split()
            s.delete(note)
            case = s.get(TracingCaseRow, note.key[len(tracing_checks.PENDING_PREFIX):])
            if case is not None and case.status in tracing_checks.ACTIVE:
                raised += tracing_checks.confirm(s, case, set(ids), day, source)
    return raised


def _notes(uow: UnitOfWork, lock: bool = False) -> list[MetaRow]:
    prefix = tracing_checks.PENDING_PREFIX
    q = select(MetaRow).where(MetaRow.key >= prefix, MetaRow.key < prefix + "\uffff").order_by(MetaRow.key)
    if lock:  # two desks of a server site confirming at once: each takes the notes the other has not
        q = q.with_for_update(skip_locked=True)  # (SQLite has one writer: nothing to add there)
    return list(uow.session.scalars(q))

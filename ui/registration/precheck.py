"""Each member checked for earlier registrations as it enters the household's list, in the background, so
the save has (nearly) nothing left to check: at 200,000 people a member's check costs 10-25 ms, and a
household of nine checked at save would keep the clerk waiting (tests/perf/test_matching_speed.py).

The results wait in a `Prechecked` (station.services.duplicates) that the save reads; it is cleared after
each save at this desk. One check runs at a time; a household changed meanwhile is checked when that one
ends (only the members not yet held). A failed check is not shown: the save checks that member itself.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from station.domain.model import HouseholdDraft
from station.errors import StationError
from station.services.duplicates import Prechecked, precheck_members
from station.services.station import StationContext
from ui.tasks import TaskRunner


class MemberPrecheck(QObject):
    def __init__(self, ctx: StationContext, parent: QObject | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.results = Prechecked()
        self.runner = runner or TaskRunner()
        self._busy = False
        self._pending: HouseholdDraft | None = None
        self.checked = 0  # members checked ahead of a save (for tests and the log)

    def members_changed(self, draft: HouseholdDraft) -> None:
        if not draft.members:
            return
        if self._busy:
            self._pending = draft
            return
        self._busy = True
        results = self.results

        def job(_progress: object) -> int:
            with self.ctx.db.reader() as uow:
                return precheck_members(uow, self.ctx.actor, draft, results)

        self.runner.submit(job, self._done, self._failed, parent=self)

    def saved(self) -> None:
        """This desk saved a household: it may be the next member's earlier registration."""
        self.results.clear()

    def _done(self, checked: int) -> None:
        self.checked += checked
        self._next()

    def _failed(self, _error: StationError) -> None:
        # Ignored on purpose, not shown: the save checks this member itself and reports any failure there.
        self._next()

    def _next(self) -> None:
        self._busy = False
        pending, self._pending = self._pending, None
        if pending is not None:
            self.members_changed(pending)

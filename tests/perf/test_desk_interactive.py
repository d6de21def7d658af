"""Every interactive step of the desk, in the real window (offscreen) over a real SQLCipher station, timed from
the input event to the result painted: typed search (per keystroke), moving along the list, opening a
household, saving an edited household (with its duplicate check), and the day list of 2,000 households.

Full (STATION_PERF_SHORT=0): 10,000, 100,000 and 200,000 individuals; p50/p95 printed per step and size, and
p95 < 50 ms asserted for each step at every size. The typed search is reported in parts: the keystroke's echo,
the debounce (a deliberate wait for the next key) and the work after it (search, table filled, rows painted);
the 50 ms bound applies to the work after the debounce, and key-to-rows is printed beside it. The register is
read on a worker (latest wins): the probes wait for the rows of the newest request painted. A day's list paints
its first page, then adds the rest below it: the bound applies to the first rows painted, and the whole list in
the table is printed beside it.
Short (CI, the default): 10,000 individuals, each step's p95 of the process's CPU time under 400 ms (a loose
bound on a measure that other jobs on a shared machine do not inflate, as tests/perf/test_matching_speed.py).

Stations are built once with the bulk loader and cached under build/perf-desk/ (see desk_bench.py); run with
`STATION_PERF_SHORT=0 QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -s tests/perf/test_desk_interactive.py`.
STATION_PERF_DESK_SIZES=10000,200000 runs only the sizes named.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from station.db.rows import HouseholdRow, IndividualRow
from tests.perf.conftest import short_mode
from tests.perf.desk_bench import Clock, PaintProbe, Step, cached_station, open_copy, p95, until_painted
from tests.ui.keys import type_text

pytestmark = pytest.mark.perf

# STATION_PERF_DESK_SIZES=10000,200000 picks sizes of the full run (while working on one step)
SIZES = (10_000,) if short_mode() else tuple(
    int(n) for n in os.environ.get("STATION_PERF_DESK_SIZES", "10000,100000,200000").split(","))
LIMIT_MS = 400.0 if short_mode() else 50.0  # short mode: on CPU time, see the docstring
SAMPLES = 12 if short_mode() else 30  # households opened / saved, queries typed, day switches


@pytest.fixture
def desk(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         qtbot: Any) -> Iterator[tuple[Any, Any, Clock]]:
    from PySide6.QtWidgets import QApplication

    import ui.main_window as main_window
    import ui.registration.duplicate_dialog as duplicate_dialog
    from station.db.uow import UnitOfWork
    from station.services import duplicates, photos
    from ui.main_window import MainWindow
    from ui.qt_i18n import apply_language

    station = cached_station(request.param)
    monkeypatch.setenv("STATION_HOME", str(tmp_path / "home"))
    ctx = open_copy(station, tmp_path / "home")
    clock = Clock()
    for name in ("search_page", "day_register", "get_household", "register_household", "correct_household",
                 "household_summary"):
        clock.wrap(monkeypatch, main_window, name)
    clock.wrap(monkeypatch, duplicate_dialog, "check_household_duplicates", "duplicate_check")
    clock.wrap(monkeypatch, photos, "head_portrait")
    clock.wrap(monkeypatch, photos, "load_portrait")
    clock.wrap(monkeypatch, duplicates, "apply_decisions")
    clock.wrap(monkeypatch, UnitOfWork, "__exit__", "transaction_end")  # commit: fsync, audit trail sealing
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_language(app, "en")
    w = MainWindow(ctx)
    clock.wrap(monkeypatch, w, "refresh_register", "refresh")  # asks for the rows (read on a worker)
    clock.wrap(monkeypatch, w, "show_register_rows", "shown")  # the newest refresh's rows put in the table
    clock.wrap(monkeypatch, w.register, "extend_rows", "rest")  # the rest of a day's list added below
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.bench_station = station  # type: ignore[attr-defined]
    try:
        yield w, ctx, clock
    finally:
        w.form.dirty = False
        w.close()
        w.deleteLater()
        ctx.close()
        shutil.rmtree(tmp_path / "home", ignore_errors=True)  # up to 800 MB a copy: pytest keeps its last runs


def _sample_households(ctx: Any, n: int, seed: int) -> list[tuple[str, str, str, str]]:
    """(registration number, head's Latin given + family, Arabic given + family, id) of random households."""
    rng = random.Random(seed)
    with ctx.db.reader() as uow:
        ids = list(uow.session.scalars(select(HouseholdRow.id)))
        out = []
        for hid in rng.sample(ids, n):
            hh = uow.session.get(HouseholdRow, hid)
            head = uow.session.scalar(select(IndividualRow).where(IndividualRow.household_id == hid,
                                                                  IndividualRow.position == 1))
            assert hh is not None and head is not None
            out.append((hh.registration_number, f"{head.given_lat} {head.family_lat}",
                        f"{head.given_ar} {head.family_ar}", hid))
    return out


def _now() -> float:
    return time.perf_counter()


def _cpu() -> float:
    return time.process_time()


def _shown(w: Any, clock: Clock, since: float) -> float | None:
    """When the rows of the newest refresh asked for were put in the table (a stale result never is)."""
    ended = clock.ended_since("shown", since)
    newest = clock.calls["refresh"][-1][0]  # rows shown after the newest refresh began answer that refresh
    return ended if ended is not None and clock.calls["shown"][-1][0] > newest else None


def _settled(w: Any, clock: Clock, since: float) -> float | None:
    """When the newest refresh's whole outcome was in the table (a day's list: its rest added too)."""
    if not w.register_settled():
        return None
    ends = [e for e in (clock.ended_since("shown", since), clock.ended_since("rest", since)) if e is not None]
    return max(ends) if ends else None


def _day_list(w: Any, clock: Clock) -> tuple[Step, Step, Step]:
    from PySide6.QtCore import QDate

    busy = w.bench_station.busy_day
    probe = PaintProbe(w.register.table.viewport())
    busy_step, other_step = Step("day list, 2,000 households, first rows painted"), Step("day list, the day before")
    whole = Step("day list, 2,000 households, all rows in the table and painted", parts_are_services=False)
    for i in range(2 * SAMPLES):
        day = busy if i % 2 else busy - timedelta(days=1)
        t, c = _now(), _cpu()
        w.register.day.setDate(QDate(day.year, day.month, day.day))  # what the calendar popup does
        end = until_painted(probe, partial(_shown, w, clock, t))
        cpu = _cpu()
        step = busy_step if i % 2 else other_step
        step.add((end - t) * 1000, (cpu - c) * 1000, service=clock.spent("day_register", t))
        done = until_painted(probe, partial(_settled, w, clock, t))
        if i % 2:
            whole.add((done - t) * 1000, (_cpu() - c) * 1000)
            assert len(w.register.model.rows) == 2000
    return busy_step, other_step, whole


def _open_from_list(w: Any, clock: Clock) -> tuple[Step, Step]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    table = w.register.table
    table.setFocus()
    rng = random.Random(3)
    move, open_ = Step("move along the list (head's portrait)"), Step("open a household from the list")
    row_probe = PaintProbe(table.viewport())
    form_probe = PaintProbe(w.form.title)
    for _ in range(SAMPLES):
        row = rng.randrange(1, len(w.register.model.rows) - 1)
        table.setCurrentIndex(w.register.model.index(row - 1, 0))
        t, c = _now(), _cpu()
        QTest.keyClick(table, Qt.Key.Key_Down)
        end = until_painted(row_probe, partial(clock.ended_since, "head_portrait", t))
        move.add((end - t) * 1000, (_cpu() - c) * 1000, service=clock.spent("head_portrait", t))
        wanted = w.register.model.rows[table.currentIndex().row()].id
        t, c = _now(), _cpu()
        QTest.keyClick(table, Qt.Key.Key_Return)
        end = until_painted(form_probe, partial(clock.ended_since, "get_household", t))
        assert w.form.view is not None and w.form.view.id == wanted
        open_.add((end - t) * 1000, (_cpu() - c) * 1000, service=clock.spent("get_household", t))
    return move, open_


def _save_edited(w: Any, ctx: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> tuple[Step, int]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDialog

    from ui.registration import duplicate_dialog

    shown = 0

    def answer(dialog: Any) -> int:  # the clerk's reading time is not the desk's: "not the same person" at once
        nonlocal shown
        shown += 1
        dialog.reason_edit.setText("bench")
        dialog._finish(duplicate_dialog.DIFFERENT)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(duplicate_dialog.DuplicateDialog, "exec", answer)
    step = Step("save an edited household (duplicate check, save, form reloaded)")
    probe = PaintProbe(w.form.table.viewport())  # the members reloaded (the title keeps its text: same number)
    for _regno, _lat, _ar, hid in _sample_households(ctx, SAMPLES, seed=21):
        w.open_household(hid)
        version = w.form.view.version
        w.form.notes.setFocus()
        QTest.keyClicks(w.form.notes, " ok")
        t, c = _now(), _cpu()
        QTest.keyClick(w.form.notes, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        end = until_painted(probe, partial(clock.ended_since, "household_summary", t))
        assert w.form.view.version == version + 1 and not w.form.dirty
        step.add((end - t) * 1000, (_cpu() - c) * 1000, duplicate_check=clock.spent("duplicate_check", t),
                 save_service=sum(clock.spent(k, t) for k in ("correct_household", "apply_decisions",
                                                               "household_summary")),
                 commit=clock.spent("transaction_end", t))
    return step, shown


def _typed_search(w: Any, ctx: Any, clock: Clock) -> tuple[Step, Step]:

    search = w.register.search
    search.setFocus()
    echo_probe = PaintProbe(search)
    rows_probe = PaintProbe(w.register.table.viewport())
    key_to_rows = Step("typed search, key to rows painted (debounce included)", parts_are_services=False)
    work = Step("typed search, work after the debounce (search, fill, paint)")
    queries = []
    for regno, lat, ar, _hid in _sample_households(ctx, max(3, SAMPLES // 3), seed=9):
        queries += [lat, ar, regno]
    for text in queries:
        if search.text():
            t = _now()
            search.clear()
            until_painted(rows_probe, partial(_settled, w, clock, t))
        for ch in text:
            t, c = _now(), _cpu()
            type_text(search, ch)
            echo = until_painted(echo_probe, partial(min, t, t))
            end = until_painted(rows_probe, partial(_shown, w, clock, t))  # the LAST query's rows, painted
            assert w.register_settled()
            began = clock.started_since("refresh", t)
            assert began is not None
            key_to_rows.add((end - t) * 1000, (_cpu() - c) * 1000, echo=(echo - t) * 1000, debounce=(began - t) * 1000)
            work.add((end - began) * 1000, (_cpu() - c) * 1000, search_service=clock.spent("search_page", t))
        assert w.register.model.rows, f"a typed {'number' if text[:3] == 'MKH' else 'name'} found nothing"
    return key_to_rows, work


@pytest.mark.parametrize("desk", SIZES, indirect=True, ids=[f"{n // 1000}k" for n in SIZES])
def test_desk_interactive_steps(desk: tuple[Any, Any, Clock], monkeypatch: pytest.MonkeyPatch) -> None:
    w, ctx, clock = desk
    station = w.bench_station
    busy_day, day_before, whole_day = _day_list(w, clock)
    steps = [busy_day, day_before, whole_day, *_open_from_list(w, clock)]
    save, shown = _save_edited(w, ctx, clock, monkeypatch)
    steps.append(save)
    key_to_rows, work = _typed_search(w, ctx, clock)
    steps += [work, key_to_rows]
    print(f"\n[perf] desk, {station.individuals} individuals ({station.households} households), window offscreen; "
          f"{shown} of {len(save.total)} saves showed the duplicate dialog (answered at once)")
    for s in steps:
        print(f"[perf]   {s.line()}")
    # key to rows holds the debounce, a deliberate wait for the next key: the bound is on the work after it;
    # a day's whole list comes in below the first rows painted, while the clerk reads them
    bounded = [s for s in steps if s not in (key_to_rows, whole_day)]
    over = [s.line() for s in bounded if p95(s.cpu if short_mode() else s.total) >= LIMIT_MS]
    assert not over, f"p95 over {LIMIT_MS:.0f} ms:\n" + "\n".join(over)


def test_member_table_is_measured_once_per_fill(qtbot: Any) -> None:
    """Opening or saving a household fills the form's member table: its columns fit their contents, measured
    once after the fill, not again for every cell (a ratio to a bare table, so machine speed cancels out)."""
    import statistics

    from PySide6.QtWidgets import QApplication, QHeaderView, QTableWidget, QTableWidgetItem

    from station.domain.codes import Relationship, Sex
    from station.domain.model import MemberDraft, NameParts
    from ui.registration.household_form import HouseholdForm

    app = QApplication.instance()
    assert app is not None
    form = HouseholdForm()
    qtbot.addWidget(form)
    form.resize(1000, 700)
    form.show()
    qtbot.waitExposed(form)
    ar = NameParts("عبد", "الرحمن", "حسين", "الجبوري")
    form.members = [MemberDraft(ar, NameParts("Abdul", "Rahman", "", f"J{i}"), Sex.MALE, Relationship.SON,
                                age_years=3 + i) for i in range(10)]
    bare = QTableWidget(0, len(form.COLS))
    qtbot.addWidget(bare)
    bare.resize(1000, 300)
    bare.show()

    def fill_bare() -> None:  # the same cells, then the columns fitted once
        bare.setRowCount(len(form.members))
        for r, m in enumerate(form.members):
            for c, text in enumerate((str(r), m.name_ar.full(), m.name_lat.full(), "m", "son", "3", "", "")):
                bare.setItem(r, c, QTableWidgetItem(text))
        bare.horizontalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents)

    def cpu_ms(fill: Any) -> float:
        runs = []
        for _ in range(15):
            c = time.process_time()
            fill()
            app.processEvents()
            runs.append((time.process_time() - c) * 1000)
        return statistics.median(runs)

    cpu_ms(form._refresh_table)
    form_ms, bare_ms = cpu_ms(form._refresh_table), cpu_ms(fill_bare)
    print(f"\n[perf] member table of 10 filled: form {form_ms:.1f} ms CPU, bare table {bare_ms:.1f} ms CPU")
    assert form_ms < 3 * bare_ms + 2  # columns measured per cell: about ten times the bare table

"""The register is read off the GUI thread, latest wins (issue 18): the window never waits on a search, a result
older than the newest request is never shown, errors reach the clerk, and Return in the search box opens the
only household found once its result arrives. Real station file, real worker thread."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt

import ui.main_window as main_window
from station.domain.model import NameParts
from station.errors import StationError
from station.services.registration import register_household
from tests.factories import family_of_five
from ui.main_window import MainWindow

WAIT_S = 5.0


def _register(window: MainWindow, given_lat: str, family_lat: str) -> str:
    base = family_of_five()
    head = dataclasses.replace(base.members[0], name_lat=NameParts(given_lat, "Ali", "", family_lat))
    with window.ctx.db.uow() as uow:
        return register_household(uow, window.ctx.actor, dataclasses.replace(base, members=(head,))).id


class _Gate:
    """search_page held on the worker for one word until the test lets it go."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, word: str) -> None:
        self.entered, self.release, self.finished = threading.Event(), threading.Event(), threading.Event()
        self.searched: list[str] = []
        real = main_window.search_page

        def gated(uow: Any, actor: Any, text: str, *args: Any, **kwargs: Any) -> Any:
            self.searched.append(text)
            if word in text:
                self.entered.set()
                self.release.wait(WAIT_S)
            try:
                return real(uow, actor, text, *args, **kwargs)
            finally:
                if word in text:
                    self.finished.set()

        monkeypatch.setattr(main_window, "search_page", gated)


def _search(window: MainWindow, text: str, *, submit: bool = False) -> None:
    window.register.search.setText(text)
    window.register._debounce.stop()  # the test asks for the refresh itself, once
    if submit:
        window.register._on_search_return()
    else:
        window.refresh_register()


def test_the_window_does_not_wait_on_a_search(qtbot: Any, window: MainWindow,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _register(window, "Karim", "Haddad")
    gate = _Gate(monkeypatch, "Haddad")
    _search(window, "Haddad")  # returns at once: the search runs on the worker
    assert gate.entered.wait(WAIT_S)
    assert not gate.finished.is_set() and not window.register_settled()
    qtbot.keyClicks(window.register.search, "x")  # the clerk types on while it runs
    assert window.register.search.text() == "Haddadx"
    gate.release.set()
    qtbot.waitUntil(window.register_settled, timeout=int(WAIT_S * 1000))


def test_an_older_result_is_dropped_for_the_newest(qtbot: Any, window: MainWindow,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    haddad = _register(window, "Karim", "Haddad")
    salem = _register(window, "Omar", "Salem")
    gate = _Gate(monkeypatch, "Haddad")
    shown: list[list[str]] = []
    real_show = window.register.set_rows

    def show(rows: list[Any], *args: Any, **kwargs: Any) -> None:
        shown.append([r.id for r in rows])
        real_show(rows, *args, **kwargs)

    monkeypatch.setattr(window.register, "set_rows", show)
    _search(window, "Haddad")
    assert gate.entered.wait(WAIT_S)
    _search(window, "Salem")  # the newest request, asked for while the older one still runs
    gate.release.set()
    qtbot.waitUntil(window.register_settled, timeout=int(WAIT_S * 1000))
    assert gate.finished.is_set()  # the older search did finish; its rows were never shown
    assert shown == [[salem]] and [r.id for r in window.register.model.rows] == [salem]
    assert haddad not in {r.id for r in window.register.model.rows}
    assert window.register.count.text() == "1 household found"


def test_a_request_overtaken_while_it_waits_is_not_run(qtbot: Any, window: MainWindow,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _register(window, "Karim", "Haddad")
    gate = _Gate(monkeypatch, "Haddad")
    _search(window, "Haddad")
    assert gate.entered.wait(WAIT_S)
    for text in ("Sa", "Sal", "Sale", "Salem"):  # queued behind the running one; only the last is needed
        _search(window, text)
    gate.release.set()
    qtbot.waitUntil(window.register_settled, timeout=int(WAIT_S * 1000))
    assert gate.searched == ["Haddad", "Salem"]


def test_an_error_of_the_newest_refresh_reaches_the_clerk(qtbot: Any, window: MainWindow,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise StationError("error.storage_failed")

    told: list[str] = []
    monkeypatch.setattr(main_window, "search_page", failing)
    monkeypatch.setattr(window, "show_error", told.append)
    _search(window, "Haddad")
    qtbot.waitUntil(lambda: bool(told), timeout=int(WAIT_S * 1000))
    assert told == [StationError("error.storage_failed").message()] and window.register_settled()


def test_return_opens_the_only_household_found_when_its_result_arrives(
        qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    haddad = _register(window, "Karim", "Haddad")
    _register(window, "Omar", "Salem")
    _register(window, "Omar", "Saleh")
    gate = _Gate(monkeypatch, "Haddad")
    _search(window, "Haddad", submit=True)
    assert gate.entered.wait(WAIT_S)
    assert window.form.view is None  # nothing to open yet: the result is on its way
    gate.release.set()
    qtbot.waitUntil(lambda: window.form.view is not None, timeout=int(WAIT_S * 1000))
    assert window.form.view is not None and window.form.view.id == haddad
    window.new_household()
    _search(window, "Omar", submit=True)  # two found: Return opens neither
    qtbot.waitUntil(window.register_settled, timeout=int(WAIT_S * 1000))
    assert len(window.register.model.rows) == 2 and window.form.view is None


def test_return_in_the_search_box_is_wired(qtbot: Any, window: MainWindow) -> None:
    haddad = _register(window, "Karim", "Haddad")
    window.register.search.setFocus()
    qtbot.keyClicks(window.register.search, "Haddad", delay=80)  # a person's pace: a burst is a scanner's
    qtbot.keyClick(window.register.search, Qt.Key.Key_Return, delay=80)
    qtbot.waitUntil(lambda: window.form.view is not None, timeout=int(WAIT_S * 1000))
    assert window.form.view is not None and window.form.view.id == haddad


def test_a_days_list_paints_its_first_page_then_adds_the_rest(qtbot: Any, window: MainWindow,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(main_window, "DAY_FIRST_PAGE", 3)
    ids = [_register(window, "Karim", f"Haddad{i}") for i in range(7)]
    window.refresh_register()
    qtbot.waitUntil(window.register_settled, timeout=int(WAIT_S * 1000))
    assert [r.id for r in window.register.model.rows] == ids[::-1]  # newest first, every one
    assert window.register.count.text() == "7 households on this day"


def test_the_rest_of_a_day_is_read_once_its_first_rows_are_painted(qtbot: Any, window: MainWindow,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QEvent, QObject

    monkeypatch.setattr(main_window, "DAY_FIRST_PAGE", 3)
    for i in range(7):
        _register(window, "Karim", f"Haddad{i}")
    events: list[str] = []

    class Paints(QObject):
        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                events.append("paint")
            return False

    paints = Paints()
    window.register.table.viewport().installEventFilter(paints)
    real_show, real_read = window.show_register_rows, window._read_register

    def show(rows: list[Any], **kwargs: Any) -> None:
        events.append("first rows")
        real_show(rows, **kwargs)

    def read(*args: Any) -> None:
        events.append("read")
        real_read(*args)

    monkeypatch.setattr(window, "show_register_rows", show)
    monkeypatch.setattr(window, "_read_register", read)
    window.refresh_register()
    qtbot.waitUntil(window.register_settled, timeout=int(WAIT_S * 1000))
    first = events.index("first rows")
    rest = events.index("read", first)  # the whole day is read only after the first rows were painted
    assert "paint" in events[first:rest] and len(window.register.model.rows) == 7


def test_after_next_paint_runs_for_a_register_that_never_paints(qtbot: Any) -> None:
    from ui.records.register_view import RegisterView

    view = RegisterView()  # never shown: nothing paints, the fallback runs the call
    qtbot.addWidget(view)
    called: list[int] = []
    view.after_next_paint(lambda: called.append(1), fallback_ms=50)
    qtbot.waitUntil(lambda: called == [1], timeout=2000)
    qtbot.wait(100)
    assert called == [1]  # once

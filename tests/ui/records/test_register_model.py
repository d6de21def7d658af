"""The register's model sorts in place (found-by-another-spelling rows last) and builds each row's text once;
the portrait beside the register belongs to the highlighted row only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QIODevice, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QImage

from station.domain.codes import HouseholdStatus
from station.domain.model import HouseholdSummary
from station.i18n import tr
from ui.records import register_model
from ui.records.register_model import RegisterModel
from ui.records.register_view import RegisterView
from ui.widgets.portrait import set_privacy_mode

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


def _row(i: int, name: str, approximate: bool = False) -> HouseholdSummary:
    return HouseholdSummary(id=f"h{i}", registration_number=f"MKH-02-{i:06d}-X",
                            arrived_at=datetime(2026, 11, 30, 18, 0, tzinfo=UTC) - timedelta(minutes=i),
                            head_name_ar="علي",
                            head_name_lat=name, size=1 + i % 7, origin="Ninewa", status=HouseholdStatus.ACTIVE,
                            approximate=approximate)


ROWS = [_row(1, "Zaid", approximate=True), _row(2, "Bashar"), _row(3, "Ahmad", approximate=True), _row(4, "Yusuf")]


def _ids(model: RegisterModel) -> list[str]:
    return [model.data(model.index(r, 0), RegisterModel.ID_ROLE) for r in range(model.rowCount())]


@pytest.mark.parametrize("order", [ASC, DESC])
def test_a_clicked_column_sorts_but_exact_matches_stay_on_top(order: Qt.SortOrder) -> None:
    model = RegisterModel()
    model.set_rows(ROWS)
    model.sort(RegisterModel.COL_HEAD_LAT, order)
    expected = ["h2", "h4", "h3", "h1"] if order == ASC else ["h4", "h2", "h1", "h3"]
    assert _ids(model) == expected
    model.set_rows(list(reversed(ROWS)))  # the next search's rows come in sorted the same way
    assert _ids(model) == expected


def test_no_column_keeps_the_order_given_and_unsorting_restores_it() -> None:
    model = RegisterModel()
    model.set_rows(ROWS)
    assert _ids(model) == ["h1", "h2", "h3", "h4"]  # the search's ranking, as it came
    model.sort(RegisterModel.COL_NUMBER, DESC)
    assert _ids(model) == ["h4", "h2", "h3", "h1"]
    model.sort(-1)
    assert _ids(model) == ["h1", "h2", "h3", "h4"]


def test_the_selected_row_follows_its_household_when_sorted() -> None:
    model = RegisterModel()
    model.set_rows(ROWS)
    current = QPersistentModelIndex(model.index(1, 2))  # h2, as a view's current index is kept
    model.sort(RegisterModel.COL_HEAD_LAT, DESC)
    assert model.data(model.index(current.row(), 0), RegisterModel.ID_ROLE) == "h2" and current.column() == 2


def test_a_saved_household_goes_to_its_place_in_a_sorted_list_and_is_refreshed_in_place() -> None:
    model = RegisterModel()
    model.set_rows(ROWS)
    assert model.upsert(_row(5, "Ali")) == 0  # unsorted: the newest on top
    model.sort(RegisterModel.COL_HEAD_LAT, ASC)
    assert model.upsert(_row(6, "Carim")) == 2  # Ali, Bashar, Carim, Yusuf, then the approximate ones
    assert _ids(model)[:4] == ["h5", "h2", "h6", "h4"]
    renamed = _row(2, "Bashir")
    row = model.upsert(renamed)
    assert model.rows[row] == renamed and len(model.rows) == 6
    assert model.data(model.index(row, RegisterModel.COL_HEAD_LAT)) == "\u2066Bashir\u2069"  # not the old text


def test_each_rows_text_is_built_once_not_on_every_paint(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_tr = register_model.tr

    def counted(key: str, **params: object) -> str:
        calls.append(key)
        return real_tr(key, **params)

    monkeypatch.setattr(register_model, "tr", counted)
    model = RegisterModel()
    model.set_rows([_row(i, f"Name {i}") for i in range(2000)])
    assert calls == []  # nothing built for rows never shown
    cells = [model.index(r, c) for r in range(30) for c in range(model.columnCount())]
    first = [model.data(ix) for ix in cells]  # a paint of the first 30 rows
    built = len(calls)
    assert built == 30  # one status per shown row
    assert [model.data(ix) for ix in cells] == first and len(calls) == built  # the next paint builds nothing
    assert model.data(model.index(0, RegisterModel.COL_STATUS)) == real_tr("code.status.active")
    model.retranslate()  # the language changed: the statuses are translated again when next shown
    model.data(model.index(0, RegisterModel.COL_STATUS))
    assert len(calls) == built + 1


def test_the_register_table_shows_the_model_itself(qtbot) -> None:
    from ui.records.register_view import RegisterView

    view = RegisterView()
    qtbot.addWidget(view)
    # a sorting proxy in between doubled what every paint costs: the model sorts in place
    assert view.table.model() is view.model
    view.set_rows(ROWS, searching=True)
    view.table.sortByColumn(RegisterModel.COL_HEAD_LAT, ASC)
    assert _ids(view.model) == ["h2", "h4", "h3", "h1"]
    with qtbot.waitSignal(view.open_requested) as opened:
        view.table.activated.emit(view.model.index(1, 0))
    assert opened.args == ["h4"]


def test_the_arrival_column_names_its_zone(monkeypatch) -> None:
    from PySide6.QtCore import Qt

    from ui.records.register_model import RegisterModel

    monkeypatch.setenv("TZ", "Asia/Baghdad")
    model = RegisterModel()
    tip = model.headerData(RegisterModel.COL_ARRIVED, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip == "UTC+03:00"


def test_the_rest_of_a_list_is_added_below_its_first_page_keeping_the_current_row() -> None:
    whole = [_row(i, f"N{i}") for i in range(1, 9)]
    model = RegisterModel()
    model.set_rows(whole[:3])  # a day's first page
    current = QPersistentModelIndex(model.index(1, 0))
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.extend(whole)
    assert _ids(model) == [r.id for r in whole] and inserted == [(3, 7)] and not resets
    assert current.isValid() and current.row() == 1  # the clerk's row stays where it was
    model.sort(RegisterModel.COL_HEAD_LAT, DESC)
    model.set_rows(whole[:3])
    model.extend(whole)  # a clicked column keeps its order for the rows added
    assert _ids(model) == [f"h{i}" for i in range(8, 0, -1)]


def test_rows_that_do_not_continue_the_first_page_are_shown_afresh() -> None:
    model = RegisterModel()
    model.set_rows([_row(1, "A"), _row(2, "B")])
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.extend([_row(9, "New"), _row(1, "A"), _row(2, "B")])  # a household saved in between
    assert _ids(model) == ["h9", "h1", "h2"] and resets == [1]


@pytest.mark.parametrize("lang", ["en", "ar", "ckb"])
def test_a_search_first_page_says_how_many_match_and_how_to_narrow_them(qtbot, lang: str) -> None:
    from PySide6.QtWidgets import QApplication

    from station import i18n
    from ui.records.register_view import RegisterView

    i18n.set_language(lang)
    try:
        view = RegisterView()
        qtbot.addWidget(view)
        view.resize(420, 600)  # the desk's register panel at 1366 pixels
        view.show()
        view.set_rows(ROWS, searching=True, total=4)  # everything found is shown
        assert view.count.text() == i18n.tr("ui.register.found", n=4)
        view.set_rows(ROWS, searching=True, total=1340)  # a first page of 4 of 1,340
        page = view.count.text()
        assert page == i18n.tr("ui.register.found_page", n=1340, shown=4)
        assert "1340" in page.replace(",", "") and "4" in page
        view.set_rows(ROWS, searching=True, total=2000, capped=True)  # counting stopped at its cap
        assert view.count.text() == i18n.tr("ui.register.found_page_capped", n=2000, shown=4)
        assert view.count.text() != i18n.tr("ui.register.found_page", n=2000, shown=4)
        QApplication.processEvents()
        assert view.minimumSizeHint().width() <= 420 and view.width() == 420  # the count wraps, never widens
        view.set_rows(ROWS, searching=False)
        assert view.count.text() == i18n.tr("ui.register.today_count", n=4)
    finally:
        i18n.set_language("en")


def test_the_portrait_beside_the_register_never_outlives_its_row(qtbot: Any) -> None:
    """A new list (another search, another day) drops the highlighted row: the head's portrait shown for it
    goes too, and the frame is blank, not "no photo", until a row of the new list is chosen."""
    view = RegisterView()
    qtbot.addWidget(view)
    chosen: list[str] = []
    view.selected.connect(chosen.append)
    assert view.portrait.pixmap().isNull() and view.portrait.text() == ""  # nobody chosen yet
    view.set_rows(ROWS, searching=True)
    view.table.setCurrentIndex(view.model.index(1, 0))
    assert chosen == [ROWS[1].id]
    view.show_portrait(_jpeg())
    assert not view.portrait.pixmap().isNull()
    view.set_rows([_row(9, "Omar")], searching=True)
    assert view.portrait.pixmap().isNull() and view.portrait.jpeg is None
    assert view.portrait.text() == ""
    set_privacy_mode(True)  # blurring every portrait leaves a blank frame blank
    set_privacy_mode(False)
    assert view.portrait.text() == ""
    view.table.setCurrentIndex(view.model.index(0, 0))
    view.show_portrait(None)  # a household whose head has no photo says so
    assert view.portrait.text() == tr("ui.portrait.none")


def _jpeg() -> bytes:
    image = QImage(60, 80, QImage.Format.Format_RGB888)
    image.fill(QColor(120, 90, 60))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPG", 90)  # type: ignore[call-overload]  # the stubs want bytes, the binding a str
    return bytes(buffer.data().data())

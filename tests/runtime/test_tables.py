"""Dated tables and band schedules: lookups in force at a date; a bad CSV is refused with file:line:col."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ruledsl.core.errors import TableError
from ruledsl.runtime.tables import Band, BandSchedule, DatedTable

GOOD = "effective_from,one_year,five_year\n2019-08-20,4.25%,4.85%\n2019-09-20,4.20%,4.85%\n2020-04-20,3.85%,4.65%\n"


def load(tmp_path: Path, text: str, column: str = "one_year") -> DatedTable:
    path = tmp_path / "lpr.csv"
    path.write_text(text, encoding="utf-8")
    return DatedTable.from_csv(path, column, "rate")


def test_value_in_force_on_a_date(tmp_path: Path) -> None:
    table = load(tmp_path, GOOD)
    assert table.at(date(2019, 8, 20)) == Decimal("0.0425")  # the effective day itself
    assert table.at(date(2019, 9, 19)) == Decimal("0.0425")  # the day before the next change
    assert table.at(date(2019, 9, 20)) == Decimal("0.0420")
    assert table.at(date(2026, 1, 1)) == Decimal("0.0385")   # the last value stays in force
    assert table.changes_between(date(2019, 8, 20), date(2020, 4, 20)) == [date(2019, 9, 20), date(2020, 4, 20)]
    with pytest.raises(LookupError, match="first entry takes effect on 2019-08-20"):
        table.at(date(2019, 8, 19))


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        ("effective_from,one_year\n2019-09-20,4.20%\n2019-08-20,4.25%\n", 3, 1, "strictly increasing"),
        ("effective_from,one_year\n2019-08-20,4.25%\n2019-08-20,4.20%\n", 3, 1, "strictly increasing"),
        ("effective_from,one_year\n2019-08-20,\n", 2, 12, "no value for `one_year`"),
        ("effective_from,one_year\n2019-08-20,abc%\n", 2, 12, "not a decimal number"),
        ("effective_from,one_year\n2019-08-20,4.25\n", 2, 12, "must be written with %"),
        ("effective_from,one_year\n2019-02-30,4.25%\n", 2, 1, "is not a date"),
        ("date,one_year\n2019-08-20,4.25%\n", 1, 1, "first column"),
        ("effective_from,five_year\n2019-08-20,4.85%\n", 1, 1, "no column `one_year`"),
        # a rate column holds 0% to 20% unless its heading says otherwise (a negative LPR, 345% are typos)
        ("effective_from,one_year\n2019-08-20,-3.45%\n", 2, 12, "-3.45% is out of bounds (0% to 20%)"),
        ("effective_from,one_year\n2019-08-20,345%\n", 2, 12, "345% is out of bounds (0% to 20%)"),
        ("effective_from,one_year\n2019-08-20,20.01%\n", 2, 12, "out of bounds"),
        ("effective_from,one_year [1% to 5%]\n2019-08-20,0.5%\n", 2, 12, "0.5% is out of bounds (1% to 5%)"),
        ("effective_from,one_year [5% to 1%]\n2019-08-20,3%\n", 1, 16, "the wrong way round"),
        ("effective_from,one_year [0 to 5%]\n2019-08-20,3%\n", 1, 16, "cannot be read"),
        # a cell beyond the header's columns: reported where it starts, never read
        ("effective_from,one_year\n2019-08-20,4.25%,-1%\n", 2, 18, "2 columns"),
        ("effective_from,one_year\n2019-08-20,4.25%,\n", 2, 18, "has 3 cells"),
    ],
)
def test_bad_tables_name_file_line_and_column(tmp_path: Path, text: str, line: int, col: int, message: str) -> None:
    with pytest.raises(TableError) as info:
        load(tmp_path, text)
    first = info.value.diagnostics[0]
    assert (first.span.line, first.span.col) == (line, col)
    assert message in first.message
    assert "lpr.csv" in str(info.value)


@pytest.mark.parametrize(("text", "value"), [
    ("effective_from,one_year\n2019-08-20,0%\n", "0"),       # the bounds themselves are in bounds
    ("effective_from,one_year\n2019-08-20,20%\n", "0.20"),
    ("effective_from,one_year [0% to 30%],five_year\n2019-08-20,25%,4.85%\n", "0.25"),  # as the heading allows
    ("effective_from,one_year [-1% to 5%]\n2019-08-20,-0.5%\n", "-0.005"),
])
def test_values_within_bounds_are_read(tmp_path: Path, text: str, value: str) -> None:
    assert load(tmp_path, text).at(date(2020, 1, 1)) == Decimal(value)


def test_a_money_column_has_bounds_only_when_its_heading_states_them(tmp_path: Path) -> None:
    path = tmp_path / "fees.csv"
    path.write_text("effective_from,fee,capped [0 to 500.00]\n2020-01-01,-5000.00,501.00\n", encoding="utf-8")
    assert DatedTable.from_csv(path, "fee", "money").at(date(2020, 1, 1)) == Decimal("-5000.00")
    with pytest.raises(TableError, match=r"501.00 is out of bounds \(0 to 500.00\)"):
        DatedTable.from_csv(path, "capped", "money")


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    text = "effective_from,one_year\n2019-08-20,x%\n2019-09-20,\n2019-10-20,4.1%\n"
    with pytest.raises(TableError) as info:
        load(tmp_path, text)
    assert [d.span.line for d in info.value.diagnostics] == [2, 3]


def test_progressive_schedule_court_fee_bands() -> None:
    # 诉讼费用交纳办法 art.13: 50 up to 10,000, then 2.5% to 100,000, then 2% …
    bands = BandSchedule("fees", True, (Band(Decimal(10000), fixed=Decimal(50)),
                                         Band(Decimal(100000), rate=Decimal("0.025")),
                                         Band(None, rate=Decimal("0.02"))))
    assert bands(Decimal(0)) == 50
    assert bands(Decimal(10000)) == 50
    assert bands(Decimal(100000)) == 50 + Decimal(90000) * Decimal("0.025")  # 2,300
    assert bands(Decimal(150000)) == 2300 + 50000 * Decimal("0.02")          # 3,300
    assert [amount for _, _, amount in bands.breakdown(Decimal(150000))] == [50, 2250, 1000]


def test_banded_schedule_applies_one_band_to_the_whole_value() -> None:
    bands = BandSchedule("b", False, (Band(Decimal(1000), rate=Decimal("0.01")), Band(None, rate=Decimal("0.02"))))
    assert bands(Decimal(500)) == 5
    assert bands(Decimal(2000)) == 40

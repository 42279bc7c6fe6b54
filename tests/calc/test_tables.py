"""The LPR and benchmark tables: contents as published, and loader refusals naming file and line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ruledsl.core.errors import TableError
from ruledsl.runtime.tables import DatedTable
from tests.calc.lpr import default_table_dir, load_rate_tables

# (effective date, 1Y %, 5Y %): the monthly LPR fixings that changed a rate since the reform
# of 2019-08-20 (全国银行间同业拆借中心 announcements).
PUBLISHED = [
    ("2019-08-20", "4.25", "4.85"), ("2019-09-20", "4.20", "4.85"), ("2019-11-20", "4.15", "4.80"),
    ("2020-02-20", "4.05", "4.75"), ("2020-04-20", "3.85", "4.65"), ("2021-12-20", "3.80", "4.65"),
    ("2022-01-20", "3.70", "4.60"), ("2022-05-20", "3.70", "4.45"), ("2022-08-22", "3.65", "4.30"),
    ("2023-06-20", "3.55", "4.20"), ("2023-08-21", "3.45", "4.20"), ("2024-02-20", "3.45", "3.95"),
    ("2024-07-22", "3.35", "3.85"), ("2024-10-21", "3.10", "3.60"), ("2025-05-20", "3.00", "3.50"),
]


def test_lpr_table_matches_published_fixings():
    tables = load_rate_tables()
    for when, one, five in PUBLISHED:
        d = date.fromisoformat(when)
        assert tables.lpr_at(d, "one_year") == Decimal(one) / 100
        assert tables.lpr_at(d, "five_year") == Decimal(five) / 100
    assert tables.lpr["one_year"].dates == tuple(date.fromisoformat(w) for w, _, _ in PUBLISHED)


def test_lpr_in_force_between_fixings_and_changes():
    tables = load_rate_tables()
    assert tables.lpr_at(date(2021, 12, 19)) == Decimal("0.0385")
    assert tables.lpr_at(date(2021, 12, 20)) == Decimal("0.038")
    assert tables.lpr_changes(date(2023, 6, 1), date(2023, 9, 1)) == [date(2023, 6, 20), date(2023, 8, 21)]
    with pytest.raises(LookupError):
        tables.lpr_at(date(2019, 8, 19))


def test_benchmark_table():
    tables = load_rate_tables()
    assert tables.benchmark_at(date(2018, 1, 1), "up_to_one_year") == Decimal("0.0435")
    assert tables.benchmark_at(date(2018, 1, 1), "one_to_five_years") == Decimal("0.0475")
    assert tables.benchmark_at(date(2018, 1, 1), "over_five_years") == Decimal("0.049")


def _write(tmp_path, text):
    path = tmp_path / "lpr.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_unsorted_dates_rejected_with_file_and_line(tmp_path):
    path = _write(tmp_path, "effective_from,one_year,five_year\n2020-04-20,3.85%,4.65%\n2019-08-20,4.25%,4.85%\n")
    with pytest.raises(TableError) as info:
        DatedTable.from_csv(path, "one_year", "rate")
    text = str(info.value)
    assert f"{path}:3:" in text and "strictly increasing" in text


def test_repeated_date_rejected(tmp_path):
    path = _write(tmp_path, "effective_from,one_year,five_year\n2020-04-20,3.85%,4.65%\n2020-04-20,3.80%,4.65%\n")
    with pytest.raises(TableError) as info:
        DatedTable.from_csv(path, "one_year", "rate")
    assert f"{path}:3:" in str(info.value)


def test_gap_in_column_rejected(tmp_path):
    path = _write(tmp_path, "effective_from,one_year,five_year\n2020-04-20,3.85%,4.65%\n2021-12-20,,4.65%\n")
    with pytest.raises(TableError) as info:
        DatedTable.from_csv(path, "one_year", "rate")
    assert f"{path}:3:" in str(info.value) and "no value" in str(info.value)


def test_non_numeric_rate_rejected(tmp_path):
    path = _write(tmp_path, "effective_from,one_year,five_year\n2020-04-20,abc%,4.65%\n")
    with pytest.raises(TableError) as info:
        DatedTable.from_csv(path, "one_year", "rate")
    assert f"{path}:2:" in str(info.value)


def test_rate_without_percent_sign_rejected(tmp_path):
    path = _write(tmp_path, "effective_from,one_year,five_year\n2020-04-20,3.85,4.65%\n")
    with pytest.raises(TableError) as info:
        DatedTable.from_csv(path, "one_year", "rate")
    assert f"{path}:2:" in str(info.value) and "%" in str(info.value)


def test_shipped_tables_load_clean():
    base = default_table_dir()
    for column in ("one_year", "five_year"):
        DatedTable.from_csv(base / "lpr.csv", column, "rate")
    for column in ("up_to_one_year", "one_to_five_years", "over_five_years"):
        DatedTable.from_csv(base / "benchmark_rates.csv", column, "rate")


def test_broken_table_directory_fails_loudly(tmp_path):
    (tmp_path / "lpr.csv").write_text("effective_from,one_year,five_year\n2019-08-20,4.25%,x\n", encoding="utf-8")
    (tmp_path / "benchmark_rates.csv").write_text(
        "effective_from,up_to_one_year,one_to_five_years,over_five_years\n2015-10-24,4.35%,4.75%,4.90%\n",
        encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_rate_tables(tmp_path)
    assert "lpr.csv:2:" in str(info.value)

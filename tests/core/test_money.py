"""Money, rates and day counts: the arithmetic every figure stands on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruledsl.core.daycount import DayCount, to_date
from ruledsl.core.money import Money, claim_fen, round_fen, to_decimal, yuan
from ruledsl.core.rates import format_rate, parse_rate
from ruledsl.core.types import MONEY
from ruledsl.runtime.values import display, to_json


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("100.005", "100.01"),   # half-up: a half fen goes up (四舍五入)
        ("100.004", "100.00"),
        ("-100.005", "-100.01"),  # half away from zero for negatives, as written by hand
        ("0.125", "0.13"),       # banker's rounding would give 0.12
        ("2.675", "2.68"),       # a float would give 2.67 (2.675 is 2.67499… in binary)
        ("-0.004", "0.00"),      # less than half a fen below zero is zero, shown without a sign
        ("-0.005", "-0.01"),     # half a fen below zero is a fen below zero
        ("-0.00", "0.00"),       # a negative zero as given is shown as zero
    ],
)
def test_round_half_up_to_the_fen(amount: str, expected: str) -> None:
    assert round_fen(Decimal(amount)) == Decimal(expected)
    assert str(Money(amount)) == expected


@pytest.mark.parametrize("amount", ["-0.004", "-0.00", "-0.0049999", "-0"])
def test_no_figure_prints_as_minus_zero(amount: str) -> None:
    value = Decimal(amount)
    shown = [str(Money(amount)), yuan(Money(amount)), f"{round_fen(value):f}", f"{claim_fen(value):f}",
             to_json(value, MONEY), display(value, MONEY)]
    assert shown == ["0.00"] * len(shown)


def test_money_refuses_floats_and_junk() -> None:
    with pytest.raises(ValueError, match="not floats"):
        Money(0.1)
    with pytest.raises(ValueError, match="not a decimal number"):
        to_decimal("12.34a")
    with pytest.raises(ValueError, match="not a decimal number"):
        to_decimal("NaN")
    with pytest.raises(ValueError, match="not a decimal number"):
        to_decimal("1e999999")  # exponent notation is refused in text
    with pytest.raises(ValueError, match="out of range"):
        to_decimal(Decimal("1e999999"))
    with pytest.raises(ValueError, match="only separate thousands"):
        to_decimal("1,00")  # a decimal comma would silently multiply by 100
    assert to_decimal("1,234.50") == Decimal("1234.50")  # thousands separators as clerks type them


def test_money_arithmetic_stays_exact() -> None:
    # 0.1 + 0.2 is exactly 0.3 in fen arithmetic
    assert Money("0.1") + Money("0.2") == Money("0.3")
    assert (Money("100") * Decimal("0.025")).rounded() == Money("2.50")
    assert (Money("10") / 3).rounded() == Money("3.33")  # 3.333… → 3.33
    assert Money.from_fen(123456) == Money("1234.56")
    assert Money("1234.565").fen == 123457


@pytest.mark.parametrize(
    ("text", "fraction"),
    [("18%", "0.18"), ("0.18", "0.18"), ("3.85%", "0.0385"), ("1.75‱", "0.000175"), (" 24% ", "0.24")],
)
def test_parse_rate(text: str, fraction: str) -> None:
    assert parse_rate(text) == Decimal(fraction)


def test_a_bare_240_is_refused_not_rescaled() -> None:
    with pytest.raises(ValueError, match="240%"):
        parse_rate("240")
    assert format_rate(Decimal("0.0385")) == "3.85%"


@pytest.mark.parametrize(
    ("dc", "start", "end", "days"),
    [
        # 算头不算尾: 2024-01-01 → 2024-03-01 is 31 (Jan) + 29 (Feb, leap year) = 60 days
        (DayCount(365, True, False), date(2024, 1, 1), date(2024, 3, 1), 60),
        (DayCount(365, True, True), date(2024, 1, 1), date(2024, 3, 1), 61),
        (DayCount(365, False, False), date(2024, 1, 1), date(2024, 3, 1), 59),
        # 2023 is not a leap year: 31 + 28 = 59
        (DayCount(360, True, False), date(2023, 1, 1), date(2023, 3, 1), 59),
        (DayCount(365, True, False), date(2024, 3, 1), date(2024, 1, 1), 0),  # reversed: empty period
    ],
)
def test_day_counts(dc: DayCount, start: date, end: date, days: int) -> None:
    assert dc.days(start, end) == days


def test_accrue_simple_interest() -> None:
    # 10,000 × 12% × 60 / 365 = 72,000 / 365 = 197.2602739… → 197.26
    interest = DayCount(365).accrue(Decimal("10000"), Decimal("0.12"), date(2024, 1, 1), date(2024, 3, 1))
    assert round_fen(interest) == Decimal("197.26")
    # basis 360: 10,000 × 12% × 60 / 360 = 200.00
    assert DayCount(360).accrue(Decimal("10000"), Decimal("0.12"), date(2024, 1, 1), date(2024, 3, 1)) == 200


def test_money_survives_pickling_exactly() -> None:
    import pickle

    amount = Money("1234.5678")  # more places than the fen: the exact amount travels, not the rounded one
    copy = pickle.loads(pickle.dumps(amount))
    assert copy == amount and copy.amount == Decimal("1234.5678") and str(copy) == "1234.57"


# ---------------------------------------------------------------- what no court figure is (refused before arithmetic)


@pytest.mark.parametrize(("text", "reason"), [
    ("１２３４５", "not a decimal number"),             # full-width digits
    ("١٢٣", "not a decimal number"),                 # Arabic-Indic digits
    ("1e-999999", "not a decimal number"),           # exponent notation is not how amounts are written
    ("0.1234567890123", "more than 12 decimal places"),
    ("9" * 19, "more than 18 digits before the point"),
    ("9" * 5000, "too long for a number"),
])
def test_numbers_no_court_figure_has_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as info:
        to_decimal(text)
    assert len(str(info.value)) < 200  # the value is quoted, never echoed whole


def test_a_json_number_beyond_meaningful_precision_is_refused() -> None:
    # exact JSON reads 1e-999999 as Decimal("1E-999999"); exact arithmetic on it would run for minutes
    with pytest.raises(ValueError, match="more than 12 decimal places"):
        to_decimal(Decimal("1E-999999"))
    with pytest.raises(ValueError, match="more than 12 decimal places"):
        parse_rate(Decimal("1E-999999999"))
    assert to_decimal(Decimal("1.50000000000000000000")) == Decimal("1.5")  # trailing zeros are no precision


@pytest.mark.parametrize(("text", "reason"), [
    ("20240701", "not a date; write YYYY-MM-DD"),
    ("2024-W27-1", "not a date; write YYYY-MM-DD"),
    ("２０２４-07-01", "not a date; write YYYY-MM-DD"),
    ("2024-02-30", "not a date on the calendar"),
    ("9999-12-31", "outside the dates a case can concern"),
    ("1899-12-31", "outside the dates a case can concern"),
])
def test_dates_are_calendar_dates_a_case_can_concern(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        to_date(text)
    assert to_date("2024-07-01") == date(2024, 7, 1)


@settings(max_examples=2000, deadline=None)
@given(text=st.from_regex(r"-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,15})?", fullmatch=True),
       places=st.sampled_from([None, 0, 2, 4, 12]))
def test_the_plain_amount_fast_path_reads_as_the_general_path(text: str, places) -> None:
    """to_decimal reads "12345.67" without its general checks; a leading space sends the same text the
    general way: the value, or the error message, is the same."""
    def read(t: str):
        try:
            return to_decimal(t, places=places)
        except ValueError as exc:
            return str(exc).replace(f"' {text}'", text)

    fast, general = read(text), read(" " + text)
    assert fast == general and type(fast) is type(general)


@pytest.mark.parametrize(("value", "places"), [("0.000", 0), ("1.2500", 2), ("1E+3", 0), ("0.010", 2),
                                               ("1E-5", 5), ("5.000001", 6), ("-0.50", 1)])
def test_decimal_places(value: str, places: int) -> None:
    from ruledsl.core.money import decimal_places
    assert decimal_places(Decimal(value)) == places

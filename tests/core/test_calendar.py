"""Calendar months (ruledsl.core.calendar): each expected date is read off a calendar; a month without the
day takes its last day (民法典 第二百零三条), counted from the first date each time."""

from datetime import date

import pytest

from ruledsl.core.calendar import add_months, month_end

CASES = [
    # start, months, expected
    (date(2024, 1, 15), 1, date(2024, 2, 15)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),   # 2024 is a leap year: February has 29 days
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 1, 31), 2, date(2024, 3, 31)),   # from the first date, not from 02-29
    (date(2024, 1, 31), 3, date(2024, 4, 30)),
    (date(2024, 11, 30), 1, date(2024, 12, 30)),
    (date(2024, 12, 15), 1, date(2025, 1, 15)),  # over the year end
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2024, 8, 31), -6, date(2024, 2, 29)),  # back six months
    (date(2024, 3, 31), -1, date(2024, 2, 29)),
    (date(2024, 5, 20), 0, date(2024, 5, 20)),
]


@pytest.mark.parametrize(("start", "months", "expected"), CASES)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("when", "expected"), [
    (date(2024, 2, 1), date(2024, 2, 29)), (date(2023, 2, 14), date(2023, 2, 28)),
    (date(2024, 12, 31), date(2024, 12, 31)), (date(2024, 4, 2), date(2024, 4, 30)),
])
def test_month_end(when, expected):
    assert month_end(when) == expected


def test_outside_the_calendar_is_a_clear_error():
    with pytest.raises(ValueError, match="outside the calendar"):
        add_months(date(9999, 12, 1), 1)

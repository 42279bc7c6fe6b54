"""Evidence time limits (``within … of …``): when an item is late, the reason says exactly how late
(issue 14, item 10), in days as a clerk counts them when the limit runs from a date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from ruledsl.runtime.requirements import RequirementSpec, Within, duration, judge

CST = timezone(timedelta(hours=8))
SIGNED = datetime(2024, 3, 1, 9, 0, tzinfo=CST)


def rule(limit: timedelta, of: str, text: str) -> tuple[RequirementSpec, ...]:
    return (RequirementSpec("loan_contract", anchored=True, within=Within(limit, of, text)),)


def item(anchored_at: datetime) -> dict:
    return {"kind": "loan_contract", "verified": True, "signed_at": SIGNED, "anchored_at": anchored_at,
            "integrity": "ok"}


@pytest.mark.parametrize(("limit", "text", "anchored", "status", "reason"), [
    # 30 days and 30 minutes after signing, against a limit of 30 days: late, and said so to the minute
    (timedelta(days=30), "30 days", SIGNED + timedelta(days=30, minutes=30), "late",
     "anchored 30 天 30 分钟 / 30 days 30 minutes after signed_at, limit 30 days"),
    # exactly at the limit: in time
    (timedelta(days=30), "30 days", SIGNED + timedelta(days=30), "satisfied", "1 presented"),
    # one second past 24 hours: late by that second, never "24 hours after …, limit 24 hours"
    (timedelta(hours=24), "24 hours", SIGNED + timedelta(hours=24, seconds=1), "late",
     "anchored 1 天 1 秒 / 1 day 1 second after signed_at, limit 24 hours"),
    # 67 hours = 2 days 19 hours (the demo's late contract)
    (timedelta(hours=24), "24 hours", SIGNED + timedelta(hours=67), "late",
     "anchored 2 天 19 小时 / 2 days 19 hours after signed_at, limit 24 hours"),
])
def test_a_late_item_says_exactly_how_late(limit, text, anchored, status, reason):
    [result] = judge(rule(limit, "signed_at", text), [item(anchored)], {})
    assert (result.status, result.reason.removeprefix("loan_contract: ")) == (status, reason)


@pytest.mark.parametrize(("limit", "text", "anchored", "status", "reason"), [
    # 2024-03-31 → 2024-05-15 by hand: 30 days left in April after the 31st of March (4/1 … 4/30) + 15 of May = 45
    (timedelta(days=30), "30 days", datetime(2024, 5, 15, 10, 0, tzinfo=CST), "late",
     "anchored on 2024-05-15, 45 天 / 45 days after overdue_on 2024-03-31, limit 30 days"),
    # a limit running from a date ends with the last day it allows: 2024-03-31 + 30 days = 2024-04-30, all day
    (timedelta(days=30), "30 days", datetime(2024, 4, 30, 23, 59, tzinfo=CST), "satisfied", "1 presented"),
    # the first minute of the day after: 2024-05-01 is 31 days after 2024-03-31 (30 in April + 1)
    (timedelta(days=30), "30 days", datetime(2024, 5, 1, 0, 1, tzinfo=CST), "late",
     "anchored on 2024-05-01, 31 天 / 31 days after overdue_on 2024-03-31, limit 30 days"),
    # a limit in hours that is no whole number of days runs from the end of the day (2024-04-01 00:00):
    # 2024-04-02 13:30 is 1 day 13 hours 30 minutes after it
    (timedelta(hours=36), "36 hours", datetime(2024, 4, 2, 13, 30, tzinfo=CST), "late",
     "anchored 2024-04-02 13:30+08:00, 1 天 13 小时 30 分钟 / 1 day 13 hours 30 minutes after the end of "
     "overdue_on 2024-03-31, limit 36 hours"),
])
def test_a_limit_from_a_date_counts_calendar_days(limit, text, anchored, status, reason):
    [result] = judge(rule(limit, "overdue_on", text), [item(anchored)], {"overdue_on": date(2024, 3, 31)})
    assert (result.status, result.reason.removeprefix("loan_contract: ")) == (status, reason)


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(0), "0 秒 / 0 seconds"),
    (timedelta(minutes=1), "1 分钟 / 1 minute"),
    (timedelta(days=2, hours=1, minutes=5, seconds=7), "2 天 1 小时 5 分钟 7 秒 / 2 days 1 hour 5 minutes 7 seconds"),
    (timedelta(days=1, microseconds=250000), "1 天 0.25 秒 / 1 day 0.25 seconds"),
])
def test_duration(delta, text):
    assert duration(delta) == text



def window(side: str, of: str = "overdue_on", limit: timedelta = timedelta(days=30), text: str = "30 days",
           months: int = 0) -> tuple[RequirementSpec, ...]:
    return (RequirementSpec("overdue_notice", anchored=True, within=Within(limit, of, text, side, months)),)


def notice(anchored_at: datetime) -> dict:
    return {"kind": "overdue_notice", "verified": True, "anchored_at": anchored_at, "integrity": "ok"}


@pytest.mark.parametrize(("side", "anchored", "status", "reason"), [
    # after 2024-03-31: the window is 2024-03-31 00:00 … 2024-04-30 (30 days after the 31st) all day
    ("after", datetime(2024, 3, 31, 0, 0, tzinfo=CST), "satisfied", "1 presented"),
    ("after", datetime(2024, 4, 30, 23, 59, tzinfo=CST), "satisfied", "1 presented"),
    # a notice anchored the day before the overdue date is no notice of that overdue: 03-30 is 1 day before
    ("after", datetime(2024, 3, 30, 23, 59, tzinfo=CST), "early",
     "anchored on 2024-03-30, 1 天 / 1 day before overdue_on 2024-03-31: it must be anchored within "
     "30 days after overdue_on"),
    # before 2024-03-31: 2024-03-01 00:00 (30 days before the 31st: 30 in March) … 2024-03-31 all day
    ("before", datetime(2024, 3, 1, 0, 0, tzinfo=CST), "satisfied", "1 presented"),
    ("before", datetime(2024, 2, 29, 23, 0, tzinfo=CST), "early",
     "anchored on 2024-02-29, 31 天 / 31 days before overdue_on 2024-03-31, more than 30 days before it"),
    ("before", datetime(2024, 4, 1, 0, 0, tzinfo=CST), "late",
     "anchored on 2024-04-01, after overdue_on 2024-03-31: it must be anchored within 30 days before overdue_on"),
    # `of` a date: either side — 2024-03-01 … 2024-04-30 (the one-sided reading let years-early items pass)
    ("of", datetime(2024, 3, 1, 8, 0, tzinfo=CST), "satisfied", "1 presented"),
    ("of", datetime(2022, 3, 31, 8, 0, tzinfo=CST), "early",
     "anchored on 2022-03-31, 731 天 / 731 days before overdue_on 2024-03-31, more than 30 days before it"),
    ("of", datetime(2024, 5, 1, 0, 1, tzinfo=CST), "late",
     "anchored on 2024-05-01, 31 天 / 31 days after overdue_on 2024-03-31, limit 30 days"),
])
def test_a_window_around_a_date_has_two_ends(side, anchored, status, reason):
    [result] = judge(window(side), [notice(anchored)], {"overdue_on": date(2024, 3, 31)})
    assert (result.status, result.reason.removeprefix("overdue_notice: ")) == (status, reason)


@pytest.mark.parametrize(("anchored", "status"), [
    # 6 calendar months before 2024-08-31: 2024-02-29 (February has no 31st), from its start
    (datetime(2024, 2, 29, 0, 0, tzinfo=CST), "satisfied"),
    (datetime(2024, 2, 28, 23, 59, tzinfo=CST), "early"),
])
def test_a_window_in_months_moves_by_calendar_months(anchored, status):
    rules = window("before", "filed_on", timedelta(0), "6 months", months=6)
    [result] = judge(rules, [notice(anchored)], {"filed_on": date(2024, 8, 31)})
    assert result.status == status


def statement(created: date, anchored: date | None = None) -> dict:
    return {"kind": "statement", "verified": True, "integrity": "ok",
            "created_at": datetime.combine(created, datetime.min.time(), CST),
            "anchored_at": datetime.combine(anchored or created + timedelta(days=1), datetime.min.time(), CST)}


SIX_MONTHS = (RequirementSpec("statement", at_least=6, anchored=True,
                              dated=Within(timedelta(0), "filed_on", "6 months", "before", 6)),)
FILED = {"filed_on": date(2024, 7, 1)}


def test_only_statements_dated_in_the_window_count():
    # the six months before 2024-07-01: 2024-01-01 … 2024-07-01; statements of Jan … Jun 2024 are six
    monthly = [statement(date(2024, m, 5)) for m in range(1, 7)]
    [result] = judge(SIX_MONTHS, monthly, FILED)
    assert result.status == "satisfied"
    # the same count with one from December 2023 instead of June: five in the window, and the stray named
    [result] = judge(SIX_MONTHS, [statement(date(2023, 12, 5)), *monthly[:5]], FILED)
    assert (result.status, result.reason) == (
        "missing", "5 dated within 6 months before filed_on (2024-01-01 – 2024-07-01), at least 6 required; "
                   "dated outside it: 2023-12-05")


def test_a_statement_dated_after_it_was_anchored_is_not_believed():
    monthly = [statement(date(2024, m, 5)) for m in range(1, 6)] + [statement(date(2024, 6, 5), date(2024, 6, 1))]
    [result] = judge(SIX_MONTHS, monthly, FILED)
    assert result.status == "unverifiable" and "dated 2024-06-05, after it was anchored" in result.reason

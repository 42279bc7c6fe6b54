"""Repayment schedules: each returns the tuple of :class:`Instalment` a case carries.

Generated schedules follow the usual bank practice: the periodic rate is the annual
rate ÷ 12 per month of the period, each period's interest is the opening balance ×
periodic rate, and every scheduled figure is rounded half-up to the fen (a
schedule is a list of amounts to pay, so this is a place where a rule says to
round); the last instalment takes whatever principal is left so the principal adds
up exactly.  The stated interest of each instalment is then the contract interest of
that period (see :class:`~ruledsl.calc.model.Instalment`).

>>> from datetime import date
>>> from decimal import Decimal
>>> [str(i.principal + i.interest) for i in equal_instalment(Decimal(12000), Decimal("0.12"), date(2024, 2, 1), 3)]
['4080.27', '4080.27', '4080.26']
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, localcontext

from ruledsl.calc.model import Instalment
from ruledsl.core.errors import InputError
from ruledsl.core.money import round_fen, to_decimal

TWELVE = Decimal(12)


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, the day clamped to the month's end."""
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _due_dates(first_due_on: date, periods: int, months_between: int) -> list[date]:
    if periods < 1:
        raise InputError.at(f"periods: a schedule needs at least one period, got {periods}")
    if months_between < 1:
        raise InputError.at(f"months_between: must be at least 1, got {months_between}")
    return [add_months(first_due_on, k * months_between) for k in range(periods)]


def bullet(principal: Decimal, due_on: date) -> tuple[Instalment, ...]:
    """到期一次还本付息: all principal on ``due_on``, interest by day count."""
    return (Instalment(due_on, principal),)


def equal_instalment(principal: Decimal, annual_rate: Decimal, first_due_on: date, periods: int,
                     months_between: int = 1) -> tuple[Instalment, ...]:
    """等额本息: equal payments ``P·i(1+i)^n / ((1+i)^n − 1)`` rounded to the fen."""
    dues = _due_dates(first_due_on, periods, months_between)
    i = annual_rate / TWELVE * months_between
    if i == 0:
        return equal_principal(principal, annual_rate, first_due_on, periods, months_between)
    with localcontext() as ctx:
        ctx.prec = 50
        growth = (1 + i) ** periods
        payment = round_fen(principal * i * growth / (growth - 1))
    balance = principal
    out = []
    for k, due in enumerate(dues):
        interest = round_fen(balance * i)
        part = balance if k == periods - 1 else min(payment - interest, balance)
        out.append(Instalment(due, part, interest))
        balance -= part
    return tuple(out)


def equal_principal(principal: Decimal, annual_rate: Decimal, first_due_on: date, periods: int,
                    months_between: int = 1) -> tuple[Instalment, ...]:
    """等额本金: principal ÷ n each period (rounded, last takes the rest) plus interest on the balance."""
    dues = _due_dates(first_due_on, periods, months_between)
    i = annual_rate / TWELVE * months_between
    each = round_fen(principal / periods)
    balance = principal
    out = []
    for k, due in enumerate(dues):
        part = balance if k == periods - 1 else each
        out.append(Instalment(due, part, round_fen(balance * i)))
        balance -= part
    return tuple(out)


def interest_only(principal: Decimal, annual_rate: Decimal, first_due_on: date, periods: int,
                  months_between: int = 1) -> tuple[Instalment, ...]:
    """先息后本: interest each period, all principal with the last instalment."""
    dues = _due_dates(first_due_on, periods, months_between)
    interest = round_fen(principal * annual_rate / TWELVE * months_between)
    return tuple(
        Instalment(due, principal if k == periods - 1 else Decimal("0.00"), interest) for k, due in enumerate(dues)
    )


def explicit(items: Iterable[Mapping[str, object] | Instalment]) -> tuple[Instalment, ...]:
    """An explicit list of ``{due_on, principal, interest?}`` (strings or Decimals)."""
    out = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, Instalment):
            out.append(item)
            continue
        field = f"instalments[{n}]"
        try:
            due = item["due_on"]
            if isinstance(due, str):
                due = date.fromisoformat(due)
            principal = to_decimal(item["principal"], f"{field}.principal")
            interest = item.get("interest")
            interest = None if interest is None else to_decimal(interest, f"{field}.interest")
        except KeyError as exc:
            raise InputError.at(f"{field}: missing `{exc.args[0]}`") from None
        except ValueError as exc:
            raise InputError.at(str(exc)) from None
        out.append(Instalment(due, principal, interest))
    return tuple(out)

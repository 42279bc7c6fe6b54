"""Input checks: a bad case is refused with an :class:`InputError` naming the field.

Nothing is clamped or rescaled: a rate of ``240`` is not read as 24%, a repayment
dated before the disbursement is not moved, a negative amount is not dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from ruledsl.calc.model import ACCRUING, COMPONENTS, Cap, LoanCase, LprRate, Rate
from ruledsl.core.daycount import DayCount
from ruledsl.core.errors import Diagnostic, InputError

#: A rate fraction above this is almost always a percentage typed without ``%``.
MAX_RATE = Decimal(1)


def _rate_problem(rate: Rate | None, field: str, problems: list[Diagnostic]) -> None:
    if rate is None:
        return
    if isinstance(rate, LprRate):
        if not isinstance(rate.term, str) or not rate.term:  # the table's name; the tables know their terms
            problems.append(Diagnostic(f"{field}: LPR term must name an LPR table (one_year, five_year, or a "
                                       f"ruleset's table), got {rate.term!r}"))
        if rate.fixing not in ("floating", "fixed", "repriced"):
            problems.append(Diagnostic(f"{field}: LPR fixing must be floating, fixed or repriced, "
                                       f"got {rate.fixing!r}"))
        if not isinstance(rate.multiple, Decimal) or not rate.multiple.is_finite() or not 0 <= rate.multiple <= 10:
            problems.append(Diagnostic(f"{field}: LPR multiple {rate.multiple} is not between 0 and 10"))
        if not isinstance(rate.spread, Decimal) or not rate.spread.is_finite() or not -MAX_RATE <= rate.spread <= MAX_RATE:
            problems.append(Diagnostic(f"{field}: LPR spread {rate.spread} is not a rate fraction between −1 and 1",
                                       hint="a spread of 3 percentage points is Decimal(\"0.03\")"))
        dates = rate.dates if isinstance(rate.dates, tuple) else None
        if dates is None or not all(type(d) is date for d in dates) or any(
                a >= b for a, b in zip(dates, dates[1:], strict=False)):
            problems.append(Diagnostic(f"{field}: LPR repricing dates must be dates in increasing order, "
                                       f"got {rate.dates!r}"))
        return
    if not isinstance(rate, Decimal) or not rate.is_finite():
        problems.append(Diagnostic(f"{field}: expected a Decimal rate fraction such as Decimal('0.24'), "
                                   f"got {rate!r}"))
        return
    if rate < 0:
        problems.append(Diagnostic(f"{field}: rate {rate} is negative"))
    elif rate > MAX_RATE:
        problems.append(Diagnostic(
            f"{field}: rate {rate} is {rate * 100}% per year — not a plausible annual rate fraction",
            hint=f"rates are fractions: write Decimal(\"{rate / 100}\") for {rate}%"))


def _money_problem(value: object, field: str, problems: list[Diagnostic], positive: bool = False) -> bool:
    if not isinstance(value, Decimal) or not value.is_finite():
        problems.append(Diagnostic(f"{field}: expected a Decimal amount, got {value!r}",
                                   hint="money is Decimal yuan, e.g. Decimal(\"1234.56\"); floats are refused"))
        return False
    if value < 0 or (positive and value == 0):
        problems.append(Diagnostic(f"{field}: amount {value} must be {'positive' if positive else 'zero or more'}"))
        return False
    return True


def _date_problem(value: object, field: str, problems: list[Diagnostic]) -> bool:
    if not isinstance(value, date):
        problems.append(Diagnostic(f"{field}: expected a date, got {value!r}"))
        return False
    return True


#: hints name what a clerk writes in a ruleset, never a Python function
DAY_COUNT_HINT = ("write `day count basis 365 first day counted last day not counted` (算头不算尾), "
                  "or `first day not counted last day counted`")
INSTALMENTS_HINT = ("give the ledger `due_on = …` (one date the whole loan falls due) or "
                    "`instalments = …` with at least one {due_on, principal}")


def day_count_problem(dc: DayCount, problems: list[Diagnostic]) -> None:
    if dc.basis not in (360, 365, 366):
        problems.append(Diagnostic(f"day_count.basis: {dc.basis} is not 360, 365 or 366"))
    if dc.first_day == dc.last_day:
        problems.append(Diagnostic(
            "day_count: counting both the first and the last day (or neither) is not additive over segments",
            hint=DAY_COUNT_HINT))


def dated_items(items, attr: str, name: str, problems: list[Diagnostic], *, start: date | None = None,
                until: date | None = None, amount: bool = True, check: Callable | None = None) -> None:
    """Check a list of dated entries (repayments, costs, postings …): each ``attr`` a date, not before
    ``start`` (the disbursement) nor after ``until`` (the cut-off) when they are given, with a positive
    ``amount`` if ``amount``; ``check(item, "name[n]")`` adds what else an entry must satisfy."""
    for n, item in enumerate(items, start=1):
        f = f"{name}[{n}]"
        when = getattr(item, attr)
        if _date_problem(when, f"{f}.{attr}", problems):
            if start is not None and when < start:
                problems.append(Diagnostic(f"{f}.{attr}: {when} is before disbursed_on {start}"))
            if until is not None and when > until:
                problems.append(Diagnostic(f"{f}.{attr}: {when} is after calc_until {until}",
                                           hint="move calc_until or leave this entry out of the calculation"))
        if amount:
            _money_problem(item.amount, f"{f}.amount", problems, positive=True)
        if check:
            check(item, f)


def check_cap(cap: Cap, field: str, problems: list[Diagnostic]) -> None:
    if (cap.rate is None) == (cap.lpr_multiple is None):
        problems.append(Diagnostic(f"{field}: give exactly one of `rate` or `lpr_multiple`"))
    _rate_problem(cap.rate, f"{field}.rate", problems)
    if cap.lpr_multiple is not None and not (0 < cap.lpr_multiple <= 10):
        problems.append(Diagnostic(f"{field}.lpr_multiple: {cap.lpr_multiple} is not between 0 and 10"))
    if cap.kind not in ("remove", "unsupported"):
        problems.append(Diagnostic(f"{field}.kind: must be `remove` or `unsupported`, got {cap.kind!r}"))
    for comp in cap.components:
        if comp not in ACCRUING:
            problems.append(Diagnostic(f"{field}.components: `{comp}` is not one of {', '.join(ACCRUING)}"))
    if cap.from_on and cap.before and cap.before <= cap.from_on:
        problems.append(Diagnostic(f"{field}: window ends ({cap.before}) before it starts ({cap.from_on})"))


def check_case(case: LoanCase) -> None:
    """Raise one :class:`InputError` listing every problem of ``case`` (or return)."""
    p: list[Diagnostic] = []
    if case.principal is None and case.disbursed_on is None and not case.instalments:
        raise InputError(Diagnostic(
            "the ledger has neither a loan (principal, disbursed_on, due_on or instalments) nor a card "
            "account (postings and statements)", hint="give the loan's figures, or the card's postings and statements"))
    _money_problem(case.principal, "principal", p, positive=True)
    dates_ok = _date_problem(case.disbursed_on, "disbursed_on", p) & _date_problem(case.calc_until,
                                                                                   "calc_until", p)
    if dates_ok and case.calc_until < case.disbursed_on:
        p.append(Diagnostic(f"calc_until: {case.calc_until} is before disbursed_on {case.disbursed_on}"))
    _rate_problem(case.contract_rate, "contract_rate", p)
    _rate_problem(case.penalty_rate, "penalty_rate", p)
    _rate_problem(case.compound_rate, "compound_rate", p)
    day_count_problem(case.day_count, p)

    if not case.instalments:
        p.append(Diagnostic("instalments: a loan needs at least one instalment", hint=INSTALMENTS_HINT))
    total = Decimal(0)
    previous: date | None = None
    for n, inst in enumerate(case.instalments, start=1):
        f = f"instalments[{n}]"
        if not _date_problem(inst.due_on, f"{f}.due_on", p):
            continue
        if dates_ok and inst.due_on <= case.disbursed_on:
            p.append(Diagnostic(f"{f}.due_on: {inst.due_on} is not after disbursed_on {case.disbursed_on}"))
        if previous is not None and inst.due_on <= previous:
            p.append(Diagnostic(f"{f}.due_on: due dates out of order ({inst.due_on} after {previous})",
                                hint="list instalments by due date, each on a later date"))
        previous = inst.due_on
        if _money_problem(inst.principal, f"{f}.principal", p):
            total += inst.principal
        if inst.interest is not None:
            _money_problem(inst.interest, f"{f}.interest", p)
    if case.instalments and isinstance(case.principal, Decimal) and total != case.principal and not any(
            d.message.startswith("instalments") for d in p):
        p.append(Diagnostic(f"instalments: principal of the instalments adds up to {total}, "
                            f"not the loan principal {case.principal}"))

    start, until = (case.disbursed_on, case.calc_until) if dates_ok else (None, None)

    def dated(items, attr: str, name: str, amount: bool, check: Callable | None = None) -> None:
        dated_items(items, attr, name, p, start=start, until=until, amount=amount, check=check)

    def designation(item, f: str) -> None:
        n = item.for_instalment
        if n is None:
            return
        if isinstance(n, bool) or not isinstance(n, (int, Decimal)) or n != int(n) \
                or not 1 <= n <= len(case.instalments):
            p.append(Diagnostic(f"{f}.for_instalment: {n} is not the number of an instalment "
                                f"(1 to {len(case.instalments)})", hint="the instalments are numbered from 1, "
                                "in the order of their due dates"))

    dated(case.repayments, "paid_on", "repayments", True, designation)
    dated(case.costs, "incurred_on", "costs", True)

    def rate_change(item, f: str) -> None:
        _rate_problem(item.contract_rate, f"{f}.contract_rate", p)
        _rate_problem(item.penalty_rate, f"{f}.penalty_rate", p)
        _rate_problem(item.compound_rate, f"{f}.compound_rate", p)

    dated(case.rate_changes, "effective_on", "rate_changes", False, rate_change)
    if case.accelerated_on is not None and _date_problem(case.accelerated_on, "accelerated_on", p) and dates_ok:
        if not case.disbursed_on < case.accelerated_on <= case.calc_until:
            p.append(Diagnostic(f"accelerated_on: {case.accelerated_on} is not after disbursed_on and "
                                f"on or before calc_until"))
    for n, cap in enumerate(case.caps, start=1):
        check_cap(cap, f"caps[{n}]", p)
    order = tuple(case.allocation_order)
    if sorted(order) != sorted(COMPONENTS):
        p.append(Diagnostic(f"allocation_order: must list each of {', '.join(COMPONENTS)} once, got {order}"))
    if case.allocation_by not in ("component", "instalment"):
        p.append(Diagnostic(f"allocation_by: must be `component` or `instalment`, got {case.allocation_by!r}"))
    if p:
        raise InputError(p)

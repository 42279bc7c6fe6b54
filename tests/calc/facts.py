"""The tests' input path: a :class:`LoanCase` from plain data (the YAML facts of tests/calc/cases).

(Not part of the engine: rulesets hand the engine their facts through the ledger's fields,
:mod:`ruledsl.calc.fields`.  This builder, the cap presets of :mod:`tests.calc.caps` and the LPR
tables of :mod:`tests.calc.lpr` exist for the hand-worked cases.)

Field names follow the shipped rulesets: ``principal``, ``contract_rate``,
``penalty_rate``, ``compound_rate``, ``disbursed_on``, ``due_on`` or ``instalments``
(list of ``{due_on, principal, interest}``) or ``schedule``, ``repayments`` (list of
``{paid_on, amount}``), ``calc_until``, ``accelerated_on``, ``costs``, ``rate_changes``,
``caps``, ``day_count``, ``compound``, ``allocation_order``, ``allocation_by``.

Money is a decimal string or int (``"12345.67"``); a rate is ``"18%"``, ``"1.75‱"``,
a fraction string (``"0.18"``) or an LPR record ``{lpr: one_year, multiple: "4",
fixing: floating|fixed|repriced, at: 2021-01-01, spread: "0.5%", dates: [2022-01-01, …]}``.  A bad value raises
:class:`InputError` naming the field.

``schedule`` is ``{kind: bullet|equal_instalment|equal_principal|interest_only,
first_due_on, periods, months_between?}`` (``bullet`` takes ``due_on``); caps are
``{preset: financial_24}``, ``{preset: private_lending, contract_formed_on, filed_on}``,
``{preset: lpr_multiple, multiple, at?}``, ``{preset: credit_card, rate}`` or a full
``{name, citation, rate | lpr_multiple, kind, components, from_on, before}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ruledsl.calc import schedules
from ruledsl.calc.model import DEFAULT_ORDER, Cap, Cost, LoanCase, LprRate, Rate, RateChange, Repayment
from ruledsl.core.daycount import DayCount, to_date
from ruledsl.core.errors import InputError
from ruledsl.core.money import to_decimal
from ruledsl.core.rates import parse_rate
from tests.calc import caps as cap_presets


def _date(value: Any, field: str) -> date:
    try:
        return to_date(value)
    except ValueError:
        raise InputError.at(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None


def _money(value: Any, field: str) -> Decimal:
    try:
        return to_decimal(value, field)
    except ValueError as exc:
        raise InputError.at(str(exc)) from None


def _fraction(value: Any, field: str) -> Decimal:
    """A rate that must be a plain fraction or percentage (no LPR record)."""
    try:
        return parse_rate(value, field)
    except ValueError as exc:
        raise InputError.at(str(exc)) from None


def _rate(value: Any, field: str) -> Rate | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        if "lpr" not in value:
            raise InputError.at(f"{field}: an LPR rate needs `lpr: one_year` or `lpr: five_year`")
        return LprRate(
            multiple=_money(value.get("multiple", "1"), f"{field}.multiple"),
            spread=_fraction(value.get("spread", "0"), f"{field}.spread"),
            term=str(value["lpr"]),
            fixing=str(value.get("fixing", "floating")),
            at=_date(value["at"], f"{field}.at") if value.get("at") is not None else None,
            dates=tuple(_date(d, f"{field}.dates") for d in value.get("dates") or ()),
        )
    return _fraction(value, field)


def _schedule(facts: Mapping[str, Any], principal: Decimal, contract_rate: Rate | None):
    if "instalments" in facts:
        return schedules.explicit(facts["instalments"])
    if "due_on" in facts:
        return schedules.bullet(principal, _date(facts["due_on"], "due_on"))
    spec = facts.get("schedule")
    if not isinstance(spec, Mapping):
        raise InputError.at("schedule: give `due_on`, `instalments` or a `schedule` record")
    kind = spec.get("kind")
    if kind == "bullet":
        return schedules.bullet(principal, _date(spec["due_on"], "schedule.due_on"))
    makers = {"equal_instalment": schedules.equal_instalment, "equal_principal": schedules.equal_principal,
              "interest_only": schedules.interest_only}
    if kind not in makers:
        raise InputError.at(f"schedule.kind: {kind!r} is not one of bullet, {', '.join(makers)}")
    if not isinstance(contract_rate, Decimal):
        raise InputError.at("schedule: a generated schedule needs a fixed contract_rate")
    rate = _fraction(spec["rate"], "schedule.rate") if "rate" in spec else contract_rate
    return makers[kind](principal, rate, _date(spec["first_due_on"], "schedule.first_due_on"),
                        int(spec["periods"]), int(spec.get("months_between", 1)))


def _cap(spec: Mapping[str, Any], field: str) -> tuple[Cap, ...]:
    preset = spec.get("preset")
    comps = tuple(spec["components"]) if "components" in spec else None
    extra = {"components": comps} if comps else {}
    if preset == "financial_24":
        return (cap_presets.financial_24(**extra),)
    if preset == "private_lending":
        return cap_presets.private_lending(_date(spec["contract_formed_on"], f"{field}.contract_formed_on"),
                                           _date(spec["filed_on"], f"{field}.filed_on"), **extra)
    if preset == "lpr_multiple":
        at = _date(spec["at"], f"{field}.at") if spec.get("at") else None
        return (cap_presets.lpr_multiple(_money(spec["multiple"], f"{field}.multiple"), at,
                                         spec.get("citation", ""), **extra),)
    if preset == "credit_card":
        return (cap_presets.credit_card_reduction(_fraction(spec["rate"], f"{field}.rate"), **extra),)
    if preset is not None:
        raise InputError.at(f"{field}.preset: unknown preset {preset!r}")
    return (Cap(
        name=str(spec.get("name", field)), citation=str(spec.get("citation", "")),
        rate=_fraction(spec["rate"], f"{field}.rate") if "rate" in spec else None,
        lpr_multiple=_money(spec["lpr_multiple"], f"{field}.lpr_multiple") if "lpr_multiple" in spec else None,
        lpr_at=_date(spec["lpr_at"], f"{field}.lpr_at") if spec.get("lpr_at") else None,
        kind=str(spec.get("kind", "remove")), **extra,
        from_on=_date(spec["from_on"], f"{field}.from_on") if spec.get("from_on") else None,
        before=_date(spec["before"], f"{field}.before") if spec.get("before") else None,
        reason=str(spec.get("reason", "")),
    ),)


def case_from_mapping(facts: Mapping[str, Any]) -> LoanCase:
    """Turn plain facts into a :class:`LoanCase` (not yet validated: see ``check_case``)."""
    for required in ("principal", "disbursed_on", "contract_rate", "calc_until"):
        if required not in facts:
            raise InputError.at(f"{required}: missing")
    principal = _money(facts["principal"], "principal")
    contract_rate = _rate(facts["contract_rate"], "contract_rate")
    dc = facts.get("day_count") or {}
    caps: tuple[Cap, ...] = ()
    for n, spec in enumerate(facts.get("caps") or (), start=1):
        caps += _cap(spec, f"caps[{n}]")
    return LoanCase(
        principal=principal,
        disbursed_on=_date(facts["disbursed_on"], "disbursed_on"),
        contract_rate=contract_rate,
        calc_until=_date(facts["calc_until"], "calc_until"),
        instalments=_schedule(facts, principal, contract_rate),
        penalty_rate=_rate(facts.get("penalty_rate"), "penalty_rate"),
        compound_rate=_rate(facts.get("compound_rate"), "compound_rate"),
        compound=bool(facts.get("compound", True)),
        repayments=tuple(
            Repayment(_date(r["paid_on"], f"repayments[{n}].paid_on"), _money(r["amount"], f"repayments[{n}].amount"),
                      r.get("for_instalment"))
            for n, r in enumerate(facts.get("repayments") or (), start=1)),
        costs=tuple(
            Cost(_date(c["incurred_on"], f"costs[{n}].incurred_on"), _money(c["amount"], f"costs[{n}].amount"),
                 str(c.get("label", "fees")))
            for n, c in enumerate(facts.get("costs") or (), start=1)),
        rate_changes=tuple(
            RateChange(_date(c["effective_on"], f"rate_changes[{n}].effective_on"),
                       _rate(c.get("contract_rate"), f"rate_changes[{n}].contract_rate"),
                       _rate(c.get("penalty_rate"), f"rate_changes[{n}].penalty_rate"),
                       _rate(c.get("compound_rate"), f"rate_changes[{n}].compound_rate"))
            for n, c in enumerate(facts.get("rate_changes") or (), start=1)),
        accelerated_on=_date(facts["accelerated_on"], "accelerated_on") if facts.get("accelerated_on") else None,
        overdue_day_after=bool(facts.get("overdue_day_after", False)),
        caps=caps,
        allocation_order=tuple(facts.get("allocation_order") or DEFAULT_ORDER),
        allocation_by=str(facts.get("allocation_by", "component")),
        day_count=DayCount(int(dc.get("basis", 365)), bool(dc.get("first_day", True)),
                           bool(dc.get("last_day", False))),
    )

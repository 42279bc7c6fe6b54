"""Bad input is refused with an InputError naming the field; nothing is clamped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ruledsl.calc import Cap, Instalment, LoanCase, Repayment, compute, schedules
from ruledsl.core.daycount import DayCount
from ruledsl.core.errors import InputError
from tests.calc.facts import case_from_mapping

BASE = LoanCase(
    principal=Decimal("10000"), disbursed_on=date(2023, 1, 1), contract_rate=Decimal("0.12"),
    penalty_rate=Decimal("0.18"), instalments=schedules.bullet(Decimal("10000"), date(2024, 1, 1)),
    calc_until=date(2024, 7, 1),
)


def refused(case: LoanCase) -> str:
    with pytest.raises(InputError) as info:
        compute(case)
    return str(info.value)


def test_valid_base_case_runs():
    assert compute(BASE)["interest"] == Decimal("1200.00")


def test_repayment_before_disbursement():
    msg = refused(replace(BASE, repayments=(Repayment(date(2022, 12, 31), Decimal("100")),)))
    assert "repayments[1].paid_on" in msg and "before disbursed_on" in msg


def test_repayment_after_calc_until():
    msg = refused(replace(BASE, repayments=(Repayment(date(2024, 7, 2), Decimal("100")),)))
    assert "repayments[1].paid_on" in msg and "after calc_until" in msg


@pytest.mark.parametrize("amount", [Decimal("-1"), Decimal("0")])
def test_non_positive_repayment(amount):
    msg = refused(replace(BASE, repayments=(Repayment(date(2023, 6, 1), amount),)))
    assert "repayments[1].amount" in msg


def test_negative_principal():
    msg = refused(replace(BASE, principal=Decimal("-10000"),
                          instalments=(Instalment(date(2024, 1, 1), Decimal("-10000")),)))
    assert "principal" in msg


def test_due_dates_out_of_order():
    insts = (Instalment(date(2023, 6, 1), Decimal("5000")), Instalment(date(2023, 3, 1), Decimal("5000")))
    msg = refused(replace(BASE, instalments=insts))
    assert "instalments[2].due_on" in msg and "out of order" in msg


def test_due_date_not_after_disbursement():
    msg = refused(replace(BASE, instalments=(Instalment(date(2023, 1, 1), Decimal("10000")),)))
    assert "instalments[1].due_on" in msg


def test_instalments_must_add_up_to_principal():
    msg = refused(replace(BASE, instalments=(Instalment(date(2024, 1, 1), Decimal("9000")),)))
    assert "instalments" in msg and "9000" in msg


@pytest.mark.parametrize("field", ["contract_rate", "penalty_rate", "compound_rate"])
def test_rate_of_240_is_not_read_as_24_percent(field):
    msg = refused(replace(BASE, **{field: Decimal("240")}))
    assert field in msg and "not a plausible" in msg


def test_rate_of_240_in_facts_names_the_field():
    with pytest.raises(InputError) as info:
        case_from_mapping({"principal": "1000", "disbursed_on": "2023-01-01", "contract_rate": "240",
                           "due_on": "2023-06-01", "calc_until": "2023-06-01"})
    assert "contract_rate" in str(info.value)


def test_negative_rate():
    assert "contract_rate" in refused(replace(BASE, contract_rate=Decimal("-0.01")))


def test_calc_until_before_disbursement():
    msg = refused(replace(BASE, calc_until=date(2022, 12, 1)))
    assert "calc_until" in msg and "before disbursed_on" in msg


def test_float_money_refused():
    assert "principal" in refused(replace(BASE, principal=10000.0))  # type: ignore[arg-type]


def test_float_in_facts_refused():
    with pytest.raises(InputError) as info:
        case_from_mapping({"principal": 1000.5, "disbursed_on": "2023-01-01", "contract_rate": "12%",
                           "due_on": "2023-06-01", "calc_until": "2023-06-01"})
    assert "principal" in str(info.value)


def test_both_ends_counted_refused():
    assert "day_count" in refused(replace(BASE, day_count=DayCount(365, True, True)))


def test_bad_allocation_order():
    assert "allocation_order" in refused(replace(BASE, allocation_order=("principal", "interest")))


def test_acceleration_outside_the_loan():
    assert "accelerated_on" in refused(replace(BASE, accelerated_on=date(2025, 1, 1)))


def test_cap_with_bad_rate_and_kind():
    msg = refused(replace(BASE, caps=(Cap(name="x", citation="", rate=Decimal("24"), kind="maybe"),)))
    assert "caps[1].rate" in msg and "caps[1].kind" in msg


def test_every_problem_reported_at_once():
    case = replace(BASE, contract_rate=Decimal("240"), repayments=(Repayment(date(2020, 1, 1), Decimal("-5")),))
    with pytest.raises(InputError) as info:
        compute(case)
    fields = [d.message.split(":")[0] for d in info.value.diagnostics]
    assert "contract_rate" in fields and "repayments[1].paid_on" in fields and "repayments[1].amount" in fields


def test_missing_fact_named():
    with pytest.raises(InputError) as info:
        case_from_mapping({"principal": "1000", "disbursed_on": "2023-01-01", "contract_rate": "12%"})
    assert "calc_until" in str(info.value)


def test_bad_date_in_facts_named():
    with pytest.raises(InputError) as info:
        case_from_mapping({"principal": "1000", "disbursed_on": "2023-13-01", "contract_rate": "12%",
                           "due_on": "2023-06-01", "calc_until": "2023-06-01"})
    assert "disbursed_on" in str(info.value)


@pytest.mark.parametrize("designated", [0, 2, Decimal("1.5"), -1])
def test_a_payment_designated_for_no_instalment(designated):
    # the one instalment of BASE is number 1: anything else names no debt the debtor owes (民法典 560 ¶1)
    msg = refused(replace(BASE, repayments=(Repayment(date(2024, 2, 1), Decimal("100"), designated),)))
    assert "repayments[1].for_instalment" in msg and "1 to 1" in msg


@pytest.mark.parametrize(("change", "field", "construct"), [
    # what a clerk can act on: the ledger settings and the ruleset header, never a Python function
    ({"instalments": ()}, "instalments", "`instalments = …`"),
    ({"day_count": DayCount(365, True, True)}, "day_count", "first day counted last day not counted"),
])
def test_hints_name_only_what_a_ruleset_can_write(change, field, construct):
    with pytest.raises(InputError) as info:
        compute(replace(BASE, **change))
    [diagnostic] = [d for d in info.value.diagnostics if d.message.startswith(field)]
    assert construct in diagnostic.hint
    assert not any(word in diagnostic.hint for word in ("schedules.", "DayCount(", "True", "False"))

"""The ledger's fields are declared once (ruledsl.calc.fields): the language, the compiled call and the
engine's case all come from that table, and the engine reads no file (LPR tables are passed in)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ruledsl.calc import LEDGER_FIELDS, LoanCase, LprRate, case_from_settings, compute, schedules
from ruledsl.calc.fields import REQUIRED, setting_types
from ruledsl.core.errors import RulesRuntimeError
from ruledsl.lang.checker import LEDGER_REQUIRED, LEDGER_SETTINGS
from ruledsl.ruleset import load
from tests.calc.lpr import load_rate_tables

RULESETS = Path(__file__).resolve().parents[2] / "rulesets" / "cn"


def test_the_checker_reads_the_table():
    assert LEDGER_SETTINGS == setting_types()
    assert list(LEDGER_SETTINGS) == [f.name for f in LEDGER_FIELDS]
    assert LEDGER_REQUIRED == REQUIRED == ("principal", "contract_rate", "disbursed_on", "until")


def test_every_field_fills_a_loan_case_attribute_and_records_are_the_engines_types():
    attrs = {f.name for f in dataclasses.fields(LoanCase)}
    for f in LEDGER_FIELDS:
        assert f.attr in attrs, f.name
        assert f.meaning
        if f.record is not None:
            own = {a.name for a in dataclasses.fields(f.record)}
            # a record's keys are its engine type's fields; one with a default may be left to another
            # field (a repayment's `for_instalment` is given by `designated_repayments` only)
            required = {a.name for a in dataclasses.fields(f.record)
                        if a.default is dataclasses.MISSING and a.default_factory is dataclasses.MISSING}
            assert required <= set(f.keys) <= own, f.name
            assert set(f.optional_keys) <= own


def test_the_case_from_settings_uses_the_defaults_of_the_table():
    case = case_from_settings({"principal": Decimal("100"), "contract_rate": Decimal("0.12"),
                               "disbursed_on": date(2024, 1, 1), "until": date(2024, 6, 1),
                               "instalments": [{"due_on": date(2024, 3, 1), "principal": Decimal("100")}],
                               "costs": [{"incurred_on": date(2024, 4, 1), "amount": Decimal("5")}]})
    assert case.compound is True and case.penalty_rate is None and case.repayments == ()
    assert case.instalments[0].interest is None and case.costs[0].label == "fees"
    assert case.calc_until == date(2024, 6, 1)


@pytest.mark.parametrize("name", ["consumer_loan.rules", "private_lending.rules", "credit_card.rules"])
def test_compiled_rules_pass_the_settings_as_keywords_named_by_the_table(name: str):
    rs = load(RULESETS / name)
    call = next(line for line in rs.python_source.splitlines() if "_ledger_fast(" in line)
    names = [f.name for f in LEDGER_FIELDS]
    given = [n for n in names if f" {n}=v_" in call]
    assert given and "principal" in given and "until" in given
    assert given == sorted(given, key=names.index)  # in the table's order, one keyword per setting


def test_an_lpr_linked_rate_needs_tables():
    case = LoanCase(principal=Decimal("1000"), disbursed_on=date(2023, 1, 1), calc_until=date(2023, 12, 1),
                    contract_rate=LprRate(multiple=Decimal("1.5")),
                    instalments=schedules.bullet(Decimal("1000"), date(2023, 7, 1)))
    for trace in (True, False):
        with pytest.raises(RulesRuntimeError, match="no LPR tables were given"):
            compute(case, trace=trace)
    # floating 1.5 × 1Y LPR: 3.65% for 2023-01-01 → 06-20 (170 days), 3.55% from 2023-06-20 (11 days):
    # 1,000 × 1.5 × (3.65% × 170 + 3.55% × 11) / 365 = 9,893.25 / 365 = 27.1047… → 27.10
    assert compute(case, tables=load_rate_tables())["interest"] == Decimal("27.10")

"""Case inputs refuse what no court figure is, naming the field, before any arithmetic runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ruledsl.core.errors import InputError
from ruledsl.ruleset import load

ROOT = Path(__file__).resolve().parents[2]
FEES = load(ROOT / "rulesets" / "cn" / "court_fees.rules")
LOAN = load(ROOT / "rulesets" / "cn" / "consumer_loan.rules")
LOAN_CASE = {"principal": "10000", "contract_rate": "12%", "disbursed_on": "2024-01-01",
             "instalments": [{"due_on": "2025-01-01", "principal": "10000", "interest": "1200.00"}],
             "filed_on": "2025-01-01"}


@pytest.mark.parametrize(("value", "reason"), [
    ("100000.005", "to the fen"),
    ("１００００", "not a decimal number"),
    ("1" + "0" * 70, "too long for a number"),
])
def test_money_is_yuan_to_the_fen_in_ascii_digits(value: str, reason: str) -> None:
    with pytest.raises(InputError, match=rf"`claim_amount` \(诉讼请求金额\): .*{reason}") as info:
        FEES.evaluate({"claim_amount": value})
    assert len(str(info.value)) < 300


def test_a_time_on_the_edge_of_the_calendar_is_refused_not_overflowed() -> None:
    verified = [{"kind": "loan_contract", "signed": True, "signed_at": "0001-01-01T00:00:00+14:00",
                 "anchored_at": "2024-01-01T10:00:00+08:00"}]
    with pytest.raises(InputError, match=r"signed_at.*outside the dates a case can concern"):
        LOAN.evaluate(LOAN_CASE, verified=verified)


@pytest.mark.parametrize("when", ["20250101", "2025-W01-3", "9999-01-01"])
def test_dates_outside_the_calendar_form_or_range_are_refused(when: str) -> None:
    with pytest.raises(InputError, match=r"`filed_on` \(起诉日\)"):
        LOAN.evaluate({**LOAN_CASE, "filed_on": when})

"""Every message that names a place in a list counts from 1, as a clerk counts (issue 14, item 11):
the second repayment is ``repayments[2]``, whichever layer finds the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from ruledsl.core.errors import InputError, MalformedError
from ruledsl.evidence.facts import verify_declarations
from ruledsl.ruleset import load
from ruledsl.store.cases import exact_dumps

ROOT = Path(__file__).resolve().parents[2]
LOAN = load(ROOT / "rulesets" / "cn" / "consumer_loan.rules")
GOOD = {"due_on": "2025-01-01", "principal": "5000", "interest": "600.00"}
CASE = {"principal": "10000", "contract_rate": "12%", "disbursed_on": "2024-01-01", "filed_on": "2025-06-01"}


@pytest.mark.parametrize(("instalments", "repayments", "where"), [
    # read by the case reader (the pydantic model): its own positions count from 0, messages from 1
    ([{**GOOD, "principal": "5000.001"}, GOOD], [], "instalments[1].principal"),
    ([GOOD, {**GOOD, "principal": "5000.001"}], [], "instalments[2].principal"),
    ([GOOD, GOOD], [{"paid_on": "2024-02-01", "amount": "1"}, {"paid_on": "2024-03-01", "amount": "x"}],
     "repayments[2].amount"),
    # checked by the loan ledger (ruledsl.calc.validate), which already counted from 1
    ([GOOD, {**GOOD, "due_on": "2023-12-01"}], [], "instalments[2].due_on"),
])
def test_list_positions_count_from_one(instalments, repayments, where):
    with pytest.raises(InputError) as info:
        LOAN.evaluate({**CASE, "instalments": instalments, "repayments": repayments})
    assert where in str(info.value), str(info.value)


def test_a_value_the_store_cannot_keep_is_named_from_one():
    with pytest.raises(InputError, match=r"\$\.items\[2\]: "):
        exact_dumps({"items": [1, 2.5]})


def test_an_evidence_declaration_is_named_from_one():
    with pytest.raises(MalformedError, match=r"evidence_files\[2\] must be an object"):
        verify_declarations([{"kind": "loan_contract", "file": "c.pdf"}, "c.pdf"], ROOT / "examples" / "evidence",
                            ROOT / "examples" / "evidence" / "court.pub")

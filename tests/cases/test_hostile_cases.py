"""A corpus of hostile case files, each refused with its reason through the judge assistant's upload
(``decide_upload``) — never a traceback, never minutes of arithmetic, never the whole value echoed back."""

from __future__ import annotations

import json

import pytest

from ruledsl.core.errors import RulesError
from ruledsl.review import decide_upload

LOAN = {"principal": "10000", "contract_rate": "12%", "disbursed_on": "2024-01-01",
        "instalments": [{"due_on": "2025-01-01", "principal": "10000", "interest": "1200.00"}],
        "filed_on": "2025-06-01"}


def wrapped(case: dict | str) -> bytes:
    body = case if isinstance(case, str) else json.dumps(case, ensure_ascii=False)
    return ('{"title": "hostile", "ruleset": "rulesets/cn/consumer_loan.rules", "case": ' + body + "}").encode()


CORPUS = [
    ("nested a thousand deep", wrapped('{"x": ' + "[" * 1000 + "]" * 1000 + "}"), "nested more than 32 levels"),
    ("a 5 MB principal", wrapped({**LOAN, "principal": "9" * 5_000_000}), "too long for a number"),
    ("exponent that would run for minutes", wrapped(json.dumps(LOAN)[:-1] + ', "principal": 1e-999999}'),
     "given twice"),
    ("a tiny exponent as a JSON number", wrapped(json.dumps({**LOAN, "principal": "0"})
                                                 .replace('"principal": "0"', '"principal": 1e-999999')),
     "more than 12 decimal places"),
    ("a rate of 1e-999999999", wrapped(json.dumps(LOAN).replace('"12%"', "1e-999999999")),
     "more than 12 decimal places"),
    ("NaN", wrapped(json.dumps(LOAN).replace('"10000", "contract', 'NaN, "contract')), "not floats"),
    ("full-width digits", wrapped({**LOAN, "principal": "１００００"}), "not a decimal number"),
    ("Arabic-Indic digits", wrapped({**LOAN, "principal": "١٠٠٠٠"}), "not a decimal number"),
    ("money below the fen", wrapped({**LOAN, "principal": "10000.001"}), "to the fen"),
    ("a date without dashes", wrapped({**LOAN, "filed_on": "20250601"}), "write YYYY-MM-DD"),
    ("an ISO week date", wrapped({**LOAN, "filed_on": "2025-W23-1"}), "write YYYY-MM-DD"),
    ("a date 9,998 years on", wrapped({**LOAN, "filed_on": "9999-12-31"}), "outside the dates a case can concern"),
    ("a time at the edge of the calendar", wrapped({**LOAN, "accelerated_on": "0001-01-01"}),
     "outside the dates a case can concern"),
    ("a key given twice", wrapped('{"principal": "1", "principal": "2"}'), "given twice"),
    ("not an object", wrapped("[1, 2, 3]"), "a case is a JSON object"),
    ("an item marked verified by the party", wrapped({**LOAN, "evidence": [{"kind": "loan_contract",
                                                                              "verified": True}]}),
     "verified"),
]


@pytest.mark.parametrize(("data", "reason"), [(d, r) for _, d, r in CORPUS], ids=[n for n, _, _ in CORPUS])
def test_hostile_case_files_are_refused_with_their_reason(data: bytes, reason: str) -> None:
    with pytest.raises(RulesError) as info:
        decide_upload(data, "hostile.json")
    text = str(info.value)
    assert reason in text, text[:500]
    assert len(text) < 2_000  # quoted, never echoed whole


@pytest.mark.parametrize("name", ["a\x00b.pdf", "x" * 300 + ".pdf", "../../etc/passwd"])
def test_declared_evidence_file_names_that_are_no_file_names_are_refused(name: str) -> None:
    from ruledsl.review import DEMO_EVIDENCE

    data = wrapped({**LOAN, "evidence_files": [{"kind": "loan_contract", "file": name}]})
    with pytest.raises(RulesError, match=r"evidence_files\[1\]\.file|not a file name|outside the case directory"):
        decide_upload(data, "hostile.json", DEMO_EVIDENCE)

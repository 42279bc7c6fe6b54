"""Evidence windows in a ruleset (issue 14, item 4): statements counted by their own date, a notice anchored
within a window that has two ends — written by a clerk (tests/lang/fixtures/card_evidence.rules) and
decided through the compiled rules."""

from __future__ import annotations

from pathlib import Path

from ruledsl.ruleset import load
from ruledsl.ruleset.examples import example_case, run_examples

CARD = Path(__file__).resolve().parents[1] / "lang" / "fixtures" / "card_evidence.rules"


def test_the_clerks_worked_examples_pass() -> None:
    results = run_examples(load(CARD))
    assert len(results) == 5 and all(r.passed for r in results), [(r.title, r.failures, r.error) for r in results]


def _decide(rs, title: str, **changes):
    example = next(e for e in rs.checked.examples if e.title == title)
    given, evidence = example_case(rs.checked, example)
    return rs.evaluate({**given, **changes}, verified=evidence)


def test_the_reasons_name_the_window_and_the_strays() -> None:
    rs = load(CARD)
    first = rs.checked.examples[0].title
    decision = _decide(rs, first, filed_on="2024-08-01")
    statement = next(r for r in decision.evidence if r.kind == "statement")
    # 2024-08-01 − 6 months = 2024-02-01: the statements of 02-05 … 06-05 are five; 01-05 is outside
    assert statement.reason == ("5 dated within 6 months before filed_on (2024-02-01 – 2024-08-01), at least 6 "
                                "required; dated outside it: 2024-01-05")
    decision = _decide(rs, first, overdue_on="2024-04-10")
    notice = next(r for r in decision.evidence if r.kind == "overdue_notice")
    # anchored 2024-04-02, overdue 2024-04-10: 8 days before the window opens
    assert notice.status == "early" and "8 天 / 8 days before overdue_on 2024-04-10" in notice.reason

"""A decision as JSON writes each ledger's calculation once: the trace refers to it by name."""

from __future__ import annotations

import json
from pathlib import Path

from ruledsl.ruleset import load

ROOT = Path(__file__).resolve().parents[2]


def test_the_calculation_is_written_once_and_the_trace_refers_to_it():
    rs = load(ROOT / "rulesets" / "cn" / "consumer_loan.rules")
    instalments = [{"due_on": f"2024-{m:02d}-01", "principal": "1000.00", "interest": "100.00"} for m in range(2, 13)]
    case = {"principal": "11000", "contract_rate": "12%", "disbursed_on": "2024-01-01", "instalments": instalments,
            "filed_on": "2025-06-01"}
    out = rs.evaluate(case).as_json()
    text = json.dumps(out, ensure_ascii=False)
    assert text.count('"segments"') == 1 and "segments" in out["values"]["loan"]["calculation"]
    readers = [e for e in out["trace"] if "loan" in e["inputs"]]
    assert readers and all(e["inputs"]["loan"]["calculation"] == "values.loan" for e in readers)
    # the figures stay beside the reference, as in values
    figures = {k: v for k, v in out["values"]["loan"].items() if k != "calculation"}
    assert all({k: e["inputs"]["loan"][k] for k in figures} == figures for e in readers)

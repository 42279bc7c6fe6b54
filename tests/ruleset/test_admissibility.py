"""Admissibility (受理审查): every ground of a ruleset's ``admissibility:`` section is judged, a case meeting
any is not admissible (不予受理) and gets no stage, and each ground it meets is reported with its law —
in the decision, its JSON, the worked examples and the pre-check (per-row and columnar alike)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ruledsl.lang.interpreter import interpret
from ruledsl.precheck.batch import run_batch
from ruledsl.ruleset import load, load_text
from ruledsl.ruleset.examples import run_examples

ROOT = Path(__file__).resolve().parents[2]
LOAN = ROOT / "rulesets" / "cn" / "consumer_loan.rules"

NO_JURISDICTION = "不予受理：本院对本案无管辖权，应向有管辖权的法院起诉"
ARBITRATION = "不予受理：双方订有书面仲裁协议，应向仲裁机构申请仲裁"
ADJUDICATED = "不予受理：本案已有发生法律效力的裁判，可以申请再审"

CASE = {"principal": "10000.00", "contract_rate": "12%", "disbursed_on": "2023-01-01",
        "instalments": [{"due_on": "2024-01-01", "principal": "10000.00", "interest": "1200.00"}],
        "filed_on": "2024-07-01", "mediation_failed": True}

#: (what the case says, the grounds it meets in the ruleset's order — 民事诉讼法 art.122(4) and 127(2)(5),
#: 仲裁法 art.5 — and the stage when it is admitted: no evidence presented, so 非诉调解 by the evidence guide)
CASES = [
    ({}, [], "非诉调解"),
    ({"court_has_jurisdiction": False}, [NO_JURISDICTION], None),
    ({"arbitration_agreed": True}, [ARBITRATION], None),
    ({"court_has_jurisdiction": False, "already_adjudicated": True}, [NO_JURISDICTION, ADJUDICATED], None),
    ({"court_has_jurisdiction": False, "arbitration_agreed": True, "already_adjudicated": True},
     [NO_JURISDICTION, ARBITRATION, ADJUDICATED], None),
]


@pytest.mark.parametrize(("facts", "grounds", "stage"), CASES)
def test_every_ground_a_case_meets_is_reported_and_a_refused_case_gets_no_stage(facts, grounds, stage) -> None:
    rs = load(LOAN)
    decision = rs.evaluate({**CASE, **facts})
    assert [r.message for r in decision.refusals] == grounds
    assert decision.admissible is (not grounds) and decision.route == stage
    data = decision.as_json()
    assert data["admissible"] is (not grounds) and [r["message"] for r in data["refusals"]] == grounds
    # the award is still computed (a clerk sees what the claim is worth): 10,000 + 1,200 interest
    assert str(decision.award["interest"]) == "1200.00"
    # the rule walker reads the grounds as the compiled code does
    _, route = interpret(rs.checked, {f.name: decision.values[f.name] for f in rs.checked.inputs},
                         decision.evidence_complete)
    assert route == (None if grounds else rs.checked.routes.index(
        next(r for r in rs.checked.routes if r.stage == stage)))


def test_each_refusal_cites_its_law_and_its_rule_line() -> None:
    rs = load(LOAN)
    decision = rs.evaluate({**CASE, "court_has_jurisdiction": False, "arbitration_agreed": True})
    jurisdiction, arbitration = decision.refusals
    assert "第一百二十二条" in jurisdiction.citations[0]
    assert "仲裁法 第五条" in arbitration.citations[0] and "第一百二十七条" in arbitration.citations[1]
    text = LOAN.read_text(encoding="utf-8").splitlines()
    assert ARBITRATION in text[arbitration.span.line - 1]
    assert [e.value for e in decision.trace if e.kind == "admissibility"] == [NO_JURISDICTION, ARBITRATION]


RULES = '''ruleset t.admit version "1" effective 2024-01-01
source CPL = "民事诉讼法 第一百二十二条"
source SMALL = "民事诉讼法 第一百六十五条"
input:
  claim_amount: money min 0
  court_has_jurisdiction: bool = true
  defendant_named: bool = true
award:
  fee = claim_amount * 2 / 100 per CPL
admissibility:
  require court_has_jurisdiction otherwise "不予受理：无管辖权" per CPL
  require defendant_named otherwise "不予受理：没有明确的被告" per CPL
  refuse "不予受理：诉请为零" when claim_amount == 0 per CPL
route:
  stage "小额诉讼" when claim_amount <= 50000 per SMALL
  stage "普通程序" otherwise
example "admitted":
  given claim_amount = 100.00
  expect admissible = true, route = "小额诉讼"
example "two grounds" extends "admitted":
  given court_has_jurisdiction = false, defendant_named = false
  expect admissible = false
'''


@pytest.mark.parametrize(("facts", "grounds"), [
    ({"claim_amount": "100.00"}, []),
    ({"claim_amount": "100.00", "defendant_named": False}, ["不予受理：没有明确的被告"]),
    ({"claim_amount": "0.00", "court_has_jurisdiction": False}, ["不予受理：无管辖权", "不予受理：诉请为零"]),
])
def test_require_refuses_unless_it_holds_and_refuse_when_it_holds(facts, grounds) -> None:
    decision = load_text(RULES, "t.rules").evaluate(facts)
    assert [r.message for r in decision.refusals] == grounds
    assert decision.route == (None if grounds else "小额诉讼")


def test_examples_expect_admissibility_and_say_which_grounds_when_wrong() -> None:
    rs = load_text(RULES, "t.rules")
    assert all(r.passed for r in run_examples(rs))
    wrong = load_text(RULES.replace("expect admissible = false", "expect admissible = true"), "t.rules")
    failed = run_examples(wrong)[1]
    assert failed.failures == ["admissible: expected true, got false (不予受理：无管辖权; 不予受理：没有明确的被告)"]


def test_the_chinese_keywords_read_the_same(tmp_path: Path) -> None:
    from ruledsl.lang.fmt import format_text

    zh = format_text(RULES, "t.rules", lang="zh")
    assert "受理:" in zh or "受理：" in zh
    assert '需要 court_has_jurisdiction 其余 "不予受理：无管辖权" 依据 CPL' in zh
    assert all(r.passed for r in run_examples(load_text(zh, "t.rules")))


def test_the_precheck_lists_every_ground_on_both_paths(tmp_path: Path) -> None:
    head = ["借据号", "借款本金", "借款年利率", "放款日", "还款计划", "起诉日", "本院有管辖权",
            "双方订有书面仲裁协议（合同中的仲裁条款有效）"]
    plan = json.dumps([{"due_on": "2024-01-01", "principal": "10000.00", "interest": "1200.00"}])
    rows = [["A1", "10000.00", "12%", "2023-01-01", plan, "2024-07-01", "", ""],
            ["A2", "10000.00", "12%", "2023-01-01", plan, "2024-07-01", "否", "是"]]
    source = tmp_path / "filing.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([head, *rows])
    outputs = []
    for columnar in (False, True):
        out = tmp_path / f"out-{columnar}.csv"
        run_batch(LOAN, source, out, columnar=columnar)
        outputs.append(out.read_bytes())
        with out.open(encoding="utf-8-sig", newline="") as f:
            got = {r["case_id"]: r for r in csv.DictReader(f)}
        refused = got["A2"]
        assert refused["verdict"] == "not_admissible" and refused["verdict_label"] == "不予受理"
        reasons = refused["reasons"].splitlines()
        assert [r.split(": ", 1)[1].split("（")[0] for r in reasons if r.startswith("受理审查")] == [
            NO_JURISDICTION, ARBITRATION]
        assert "仲裁法 第五条" in reasons[-1]
        assert "受理审查" not in got["A1"]["reasons"]
    assert outputs[0] == outputs[1]

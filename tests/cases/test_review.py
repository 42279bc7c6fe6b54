"""Case files: plain or wrapped, their ruleset found from the project root, parties checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ruledsl.cases.review import example_cases, read_case_file
from ruledsl.lang.errors import RulesError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_plain_and_wrapped_case_files(tmp_path: Path) -> None:
    plain = read_case_file(write(tmp_path, {"claim_amount": "100"}), ROOT / "rulesets" / "cn" / "court_fees.rules")
    assert (plain.title, plain.inputs, plain.parties) == ("case", {"claim_amount": "100"}, ())
    wrapped = read_case_file(ROOT / "examples" / "cases" / "loan_consumer_finance_accelerated.json")
    assert wrapped.ruleset == ROOT / "rulesets" / "cn" / "consumer_loan.rules"
    assert wrapped.title.startswith("金融借款合同纠纷")
    assert [p["role"] for p in wrapped.parties] == ["原告 贷款人", "被告 借款人"]


def test_the_shipped_examples_all_read() -> None:
    cases = example_cases()
    assert len(cases) == 11 and all(c.ruleset is not None and c.ruleset.exists() for c in cases)


@pytest.mark.parametrize(("parties", "message"), [
    ({"role": "原告"}, '"parties" must be a list'),
    (["张某"], "parties[1] must be an object"),
    ([{"role": "原告", "name": "张某", "age": "30"}], "parties[1]: unknown field 'age'"),
    ([{"role": "原告", "name": "张某"}, {"role": "被告"}], "parties[2] needs text values, role and name"),
    ([{"role": "原告", "name": 7}], "parties[1] needs text values"),
])
def test_bad_parties_are_refused_with_their_place(tmp_path: Path, parties: object, message: str) -> None:
    fees = str(ROOT / "rulesets" / "cn" / "court_fees.rules")  # absolute: the file sits outside the project
    path = write(tmp_path, {"title": "t", "ruleset": fees, "case": {}, "parties": parties})
    with pytest.raises(RulesError, match=message.replace("[", r"\[").replace("]", r"\]")) as info:
        read_case_file(path)
    assert str(path) in str(info.value)


def test_a_ruleset_the_case_file_names_must_exist(tmp_path: Path) -> None:
    path = write(tmp_path, {"title": "t", "ruleset": "rulesets/cn/nowhere.rules", "case": {}})
    with pytest.raises(RulesError, match="nowhere.rules named by the case file is not found"):
        read_case_file(path)

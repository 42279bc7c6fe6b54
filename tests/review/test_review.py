"""Case files: plain or wrapped, their ruleset found from the project root, parties checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ruledsl.cases.files import read_case_bytes, read_case_file
from ruledsl.core.errors import RulesError
from ruledsl.review import DEMO_EVIDENCE, decide_case, example_cases

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
    assert len(cases) == 12 and all(c.ruleset is not None and c.ruleset.exists() for c in cases)


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


def test_an_upload_may_only_name_a_published_ruleset() -> None:
    def upload(ruleset: str):  # type: ignore[no-untyped-def]
        data = json.dumps({"title": "t", "ruleset": ruleset, "case": {}}).encode()
        return read_case_bytes(data, Path("upload.json"), root=ROOT)

    assert upload("rulesets/cn/court_fees.rules").ruleset == ROOT / "rulesets" / "cn" / "court_fees.rules"
    for elsewhere in ("/etc/passwd", "../../etc/passwd", "README.md", "rulesets/cn/tables/lpr.csv",
                      "rulesets/../examples/evidence/demo.rules", "rulesets/cn/nowhere.rules"):
        with pytest.raises(RulesError, match="is not a published ruleset"):
            upload(elsewhere)


def test_an_uploaded_case_is_decided_and_its_evidence_files_are_never_looked_up_on_the_server() -> None:
    from ruledsl.review import decide_upload

    data = json.dumps({"title": "上传的案件", "ruleset": "rulesets/cn/court_fees.rules",
                       "case": {"claim_amount": "100000"}}, ensure_ascii=False).encode()
    case, _, decision = decide_upload(data, "../../uploaded.json")
    assert case.title == "上传的案件" and case.path == Path("uploaded.json")  # the name only, no folders
    # 诉讼费用交纳办法 art.13(1): 50 for the first 10,000, then 2.5% of 10,000–100,000: 50 + 90,000 × 2.5% = 2,300
    assert str(decision.award["acceptance_fee"]) == "2300.00"

    # a case declaring an evidence file that exists on the server (README.md, at the project root):
    # read from a case file there it is found (and, never anchored, unverifiable); uploaded, it is missing
    wrapped = json.loads((ROOT / "examples" / "cases" / "loan_consumer_finance_accelerated.json").read_text("utf-8"))
    wrapped["case"].pop("evidence", None)
    wrapped["case"]["evidence_files"] = [{"kind": "loan_contract", "file": "README.md"}]
    data = json.dumps(wrapped, ensure_ascii=False).encode()
    _, on_disk = decide_case(read_case_bytes(data, ROOT / "case.json"), DEMO_EVIDENCE)
    _, _, uploaded = decide_upload(data, "case.json", DEMO_EVIDENCE)
    status = {r.kind: r.status for r in on_disk.evidence}, {r.kind: r.status for r in uploaded.evidence}
    assert status[0]["loan_contract"] == "unverifiable" and status[1]["loan_contract"] == "missing"

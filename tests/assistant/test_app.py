"""The judge assistant's page (assistant_ui/examples.py) run by Streamlit's own test runner.

The page only renders what ruledsl computes, so every figure it shows is checked against
the ruledsl API deciding the same case (the figures themselves are proven in tests/calc
and by the rulesets' hand-worked examples).
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="the `ui` extra")  # always installed by `make test`
from streamlit.testing.v1 import AppTest  # noqa: E402

from ruledsl.review import DEMO_EVIDENCE, decide_case, example_cases  # noqa: E402

APP = Path(__file__).resolve().parents[2] / "assistant_ui" / "examples.py"
CASES = example_cases()


def page(index: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    if index:
        at.radio(key="case").set_value(index).run()
    assert not at.exception, at.exception
    return at


def test_every_example_case_is_offered() -> None:
    at = page(0)
    assert at.radio(key="case").options == [c.title for c in CASES]
    assert len(CASES) >= 10  # examples/cases (7) and the evidence demo (4)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.path.parent.name + "/" + c.path.name for c in CASES])
def test_the_page_shows_the_award_ruledsl_decides(index: int) -> None:
    case = CASES[index]
    _, decision = decide_case(case, DEMO_EVIDENCE)
    at = page(index)
    # the title is HTML-escaped text in an <h2> (a party's title is never read as Markdown)
    assert at.get("html")[0].value == f"<h2>{html.escape(case.title)}</h2>"
    award_tab = at.tabs[0]
    if not decision.award:  # the evidence demo's ruleset judges evidence only
        assert [i.value for i in award_tab.info] == ["本规则集无裁判金额 this ruleset decides no amounts"]
        return
    awards = award_tab.dataframe[0].value  # 裁判金额: name, label, amount, law
    shown = dict(zip(awards.iloc[:, 0], awards.iloc[:, 2], strict=True))
    assert shown == {name: f"{money.amount:,.2f}" for name, money in decision.award.items()}
    if "total" in decision.award:
        assert at.metric[0].value == f"{decision.award['total'].amount:,.2f}"
    laws = list(awards.iloc[:, 3])
    assert all(laws), "every award line shows the law behind it"
    download = award_tab.get("download_button")
    assert [d.proto.label for d in download] == ["下载裁判金额计算书 PDF · calculation sheet"]


def test_evidence_findings_and_the_audited_log_are_shown() -> None:
    index = next(i for i, c in enumerate(CASES) if c.path.parent.name == "loan-2024-003")  # repayment record edited
    at = page(index)
    assert [e.value for e in at.error] == ["证据不齐或未通过核验 evidence incomplete — see 证据 evidence"]
    findings = at.tabs[1].dataframe[0].value
    status = dict(zip(findings.iloc[:, 0], findings.iloc[:, 1], strict=True))
    assert status["repayment_record"].endswith("tampered")
    assert status["loan_contract"].endswith("satisfied")
    log = " ".join(c.value for c in at.caption)
    assert "demo.court.example/evidence" in log and "通过 passed" in log


def test_a_ledger_case_shows_its_calculation_sheet() -> None:
    index = next(i for i, c in enumerate(CASES) if c.path.name == "loan_consumer_finance_accelerated.json")
    at = page(index)
    calculation = at.tabs[2]
    assert calculation.subheader[0].value == "loan — 分段计息 segments"
    segments = calculation.dataframe[0].value
    assert {"起 from", "止 to", "天数 days", "金额 amount", "法律依据 law"} <= set(segments.columns)
    assert len(segments) > 0


def test_the_parties_of_a_case_file_are_shown() -> None:
    index = next(i for i, c in enumerate(CASES) if c.path.name == "loan_consumer_finance_accelerated.json")
    at = page(index)
    parties = at.tabs[3].dataframe[0].value
    assert list(parties.iloc[:, 0]) == ["原告 贷款人", "被告 借款人"]
    assert list(parties.iloc[:, 1]) == ["某某消费金融股份有限公司", "王某"]
    # a case file without parties says so
    bare = next(i for i, c in enumerate(CASES) if not c.parties)
    assert [i.value for i in page(bare).tabs[3].info] == ["案件文件未列当事人 the case file lists no parties"]

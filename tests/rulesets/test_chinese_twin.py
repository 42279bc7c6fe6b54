"""``court_fees.zh.rules`` — written in Chinese keywords and names — decides every case as its English twin.

The two files state the same law: the Chinese one names its inputs and award lines in Chinese (审理程序 …)
and its choices in Chinese (``"简易程序"``).  Hypothesis draws cases over the whole range of each input —
amounts from 0 to 100,000,000.00 yuan to the fen, every procedure and way of closing, with and without
preservation and execution — and both readings of the open point the court sets (再减半); the two
rulesets must give every award line to the fen, and the same route.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruledsl.ruleset import load

CN = Path(__file__).resolve().parents[2] / "rulesets" / "cn"

#: English input or award line → its Chinese name; English choice → Chinese choice
NAMES = {"claim_amount": "诉讼请求金额", "procedure": "审理程序", "closed_by": "结案方式",
         "preservation_amount": "保全财产数额", "execution_amount": "执行金额",
         "acceptance_fee": "案件受理费", "preservation_fee": "保全申请费", "execution_fee": "执行申请费"}
CHOICES = {"ordinary": "普通程序", "simple": "简易程序", "small_claims": "小额诉讼程序",
           "judgment": "判决", "mediation": "调解", "withdrawal": "撤诉"}

amounts = st.one_of(
    st.integers(0, 10_000_000_000).map(lambda fen: Decimal(fen) / 100),  # 0 … 100,000,000.00 yuan
    st.sampled_from([Decimal(b) for b in ("0", "1000", "10000", "10000.01", "100000", "500000", "5000000",
                                         "10000000", "20000000", "20000000.01")]),  # the bands' edges
)
cases = st.fixed_dictionaries({
    "claim_amount": amounts,
    "procedure": st.sampled_from(["ordinary", "simple", "small_claims"]),
    "closed_by": st.sampled_from(["judgment", "mediation", "withdrawal"]),
    "preservation_amount": amounts,
    "execution_amount": amounts,
})


def twins(tmp: Path, halve_again: bool):
    """Both rulesets, with the court's reading of open point 2 as given."""
    english = (CN / "court_fees.rules").read_text(encoding="utf-8")
    chinese = (CN / "court_fees.zh.rules").read_text(encoding="utf-8")
    if halve_again:
        english = english.replace("halve_again_after_simple: bool = false", "halve_again_after_simple: bool = true")
        chinese = chinese.replace("简易程序再减半: 是否 = 否", "简易程序再减半: 是否 = 是")
        assert "= true" in english and "= 是" in chinese
    (tmp / "en.rules").write_text(english, encoding="utf-8")
    (tmp / "zh.rules").write_text(chinese, encoding="utf-8")
    return load(tmp / "en.rules"), load(tmp / "zh.rules")


@pytest.fixture(scope="module", params=[False, True], ids=["halve-once", "halve-again"])
def pair(request, tmp_path_factory):
    return twins(tmp_path_factory.mktemp("twins"), request.param)


@settings(max_examples=300, deadline=None)
@given(case=cases)
def test_the_chinese_twin_decides_every_case_alike(pair, case):
    english, chinese = pair
    data = {k: str(v) for k, v in case.items()}
    zh = {NAMES[k]: CHOICES.get(v, v) for k, v in data.items()}
    a = english.evaluate(data, trace=False)
    b = chinese.evaluate(zh, trace=False)
    assert {NAMES[k]: v for k, v in a.award.items()} == b.award
    assert a.route == b.route


def test_the_twin_is_written_in_chinese():
    """Its keywords and its names are Chinese: no English keyword or name outside texts and comments."""
    from ruledsl.lang.fmt import language_of, translate_keywords
    from ruledsl.lang.parser import lark_parser

    text = (CN / "court_fees.zh.rules").read_text(encoding="utf-8")
    assert language_of(text) == "zh"
    assert translate_keywords(text, "zh") == text  # nothing left to translate
    tokens = list(lark_parser().parse_interactive(text).iter_parse())
    english = {str(t) for t in tokens if t.type == "NAME" and str(t).isascii()}
    assert english == {"cn"}, english  # (cn: the ruleset's namespace, cn.诉讼费用)
    assert all(not str(t).isascii() for t in tokens if t.type not in ("NAME", "STRING", "LONG_STRING", "NUMBER",
                                                                      "INT", "PERCENT", "DATE", "COMPARE", "$END")
               and str(t).isalpha())  # every keyword Chinese

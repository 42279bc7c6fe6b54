"""Chinese keywords (中文关键字), Chinese names and full-width punctuation read as the English forms do."""

from __future__ import annotations

from pathlib import Path

import pytest

from ruledsl.cases.inputs import by_name
from ruledsl.core.errors import InputError
from ruledsl.lang import keywords
from ruledsl.lang.checker import check
from ruledsl.lang.fmt import format_text, language_of, translate_keywords
from ruledsl.lang.parser import lark_parser, parse

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "rulesets" / "cn").glob("*.rules"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_ruleset_reads_the_same_in_chinese_keywords(path):
    text = path.read_text(encoding="utf-8")
    tree = parse(text)
    chinese = translate_keywords(text, "zh")
    assert parse(chinese) == tree  # the same tree, whichever language the keywords are in
    assert parse(translate_keywords(chinese, "en")) == tree
    english = translate_keywords(chinese, "en") if language_of(text) == "zh" else text
    assert format_text(chinese, lang="en") == format_text(english, lang="en")


@pytest.mark.parametrize("path", [p for p in SHIPPED if language_of(p.read_text(encoding="utf-8")) == "en"],
                         ids=lambda p: p.name)
def test_no_english_keyword_is_left_after_translation(path):
    chinese = translate_keywords(format_text(path.read_text(encoding="utf-8")), "zh")
    kept = {"NAME", "STRING", "LONG_STRING", "NUMBER", "INT", "PERCENT", "DATE", "COMPARE", "$END"}
    left = {str(t) for t in lark_parser().parse_interactive(chinese).iter_parse()
            if t.type not in kept and str(t).isascii() and any(c.isalpha() for c in str(t))}
    assert not left, left


ENGLISH = '''ruleset t.zh version "1" effective 2024-01-01
  day count basis 360 first day counted last day not counted
input:
  principal: money label "借款本金" min 0
  rate_: rate = 24%
  daily: rate per day = 0.05% per day
  due_on: date
  late: days = 30 days
  items: list of {paid_on: date, amount: money} optional
  kind: enum("a", "b") = "a"
compute:
  interest = accrue(principal, rate_, from due_on to due_on + late, basis 360) per S
award:
  total = if principal > 0 and not (kind == "b") or false then interest else 0 label "合计" per S
  cap total at 1000.00 when true per S
source S = "民法典 第六百八十条"
evidence:
  require at least 2 "statement" signed by "lender" anchored within 24 hours of due_on
    dated within 6 months after due_on otherwise "缺少对账单" per S
  warn if no "notice" per S
admissibility:
  refuse "不予受理" when principal > 1000000 per S
  require principal > 0 otherwise "没有具体的诉讼请求" per S
route:
  stage "立案" when evidence complete per S
  stage "调解" otherwise per S
example "one":
  given principal = 100.00, due_on = 2024-01-01
  expect total = 0.50, route = "立案"
example "two" extends "one":
  given principal = 200.00
  expect admissible = true
'''

CHINESE = '''规则集 t.zh 版本 "1" 生效 2024-01-01
  计息基数 360 首日 计入 末日 不 计入
输入：
  principal： 金额 标签 "借款本金" 最小 0
  rate_: 利率 ＝ 24％
  daily: 利率 每日 = 0.05% 每日
  due_on: 日期
  late: 天数 = 30 天
  items: 列表 {paid_on: 日期， amount: 金额} 可选
  kind: 枚举（"a"， "b"） = "a"
计算:
  interest = 计息(principal, rate_, 自 due_on 至 due_on + late, 基数 360) 依据 S
判项:
  total = 如果 principal > 0 且 非 (kind == "b") 或 否 那么 interest 否则 0 标签 "合计" 依据 S
  上限 total 按 1000.00 当 是 依据 S
来源 S = "民法典 第六百八十条"
证据:
  需要 至少 2 "statement" 已签名 由 "lender" 已存证 限于 24 小时 距 due_on
    落款 限于 6 个月 晚于 due_on 其余 "缺少对账单" 依据 S
  提示 如果 无 "notice" 依据 S
受理：
  不予受理 "不予受理" 当 principal > 1000000 依据 S
  需要 principal > 0 其余 "没有具体的诉讼请求" 依据 S
分流:
  阶段 "立案" 当 证据 齐全 依据 S
  阶段 "调解" 其余 依据 S
示例 "one":
  给定 principal = 100.00, due_on = 2024-01-01
  期望 total = 0.50, route = "立案"
示例 "two" 沿用 "one":
  给定 principal = 200.00
  期望 admissible = 是
'''


def test_every_keyword_has_a_chinese_form_that_reads_the_same():
    """A ruleset using every construct, written by hand in each language (full-width ：，（）％＝ and the
    full-width space among the Chinese), parses to one tree; each translates into the other."""
    tree = parse(ENGLISH)
    assert parse(CHINESE) == tree
    assert check(parse(CHINESE)).inputs == check(tree).inputs
    assert parse(CHINESE.replace("  principal：", "\u3000\u3000principal：")) == tree  # full-width spaces
    assert parse(translate_keywords(ENGLISH, "zh")) == tree
    assert parse(translate_keywords(CHINESE, "en")) == tree
    assert format_text(CHINESE, lang="en") == format_text(ENGLISH)
    assert language_of(CHINESE) == "zh" and language_of(ENGLISH) == "en"


def test_chinese_names_check_and_compile():
    text = '''规则集 t.names 版本 "1" 生效 2024-01-01
输入:
  借款本金: 金额 标签 "借款本金"
  年利率: 利率
判项:
  利息 = 计息(借款本金, 年利率, 自 2024-01-01 至 2024-12-31) 标签 "利息"
'''
    checked = check(parse(text))
    assert [f.name for f in checked.inputs] == ["借款本金", "年利率"] and list(checked.awards) == ["利息"]


def test_the_aliases_are_one_to_one():
    """A Chinese word stands for one English keyword (so translation goes both ways)."""
    words = [*keywords.ALIASES.values(), *keywords.PHRASES.values()]
    assert len(words) == len(set(words))


def test_inputs_may_be_given_by_their_labels():
    checked = check(parse(ENGLISH))
    assert by_name(checked, {"借款本金": "5", "due_on": "2024-01-01"}) == {"principal": "5", "due_on": "2024-01-01"}
    assert by_name(checked, {" 借款本金 ": "5"}) == {"principal": "5"}  # spaces around a heading, as typed
    with pytest.raises(InputError, match="is the label of `principal`, which is given too"):
        by_name(checked, {"借款本金": "5", "principal": "6"})

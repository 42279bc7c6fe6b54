"""Diagnostics in the language of the file (issue 14 item 6): a ruleset written with Chinese keywords gets
its messages in Chinese (or `--lang`); the place, the line and the caret stay the same.

Each expected Chinese wording below is what the catalogue (ruledsl/core/messages.py) says for that kind
of message; the English message it comes from is the one the gallery file states on its first line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ruledsl.core.errors import Diagnostic, RulesError
from ruledsl.core.messages import known, to_chinese
from ruledsl.ruleset import load

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "tests" / "lang" / "errors"
ZH_FEES = ROOT / "rulesets" / "cn" / "court_fees.zh.rules"
_SCRIPT = Path(sys.executable).with_name("ruledsl")
RULEDSL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "ruledsl.cli"]


@pytest.mark.parametrize(("english", "chinese"), [
    # what a pre-check row says, for a ruleset in Chinese (2024 is a leap year: February has 29 days)
    ("'2024-02-30' is not a date on the calendar: February 2024 has 29 days", "'2024-02-30' 不是日历上的日期：2024年2月只有 29 天"),
    ("missing required field `instalments[1].interest`", "缺少必填项 `instalments[1].interest`"),
    ("contract.pdf: anchored 2 天 19 小时 / 2 days 19 hours after signed_at, limit 24 hours",
     "contract.pdf：签署后 2 天 19 小时才存证，时限为 24 小时"),
    ("repayments.csv: the file does not match the digest anchored on the log", "repayments.csv：文件与存证时的摘要不一致"),
    ("5 dated within 6 months before filed_on (2024-02-01 – 2024-08-01), at least 6 required; dated outside it: "
     "2024-01-05", "落款日期在 filed_on 之前 6 个月内（2024-02-01 至 2024-08-01）的有 5 份，至少应有 6 份；落款日期在此之外的：2024-01-05"),
    ("unknown name `claim_amout`", "未知的名称 `claim_amout`"),
    ("did you mean `claim_amount`?", "是否应为 `claim_amount`？"),
    ("cannot add rate to money", "不能把年利率加到金额上"),
    ("the default of `due_on` must be date, but this is number", "`due_on` 的缺省值应为日期，但这里是数值"),
    ("impossible date 2023-02-29: February 2023 has 28 days", "不存在的日期 2023-02-29：2023 年 2 月只有 28 天"),
    ("a bare number beside a rate: 24 would be read as 2400%", "利率旁边的数字没有单位：24 会被读作 2400%"),
    ("`monthly_rate` must be at most 2.5% per month, but it is 3% per month",
     "`monthly_rate` 应不超过 2.5% per month，但实际为 3% per month"),
    ("a message no catalogue line knows", "a message no catalogue line knows"),
])
def test_a_message_in_chinese(english, chinese):
    assert to_chinese(english) == chinese


def test_the_frame_is_chinese_and_the_place_is_kept():
    d = load_error(GALLERY / "undefined_name.rules").diagnostics[0]
    en, zh = d.render("en"), d.render("zh")
    assert en.splitlines()[1:3] == zh.splitlines()[1:3]          # the source line and the caret
    assert zh.splitlines()[0].startswith(f"{d.span}: 错误: 未知的名称")
    assert "= 提示: 是否应为" in zh


def load_error(path: Path) -> RulesError:
    with pytest.raises(RulesError) as info:
        load(path)
    return info.value


def test_every_gallery_message_has_a_chinese_wording():
    """Every message of the error gallery has its Chinese wording in the catalogue, and most hints do (a new
    kind of message without one fails here, naming it)."""
    firsts: list[Diagnostic] = [load_error(path).diagnostics[0] for path in sorted(GALLERY.glob("*.rules"))]
    assert [d.message for d in firsts if not known(d.message)] == []
    hints = [d.hint for d in firsts if d.hint]
    unknown = [h for h in hints if not known(h)]
    assert len(unknown) <= 0.15 * len(hints), unknown


def ruledsl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*RULEDSL, *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_a_chinese_ruleset_is_told_its_mistakes_in_chinese(tmp_path):
    broken = tmp_path / "fees.zh.rules"
    text = ZH_FEES.read_text(encoding="utf-8").replace("诉讼请求金额: 金额", "诉讼请求金额: 金钱", 1)
    assert text != ZH_FEES.read_text(encoding="utf-8")
    broken.write_text(text, encoding="utf-8")
    (tmp_path / "tables").mkdir()
    result = ruledsl("check", broken)
    assert result.returncode == 1
    assert ": 错误: 此处不应出现 `金钱`" in result.stderr, result.stderr
    english = ruledsl("check", "--lang", "en", broken)
    assert ": error: unexpected `金钱`" in english.stderr, english.stderr
    assert ruledsl("check", "--lang", "fr", broken).returncode == 2


def test_what_the_parser_expected_is_named_in_the_files_keywords(tmp_path):
    broken = tmp_path / "t.rules"
    broken.write_text('规则集 t 版本 "1" 生效 2024-01-01\n输入：\n  本金： 金额\n判项：\n  合计 = 本金 +\n', encoding="utf-8")
    result = ruledsl("check", broken)
    # after `+` an operand: `accrue` is 计息, `evidence` 证据, `previous` 上期 in a file written in Chinese
    assert "此处应为 `(`" in result.stderr and "`计息`" in result.stderr and "`上期`" in result.stderr
    assert "accrue" not in result.stderr and " 或 …" in result.stderr
    english = ruledsl("check", "--lang", "en", broken)
    assert "`accrue`" in english.stderr and " or …" in english.stderr

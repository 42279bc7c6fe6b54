"""Diagnostics in Chinese (诊断信息的中文表述): what a clerk reads when her ruleset is written in Chinese.

The checker, the parser and the readers word every problem once, in English (:class:`Diagnostic`).
:meth:`Diagnostic.localized` (through :func:`to_chinese`) gives a diagnostic in the language of the file: for ``"zh"`` the message and the hint
are matched against :data:`CATALOGUE` — one line per kind of message, its English pattern and its Chinese
wording — and the types they name (money, rate …) are given their Chinese words (:data:`TYPE_WORDS`).
A message the catalogue does not know keeps its English words (the place, the source line, the caret
and the frame are Chinese all the same); ``tests/core/test_messages.py`` lists which gallery messages are
covered, so a new kind of message shows up there.

Imports nothing of the project.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: the frame of a rendered diagnostic
FRAME: dict[str, dict[str, str]] = {
    "zh": {"error": "错误", "warning": "警告", "hint": "提示", "law": "依据"},
}

#: the types and units a message names
TYPE_WORDS: dict[str, str] = {
    "money": "金额", "rate": "年利率", "rate per day": "日利率", "rate per month": "月利率", "date": "日期",
    "days": "天数", "hours": "小时数", "years": "年数", "number": "数值", "percentage": "百分数", "text": "文本",
    "bool": "是否（真/假）", "true or false": "是或否", "empty list": "空列表", "days per year": "每年天数",
    "money·day/year": "金额·天/年", "money/year": "金额/年",
}

_T = r"(?P<{0}>[^,:;]+?)"  # a type word

#: (English pattern — fullmatch, Chinese wording); groups named t… are type words
_RAW: list[tuple[str, str]] = [
    # names and declarations
    (r"unknown name `(?P<n>[^`]+)`", "未知的名称 `{n}`"),
    (r"unknown keyword `(?P<n>[^`]+)`", "未知的关键字 `{n}`"),
    (r"unknown function `(?P<n>[^`]+)`", "未知的函数 `{n}`"),
    (r"unknown source `(?P<n>[^`]+)`", "未知的来源 `{n}`"),
    (r"unknown table `(?P<n>[^`]+)`", "未知的表 `{n}`"),
    (r"did you mean `(?P<n>[^`]+)`\?", "是否应为 `{n}`？"),
    (r"`(?P<n>[^`]+)` is defined twice", "`{n}` 定义了两次"),
    (r"first defined at line (?P<l>\d+); rename one of them", "第一次定义在第 {l} 行；请给其中一个改名"),
    (r"source `(?P<n>[^`]+)` is declared twice", "来源 `{n}` 声明了两次"),
    (r"source `(?P<n>[^`]+)` is declared but no rule cites it", "声明了来源 `{n}`，但没有规则引用它"),
    (r"`(?P<n>[^`]+)` is a reserved word and cannot be defined", "`{n}` 是保留字，不能用作名称"),
    (r"`(?P<n>[^`]+)` is the keyword `(?P<k>[^`]+)`; choose another name", "`{n}` 是关键字 `{k}`；请换一个名称"),
    (r"`(?P<n>[^`]+)` depends on itself: (?P<c>.+)", "`{n}` 依赖于自身：{c}"),
    (r"a definition cannot use its own value, directly or through others", "一个定义不能直接或者间接地使用自身的值"),
    (r"`(?P<n>[^`]+)` is not an award line", "`{n}` 不是判项"),
    (r"only award lines can be capped", "只有判项可以设上限"),
    (r"award line `(?P<n>[^`]+)` must be money, but it is " + _T.format("t"), "判项 `{n}` 应为金额，但这里是{t}"),
    (r"award line `(?P<n>[^`]+)` cites no law", "判项 `{n}` 没有引用法律依据"),
    # types and units
    (r"cannot add " + _T.format("t1") + " to " + _T.format("t2"), "不能把{t1}加到{t2}上"),
    (r"cannot subtract " + _T.format("t1") + " from " + _T.format("t2"), "不能从{t2}中减去{t1}"),
    (r"cannot compare " + _T.format("t1") + " with " + _T.format("t2"), "不能比较{t1}与{t2}"),
    (r"cannot multiply " + _T.format("t1") + " by " + _T.format("t2"), "不能用{t2}乘{t1}"),
    (r"cannot divide " + _T.format("t1") + " by " + _T.format("t2"), "不能用{t2}除{t1}"),
    (r"the two branches differ: " + _T.format("t1") + " after `then`, " + _T.format("t2") + " after `else`",
     "两个分支的类型不同：`那么` 之后是{t1}，`否则` 之后是{t2}"),
    (r"(?P<w>.+?) must be " + _T.format("t1") + ", but this is " + _T.format("t2"), "{w}应为{t1}，但这里是{t2}"),
    (r"an `if` condition must be true or false, but this is " + _T.format("t"), "`如果` 的条件应为是或否，但这里是{t}"),
    (r"a route condition must be true or false, but this is " + _T.format("t"), "分流条件应为是或否，但这里是{t}"),
    (r"a bare number beside a rate: (?P<x>\S+) would be read as (?P<p>\S+)",
     "利率旁边的数字没有单位：{x} 会被读作 {p}"),
    (r"write `(?P<x>[^`]+)%` for (?P<y>\S+) percent \(a rate is written with %, or as a fraction below 1 such as "
     r"`(?P<f>[^`]+)`\)", "百分之 {y} 请写作 `{x}%`（利率用 % 书写，或者写作小于 1 的小数，如 `{f}`）"),
    (r"money and a rate cannot be added or compared: multiply the money by the rate first",
     "金额与利率不能相加或比较：请先用金额乘以利率"),
    (r"money × rate × days is money·days/year: divide by `basis` \(days per year\), or use accrue\(…\)",
     "金额 × 利率 × 天数 的单位是 金额·天/年：请除以 `basis`（每年天数），或者使用 accrue(…)"),
    (r"a percentage beside a monthly rate: is (?P<x>\S+) a month's rate or a year's\?",
     "月利率旁边的百分数：{x} 是月利率还是年利率？"),
    (r"`/ 12` does not make a monthly rate: a rate stays a rate a year whatever it is divided by",
     "`/ 12` 得不到月利率：利率无论除以多少，仍是年利率"),
    (r"`\* 12` does not make a monthly rate: a rate stays a rate a year whatever it is multiplied by",
     "`* 12` 得不到月利率：利率无论乘以多少，仍是年利率"),
    (r"`\^` raises a number to a whole power, but this is " + _T.format("t"), "`^` 是数值的整数次幂，但这里是{t}"),
    (r"(?P<w>.+?) must be a whole number, not (?P<x>\S+)", "{w}应为整数，而不是 {x}"),
    (r"an item's number is at least 1, not (?P<x>\S+)", "列表的项从 1 开始计数，不能是 {x}"),
    (r"items are counted from 1", "列表的项从 1 开始计数"),
    # money and dates
    (r"(?P<w>.+?) is money, but (?P<x>\S+) has more than two decimal places",
     "{w}是金额，但 {x} 超过两位小数"),
    (r"money is yuan to the fen \(at most two decimal places\): write (?P<x>\S+)",
     "金额以元为单位、精确到分（至多两位小数）：请写作 {x}"),
    (r"impossible date (?P<d>\S+): (?P<mn>\w+) (?P<y>\d{4}) has (?P<n>\d+) days",
     "不存在的日期 {d}：{y} 年 {mn} 月只有 {n} 天"),
    (r"impossible date (?P<d>\S+): there is no month (?P<m>\d+)", "不存在的日期 {d}：没有 {m} 月"),
    (r"dates are written YYYY-MM-DD: (?P<d>\S+)", "日期写作 YYYY-MM-DD：{d}"),
    (r"numbers have no thousands separators: write (?P<x>\S+)", "数字不用千位分隔符：请写作 {x}"),
    (r"unexpected `,` in a number", "数字中出现了意外的 `,`"),
    # syntax
    (r"unexpected `(?P<x>[^`]+)`", "此处不应出现 `{x}`"),
    (r"unexpected character `(?P<x>[^`]+)`", "此处不应出现字符 `{x}`"),
    (r"the ruleset ends too early", "规则集提前结束"),
    (r"expected (?P<kw>.+)", "此处应为 {kw}"),
    (r"texts are written in double quotes: \"…\"", "文本用英文双引号书写：\"…\""),
    (r"a ruleset must start with `ruleset NAME version \"…\" effective YYYY-MM-DD`",
     "规则集应以 `规则集 名称 版本 \"…\" 生效 YYYY-MM-DD` 开头"),
    (r"to compare, write `==`", "比较请写 `==`"),
    # examples
    (r"example \"(?P<e>[^\"]+)\" is named twice: here and at line (?P<l>\d+)", "示例 \"{e}\" 重名：此处与第 {l} 行"),
    (r"example gives unknown input `(?P<n>[^`]+)`", "示例给定了未知的输入 `{n}`"),
    (r"example expects unknown output `(?P<n>[^`]+)`", "示例期望了未知的输出 `{n}`"),
    (r"example \"(?P<e>[^\"]+)\" does not give required input `(?P<n>[^`]+)`", "示例 \"{e}\" 没有给定必需的输入 `{n}`"),
    (r"example expects evidence \"(?P<k>[^\"]+)\", which no evidence rule names",
     "示例期望了证据 \"{k}\"，但没有证据规则提到它"),
    (r"add: given (?P<n>\S+) = …", "请补充：给定 {n} = …"),
    (r"example \"(?P<e>[^\"]+)\" extends \"(?P<b>[^\"]+)\", which is written below it",
     "示例 \"{e}\" 沿用的示例 \"{b}\" 写在它的下面"),
    (r"example \"(?P<e>[^\"]+)\" extends \"(?P<b>[^\"]+)\", which is no example of this ruleset",
     "示例 \"{e}\" 沿用的 \"{b}\" 不是本规则集的示例"),
    (r"an example extends one written above it", "示例只能沿用写在它上面的示例"),
    (r"write the title of an example above it", "请写上面某个示例的标题"),
    (r"expect admissible = true or false", "请写 期望 admissible = 是 或 否"),
    # case values (a case file, --set, a pre-check's cells)
    (r"(?P<v>'[^']*') is not a date on the calendar: (?P<mn>[A-Z][a-z]+) (?P<y>\d+) has (?P<d>\d+) days",
     "{v} 不是日历上的日期：{y}年{mn}月只有 {d} 天"),
    (r"(?P<v>'[^']*') is not a date on the calendar: there is no month (?P<m>\d+)", "{v} 不是日历上的日期：没有 {m} 月"),
    (r"(?P<v>'[^']*') is not a date on the calendar: there is no year 0", "{v} 不是日历上的日期：没有公元 0 年"),
    (r"(?P<v>'[^']*') is not a date; write YYYY-MM-DD", "{v} 不是日期：请写 YYYY-MM-DD（如 2024-03-01）"),
    (r"(?P<d>\S+) is outside the dates a case can concern \((?P<a>\S+) to (?P<b>\S+)\)",
     "{d} 超出案件可能涉及的日期（{a} 至 {b}）"),
    (r"(?P<v>'[^']*') is not a decimal number \(write plain digits 0–9 such as 12345\.67\)",
     "{v} 不是数字：请只用阿拉伯数字 0–9 书写，如 12345.67"),
    (r"(?P<v>\S+) is not an amount in yuan to the fen \(at most two decimal places\)",
     "{v} 不是精确到分的金额（至多两位小数）"),
    (r"(?P<v>'[^']*') is not true or false", "{v} 不是“是”或“否”"),
    (r"(?P<v>'[^']*') is not 是/否 \(true/false\)", "{v} 不是“是”或“否”"),
    (r"missing required field `(?P<n>[^`]+)`", "缺少必填项 `{n}`"),
    (r"missing required input `(?P<n>[^`]+)` \((?P<l>[^)]+)\)", "缺少必填的输入 `{n}`（{l}）"),
    (r"missing required input `(?P<n>[^`]+)`", "缺少必填的输入 `{n}`"),
    (r"rate: (?P<v>\S+) is not a plausible rate fraction; write \"(?P<p>[^\"]+)\" if you mean (?P=v) percent "
     r"\(a rate is written as a percentage such as \"24%\" or a fraction such as \"0\.24\"\)",
     "利率 {v} 不合常理：如指百分之 {v}，请写 \"{p}\"（利率写作百分数如 \"24%\"，或小数如 \"0.24\"）"),
    (r"not JSON \((?P<x>.+)\)", "不是 JSON 格式（{x}）"),
    # evidence findings (the reason a requirement is not met: ``file: what``)
    (r"(?P<f>[^:]+): the file does not match the digest anchored on the log", "{f}：文件与存证时的摘要不一致"),
    (r"(?P<f>[^:]+): declared but not anchored on the evidence log \(no bundle\)",
     "{f}：仅为声明，未在存证平台存证（未提交证据包）"),
    (r"(?P<f>[^:]+): its anchoring could not be verified", "{f}：存证无法核验"),
    (r"(?P<f>[^:]+): no valid signature", "{f}：没有有效的电子签名"),
    (r"(?P<f>[^:]+): no trusted timestamp", "{f}：没有可信时间戳"),
    (r"(?P<f>[^:]+): not anchored on the evidence log", "{f}：未在存证平台存证"),
    (r"(?P<f>[^:]+): anchored (?P<zh>[^/]+?) / [^,]+ after (?P<it>\w+), limit (?P<du>.+)",
     "{f}：{it}后 {zh}才存证，时限为 {du}"),
    (r"(?P<f>[^:]+): anchored on (?P<d>\S+), (?P<zh>[^/]+?) / [^,]+ after (?P<n>\w+) (?P<r>\S+), limit (?P<du>.+)",
     "{f}：{d} 存证，在 {n}（{r}）之后 {zh}，时限为 {du}"),
    (r"(?P<f>[^:]+): anchored on (?P<d>\S+), (?P<zh>[^/]+?) / [^:]+ before (?P<n>\w+) (?P<r>\S+): it must be anchored "
     r"within (?P<du>\S+ \S+) after (?P=n)", "{f}：{d} 存证，早于 {n}（{r}）{zh}；应在其后 {du}内存证"),
    (r"(?P<f>[^:]+): anchored on (?P<d>\S+), (?P<zh>[^/]+?) / [^,]+ before (?P<n>\w+) (?P<r>\S+), more than (?P<du>.+) "
     r"before it", "{f}：{d} 存证，早于 {n}（{r}）{zh}，超过 {du}"),
    (r"(?P<f>[^:]+): anchored on (?P<d>\S+), after (?P<n>\w+) (?P<r>\S+): it must be anchored within (?P<du>\S+ \S+) "
     r"before (?P=n)", "{f}：{d} 存证，晚于 {n}（{r}）；应在其前 {du}内存证"),
    (r"(?P<f>[^:]+): (?P<k>\d+) presented, at least (?P<n>\d+) required", "{f}：提交 {k} 份，至少应有 {n} 份"),
    (r"(?P<k>\d+) presented, at least (?P<n>\d+) required", "提交 {k} 份，至少应有 {n} 份"),
    (r"(?P<k>\d+) dated within (?P<du>\S+ \S+) before (?P<n>\w+) \((?P<a>\S+) – (?P<b>\S+)\), at least (?P<m>\d+) "
     r"required(?P<rest>.*)", "落款日期在 {n} 之前 {du}内（{a} 至 {b}）的有 {k} 份，至少应有 {m} 份{rest}"),
    # the rest of the gallery's messages, by section
    (r"`add_months` takes a date and a whole number of months", "`add_months` 需要一个日期和一个整数月数"),
    (r"`month_end` takes one date and gives the last day of its month", "`month_end` 需要一个日期，给出该月最后一日"),
    (r"a cap's limit depends on a line it caps", "上限的限额依赖于它所限制的判项"),
    (r"the claim names `(?P<n>[^`]+)`, which is not an award line", "诉请中的 `{n}` 不是判项"),
    (r"`within (?P<n>[^`]+)`: `(?P=n)` is not an input", "`限于 {n}`：`{n}` 不是输入"),
    (r"`(?P<n>[^`]+)` is defined by `within claimed` \(line (?P<l>\d+)\)", "`{n}` 已由第 {l} 行的 `限于 claimed` 定义"),
    (r"the award is limited to the claim twice", "判项被两次限于诉请"),
    (r"a date moves by whole calendar months, not by a computed share of a year",
     "日期只能按整月移动，不能按计算出的年份比例移动"),
    (r"a day count counts the first day or the last day, not both and not neither",
     "计息天数应计入首日或末日之一（算头不算尾或算尾不算头），不能都计入或都不计入"),
    (r"`(?P<n>[^`]+)` is computed by the ruleset; an input's default or bound may use only inputs",
     "`{n}` 由规则集计算得出；输入的缺省值或上下限只能使用输入"),
    (r"`(?P<n>[^`]+)`: names beginning with `__` are reserved", "`{n}`：以 `__` 开头的名称为保留名称"),
    (r"\"(?P<v>[^\"]*)\" is not one of (?P<o>.+)", "\"{v}\" 不是可选值之一（{o}）"),
    (r"`evidence complete` needs an `evidence:` section", "`证据 齐全` 需要 `证据:` 部分"),
    (r"example expects `admissible`, but the ruleset has no `admissibility:` section",
     "示例期望了 `admissible`，但规则集没有 `受理:` 部分"),
    (r"every case is admissible here; add `admissibility:` with the grounds to refuse",
     "此规则集受理所有案件；如需审查，请添加 `受理:` 部分并写明不予受理的情形"),
    (r"`\[…\]` picks an item of a list, but this is " + _T.format("t"), "`[…]` 取列表中的一项，但这里是{t}"),
    (r"`(?P<n>[^`]+)` is not something a payment can go to", "还款不能冲抵 `{n}`"),
    (r"`(?P<n>[^`]+)` cannot be capped by a ledger cap", "台账上限不能限制 `{n}`"),
    (r"a card account needs `statements = …` beside its postings", "信用卡账户除交易记录外还需要 `statements = …`"),
    (r"the ledger needs `(?P<n>[^`]+) = …`", "台账需要设置 `{n} = …`"),
    (r"`statements` belongs to a card account: the ledger needs `postings = …` too",
     "`statements` 属于信用卡账户：台账还需要 `postings = …`"),
    (r"a multiple of `(?P<n>[^`]+)` is a number \((?P<a>[^)]+)\) or a percentage \((?P<b>[^)]+)\), but this is "
     + _T.format("t"), "`{n}` 的倍数应为数值（{a}）或百分数（{b}），但这里是{t}"),
    (r"`floating` ties a rate to a dated table, but this names none", "`浮动` 使利率随日期表变动，但这里没有指明日期表"),
    (r"a rate that follows a table \(`… floating`\) is given only to a ledger's (?P<x>.+)",
     "随表变动的利率（`… 浮动`）只能用于台账的 {x}"),
    (r"`repriced on …` needs a list of dates \(the repricing dates, 重定价日\), but this is " + _T.format("t"),
     "`重定价 于 …` 需要日期列表（重定价日），但这里是{t}"),
    (r"ledger setting `(?P<n>[^`]+)` takes no rate, so it cannot follow a table", "台账设置 `{n}` 不是利率，不能随表变动"),
    (r"a spread is a rate, but this is " + _T.format("t"), "加点应为利率，但这里是{t}"),
    (r"`(?P<n>[^`]+)` is a table of money, not of rates", "`{n}` 是金额表，不是利率表"),
    (r"`(?P<n>[^`]+)` is a table; write `(?P=n) at DATE` or `(?P=n)\(AMOUNT\)`",
     "`{n}` 是表：请写 `{n} 按 日期` 或 `{n}(金额)`"),
    (r"name `(?P<n>[^`]+)` is (?P<k>\d+) characters long; at most (?P<m>\d+) are allowed",
     "名称 `{n}` 有 {k} 个字符，至多允许 {m} 个"),
    (r"`otherwise` must be the last route rule", "`其余` 应为最后一条分流规则"),
    (r"rules after it could never apply", "其后的规则永远不会适用"),
    (r"`previous` is the item built before this one, inside `\[… for …\]`", "`上期` 指 `[… 对 …]` 中前一项，只能在其中使用"),
    (r"`previous\.(?P<f>[^`]+)` has no value for the first item", "第一项没有 `上期.{f}` 的值"),
    (r"`above` must be the last band", "`超过` 应为最后一档"),
    (r"band bounds must increase: (?P<a>\S+) after (?P<b>\S+)", "各档上限应递增：{a} 在 {b} 之后"),
    (r"schedule `(?P<n>[^`]+)` has no band for amounts above (?P<a>\S+)", "费率表 `{n}` 没有超过 {a} 部分的档次"),
    (r"unknown escape `(?P<x>[^`]+)` in text", "文本中有未知的转义 `{x}`"),
    (r"`(?P<c>[^`]+)` on (?P<d>\S+): rate '(?P<v>[^']+)' must be written with % \(for example \"(?P<e>[^\"]+)\"\)",
     "`{c}` 于 {d}：利率 '{v}' 应带 % 书写（如 \"{e}\"）"),
    (r"`(?P<c>[^`]+)` on (?P<d>\S+): rate: (?P<v>'[^']*') is not a decimal number \(write plain digits 0–9 such as "
     r"12345\.67\)", "`{c}` 于 {d}：利率 {v} 不是数字（请只用阿拉伯数字 0–9 书写）"),
    (r"(?P<f>\S+) has no column `(?P<c>[^`]+)`", "{f} 没有 `{c}` 列"),
    (r"dates must be strictly increasing: (?P<a>\S+) comes after (?P<b>\S+)", "日期应严格递增：{a} 排在 {b} 之后"),
    (r"record has no field `(?P<f>[^`]+)`", "记录没有字段 `{f}`"),
    # hints of the gallery's messages
    (r"e\.g\. `(?P<x>[^`]+)`; a day past the month's end becomes its last day", "例如 `{x}`；当月没有的日子取当月最后一日"),
    (r"write the reason, e\.g\. \"(?P<x>[^\"]+)\"", "请写明理由，例如 \"{x}\""),
    (r"compute the limit from inputs or other lines", "请用输入或其他判项计算限额"),
    (r"remove this definition: the claim limit computes it", "请删除此定义：诉请限额会计算它"),
    (r"one `within` per ruleset \(the first is at line (?P<l>\d+)\)", "每个规则集只能有一个 `限于`（第一个在第 {l} 行）"),
    (r"write `add_months\(DATE, N\)`, or `DATE \+ 3 months` with the number written out",
     "请写 `add_months(日期, N)`，或直接写出月数，如 `日期 + 3 个月`"),
    (r"write `day count basis 365 first day counted last day not counted` \(算头不算尾\), or `first day not counted last day counted`",
     "请写 `计息基数 365 首日 计入 末日 不 计入`（算头不算尾），或 `首日 不 计入 末日 计入`"),
    (r"write `(?P<x>[^`]+)`", "请写 `{x}`"),
    (r"first declared at line (?P<l>\d+)", "第一次声明在第 {l} 行"),
    (r"`(?P<n>[^`]+)` is computed by the ruleset; examples give inputs", "`{n}` 由规则集计算得出；示例只给定输入"),
    (r"the first is at (?P<w>\S+); give each example its own name, so that `ruledsl test` tells them apart",
     "第一个在 {w}；请给每个示例不同的名称，以便 `ruledsl test` 区分"),
    (r"e\.g\. `(?P<x>[^`]+)` for the first instalment", "例如 `{x}` 表示第一期"),
    (r"e\.g\. `(?P<x>[^`]+)`", "例如 `{x}`"),
    (r"write percentage points with %: `(?P<x>[^`]+)`", "加点请带 % 书写：`{x}`"),
    (r"raise to a whole number of periods, e\.g\. `(?P<x>[^`]+)`", "乘方的次数应为整数期数，例如 `{x}`"),
    (r"count whole periods: `(?P<x>[^`]+)`", "请按整数期数计数：`{x}`"),
    (r"give the first item its own: `(?P<x>[^`]+)`", "请为第一项单独给值：`{x}`"),
    (r"`(?P<n>[^`]+)` is a keyword \(in Chinese `(?P<z>[^`]+)`\); choose another name", "`{n}` 是关键字（中文 `{z}`）；请另取名称"),
    (r"end the schedule with `above: RATE`", "请以 `超过: 费率` 结束费率表"),
    (r"the escapes are .+", "可用的转义为 \\\" \\\\ \\n \\t"),
    (r"`(?P<g>[^`]+)` is read as one name; if `(?P<k>[^`]+)` is the keyword, write a space after it: `(?P<x>[^`]+)`",
     "`{g}` 被读作一个名称；如果 `{k}` 是关键字，请在其后加空格：`{x}`"),
    (r"`(?P<c>[^`]+)` is a full-width quotation mark; texts are written in ASCII double quotes: \"…\"",
     "`{c}` 是全角引号；文本请用英文双引号书写：\"…\""),
    (r"a quoted text must close on the same line; use text \"\"\"…\"\"\" for long passages",
     "引号内的文本应在同一行结束；长段文字请用 原文 \"\"\"…\"\"\""),
    (r"the heading of `(?P<c>[^`]+)` sets these bounds", "`{c}` 列的标题规定了这一范围"),
    (r"remove the extra cells, or name their columns in the header \(a stray comma\?\)",
     "请删除多余的单元格，或在标题行为其命名（是否多了一个逗号？）"),
    (r"looked for (?P<f>\S+)", "查找的位置：{f}"),
    (r"every row needs a value in the column a table uses", "表所用的列每一行都应有值"),
    (r"columns are: (?P<x>.+)", "现有的列：{x}"),
    (r"sort the rows by effective date and remove repeated dates", "请按生效日期排序并删除重复的日期"),
    (r"name the table: (?P<x>.+)", "请指明日期表：{x}"),
    # evidence windows
    (r"a time limit is a whole number of days, hours, months or years", "时限应为整数天、小时、个月或年"),
    (r"write whole days \((?P<d>\d+) days\) or whole months \((?P<m>\d+) months\)", "请写整数天（{d} 天）或整数月（{m} 个月）"),
    (r"a time limit must be positive", "时限应大于零"),
    (r"an item cannot be anchored or dated before its own `(?P<n>[^`]+)` and still be measured from it",
     "证据不能在其自身的 `{n}` 之前存证或落款，再以它起算"),
    (r"write `within (?P<d>[^`]+) of (?P<n>[^`]+)` \(after it\)", "请写 `限于 {d} 距 {n}`（在它之后）"),
    # admissibility
    (r"an admissibility condition must be true or false, but this is " + _T.format("t"),
     "受理条件应为是或否，但这里是{t}"),
    (r"write what must hold for the court to accept the case, e\.g\. `(?P<x>[^`]+)`",
     "请写出本院受理本案须满足的条件，例如 `{x}`"),
    (r"an admissibility rule must say why the case is refused", "受理规则应写明不予受理的理由"),
    (r"`refuse` belongs in the `admissibility:` section, not in `route:`", "`不予受理` 应写在 `受理:` 部分，而不是 `分流:` 部分"),
    (r"move it under `admissibility:` \(受理\), where every ground a case meets is reported; "
     r"`route:` chooses the stage of an admissible case",
     "请移到 `受理:` 之下，案件符合的每一项不予受理理由都会列出；`分流:` 只为受理的案件选择阶段"),
    # inputs
    (r"optional input `(?P<n>[^`]+)` may be absent; use it under `if given\((?P=n)\) then …`",
     "可选输入 `{n}` 可能缺失；请在 `如果 given({n}) 那么 …` 之下使用"),
    (r"or give it a default, or pass it to a ledger setting", "或者给它一个缺省值，或者交给台账设置"),
    (r"`(?P<n>[^`]+)` must be at (?P<w>least|most) (?P<x>.+), but it is (?P<y>.+)", "`{n}` 应{w} {x}，但实际为 {y}"),
    # tables
    (r"table file `(?P<f>[^`]+)` not found", "找不到表文件 `{f}`"),
    (r"line (?P<l>\d+) has (?P<n>\d+) cells, but the header names (?P<m>\d+) columns",
     "第 {l} 行有 {n} 个单元格，但表头只有 {m} 列"),
    (r"no value for `(?P<c>[^`]+)` on (?P<d>\S+)", "`{c}` 在 {d} 没有数值"),
    (r"`(?P<c>[^`]+)` on (?P<d>\S+): (?P<x>\S+) is out of bounds \((?P<a>\S+) to (?P<b>\S+)\)",
     "`{c}` 在 {d} 的数值 {x} 超出范围（{a} 至 {b}）"),
    (r"day count basis (?P<b>\d+) is not used by courts", "法院不使用 {b} 天的计息基数"),
    (r"write basis 365 or basis 360", "请写 基数 365 或者 基数 360"),
]

CATALOGUE: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.S), zh) for p, zh in _RAW]

_WHERE = {"least": "不少于", "most": "不超过"}
_UNITS = {"day": "天", "hour": "小时", "month": "个月", "year": "年"}
_MONTHS = {name: str(i) for i, name in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"), start=1)}


#: what a "… must be …" message speaks of
_WHAT: list[tuple[re.Pattern[str], str]] = [(re.compile(p), zh) for p, zh in [
    (r"the default of `([^`]+)`", r"`\1` 的缺省值"),
    (r"the min of `([^`]+)`", r"`\1` 的最小值"),
    (r"the max of `([^`]+)`", r"`\1` 的最大值"),
    (r"ledger setting `([^`]+)`", r"台账设置 `\1`"),
    (r"expected `([^`]+)`", r"期望的 `\1`"),
    (r"given `([^`]+)`", r"给定的 `\1`"),
    (r"a power", "幂"),
    (r"an item's number", "列表的项号"),
    (r"each end of `from … to …`", "`自 … 至 …` 的两端"),
    (r"a number of months", "月数"),
]]


def _word(name: str, value: str, words: Mapping[str, str] | None = None) -> str:
    if name == "kw":  # what the parser expected: each keyword in Chinese (`accrue` → `计息`), "or" → 或
        value = re.sub(r"`([^`]+)`", lambda m: f"`{(words or {}).get(m[1], m[1])}`", value)
        return re.sub(r" or (?=`|…)", " 或 ", value)
    if name.startswith("t"):
        return TYPE_WORDS.get(value.strip(), value.strip())
    if name == "w" and value in _WHERE:
        return _WHERE[value]
    if name == "w":
        for pattern, zh in _WHAT:
            if pattern.fullmatch(value):
                return pattern.sub(zh, value)
    if name == "mn":
        return _MONTHS.get(value, value)
    if name == "it":  # a time of the evidence item itself
        return {"signed_at": "签署", "created_at": "落款"}.get(value, f"{value} ")
    if name == "du":  # a duration as a rule writes it: 24 hours → 24 小时
        return re.sub(r"\b(days?|hours?|months?|years?)\b", lambda m: _UNITS[m[1].rstrip("s")], value).replace(" ", " ")
    if name == "rest":  # "; dated outside it: 2023-12-05"
        return value.replace("; dated outside it: ", "；落款日期在此之外的：").replace(" without a date (created_at)", " 份未写明日期")
    return value


def to_chinese(text: str | None, words: Mapping[str, str] | None = None) -> str | None:
    """A message or hint in Chinese, or as it is when the catalogue does not know it; ``words``: the
    language's keywords in Chinese (``ruledsl.lang.keywords.GLOSSARY``), for a parser's "expected …"."""
    if not text:
        return text
    for pattern, zh in CATALOGUE:
        m = pattern.fullmatch(text)
        if m is not None:
            return zh.format(**{k: _word(k, v or "", words) for k, v in m.groupdict().items()})
    return text


def known(text: str) -> bool:
    return any(p.fullmatch(text) for p, _ in CATALOGUE)


__all__ = ["CATALOGUE", "FRAME", "TYPE_WORDS", "known", "to_chinese"]

"""The language's keywords in English and in Chinese (中文关键字), and the full-width punctuation it reads.

One table, :data:`ALIASES`, gives each English keyword of ``grammar.lark`` its Chinese twin; a few
English phrases are one Chinese word (:data:`PHRASES`: ``at least`` → ``至少``).  The parser reads
both (:func:`localized_grammar` adds the Chinese words to the grammar as alternatives, so the tree
— and every stage after it — is the same whichever a clerk writes), and :func:`translate` turns a
ruleset's keywords from one language into the other, token by token, leaving names, texts, numbers,
comments and layout as they are (``ruledsl fmt --lang zh|en``).

Outside quotes the full-width forms of ``，：（）％＝`` and the full-width space are read as their ASCII
forms (:data:`FULL_WIDTH`); names may be written in Chinese (``本金: money``).

Imports nothing of the project: the parser and the formatter import it.
"""

from __future__ import annotations

import re

#: English keyword → its Chinese alias (a word a keyword of the other language never is)
ALIASES: dict[str, str] = {
    # header
    "ruleset": "规则集", "version": "版本", "effective": "生效", "jurisdiction": "管辖", "language": "语言",
    "counted": "计入",
    # declarations
    "source": "来源", "text": "原文", "table": "表", "column": "列", "schedule": "费率表",
    "progressive": "累进", "banded": "分档", "above": "超过",
    "input": "输入", "settings": "设定", "optional": "可选", "label": "标签", "min": "最小", "max": "最大",
    "enum": "枚举", "money": "金额", "date": "日期", "bool": "是否",
    "number": "数值", "rate": "利率",
    "compute": "计算", "award": "判项", "cap": "上限", "at": "按", "when": "当", "within": "限于", "per": "依据",
    "ledger": "台账", "allocate": "抵充", "from": "自", "to": "至", "before": "早于", "unsupported": "不予支持",
    "evidence": "证据", "require": "需要", "warn": "提示", "no": "无", "signed": "已签名", "by": "由",
    "anchored": "已存证", "timestamped": "有时间戳", "of": "距", "after": "晚于", "dated": "落款",
    "otherwise": "其余",
    "admissibility": "受理", "route": "分流", "stage": "阶段", "refuse": "不予受理",
    "example": "示例", "extends": "沿用", "given": "给定", "expect": "期望",
    "if": "如果", "then": "那么", "else": "否则", "floating": "浮动", "fixed": "固定", "repriced": "重定价",
    "on": "于", "or": "或", "and": "且", "not": "非", "for": "对", "in": "属于", "where": "其中",
    "accrue": "计息", "basis": "基数", "true": "是", "false": "否", "complete": "齐全",
    "previous": "上期",
}

#: a duration's unit after its number (``30 天``, ``24 小时``)
DURATION_ALIASES: dict[str, str] = {"days": "天", "hours": "小时", "months": "个月", "years": "年"}

#: English phrases (keywords in a row) that are one Chinese word
PHRASES: dict[tuple[str, ...], str] = {
    ("day", "count", "basis"): "计息基数",
    ("first", "day"): "首日",
    ("last", "day"): "末日",
    ("at", "least"): "至少",
    ("up", "to"): "不超过",
    ("list", "of"): "列表",
    ("per", "day"): "每日",
    ("per", "month"): "每月",
}

#: where one English keyword has two Chinese readings: (keyword, the keyword after it) → the word
IN_CONTEXT: dict[tuple[str, str], str] = {
    ("not", "counted"): "不",   # last day not counted: 末日 不 计入 (``not`` in a condition is 非)
}

#: the types a field is declared with, in Chinese (``text`` the type is 文本; ``text`` before a law's
#: words is 原文); durations are 天 / 小时 after a number
TYPE_ALIASES: dict[str, str] = {"days": "天数", "hours": "小时数", "text": "文本"}

#: full-width punctuation read as ASCII outside quotes
FULL_WIDTH: dict[str, str] = {"，": ",", "：": ":", "（": "(", "）": ")", "％": "%", "＝": "="}
FULL_WIDTH_SPACE = "\u3000"

#: what a name may be made of: ASCII letters, digits and _ (not first), and CJK ideographs
NAME_PATTERN = r"[A-Za-z_\u3400-\u4dbf\u4e00-\u9fff][A-Za-z0-9_\u3400-\u4dbf\u4e00-\u9fff]*"

#: each named terminal's Chinese values → the English value the parser's tree keeps
CANONICAL: dict[str, dict[str, str]] = {
    "SCALAR": {ALIASES["money"]: "money", ALIASES["date"]: "date", TYPE_ALIASES["days"]: "days",
               TYPE_ALIASES["hours"]: "hours", ALIASES["bool"]: "bool", TYPE_ALIASES["text"]: "text",
               ALIASES["number"]: "number"},
    "RATE": {ALIASES["rate"]: "rate"},
    "DAY_END": {PHRASES[("first", "day")]: "first", PHRASES[("last", "day")]: "last"},
    "NOT": {IN_CONTEXT[("not", "counted")]: "not"},
    "SCHEDULE_KIND": {ALIASES["progressive"]: "progressive", ALIASES["banded"]: "banded"},
    "DURATION_UNIT": {zh: en for en, zh in DURATION_ALIASES.items()},
    "PER_DAY": {PHRASES[("per", "day")]: "per day"},
    "PER_MONTH": {PHRASES[("per", "month")]: "per month"},
}


def _alternatives(*words: str) -> str:
    return "(" + " | ".join(words) + ")"


def _q(word: str) -> str:
    return f'"{word}"'


def localized_grammar(grammar: str) -> str:
    """``grammar.lark`` reading the Chinese keywords and full-width punctuation as well: each keyword
    literal of a rule becomes ``("if" | "如果")``, each phrase ``("at" "least" | "至少")``, and the named
    terminals take their Chinese values (which the parser maps back, see :data:`CANONICAL`)."""
    out = []
    for line in grammar.splitlines():
        code, sep, comment = line.partition("//")
        if re.match(r"\s*[A-Z_][A-Z_0-9]*(\.\d+)?\s*:", code):
            out.append(_terminal_line(code) + sep + comment)
        elif code.lstrip().startswith("%"):
            out.append(line)
        else:
            out.append(_rule_line(code.replace('DAY_END "day"', 'DAY_END ["day"]')) + sep + comment)
    return "\n".join(out) + f'\n%ignore "{FULL_WIDTH_SPACE}"\n'


_LITERAL = re.compile(r'"((?:[^"\\]|\\.)+)"')


def _rule_line(code: str) -> str:
    """A rule's line with each keyword literal (or phrase of them) and each punctuation literal given its
    Chinese or full-width alternatives."""
    found = list(_LITERAL.finditer(code))
    out, at, k = [], 0, 0
    while k < len(found):
        m = found[k]
        n, replacement = 1, None
        for phrase, word in PHRASES.items():
            run = found[k:k + len(phrase)]
            if (len(run) == len(phrase) and tuple(r.group(1) for r in run) == phrase
                    and all(not code[a.end():b.start()].strip() for a, b in zip(run, run[1:], strict=False))):
                n, replacement = len(phrase), _alternatives(code[m.start():run[-1].end()], _q(word))
                break
        if replacement is None:
            word = m.group(1)
            if word in ALIASES:
                replacement = _alternatives(m.group(0), _q(ALIASES[word]))
            elif word in FULL_WIDTH.values():
                replacement = _alternatives(m.group(0), *(_q(w) for w, ascii_ in FULL_WIDTH.items() if ascii_ == word))
            else:
                replacement = m.group(0)
        out += [code[at:m.start()], replacement]
        at = found[k + n - 1].end()
        k += n
    out.append(code[at:])
    return "".join(out)


def _terminal_line(code: str) -> str:
    """A terminal definition with its Chinese values (the named terminals of :data:`CANONICAL`)."""
    m = re.match(r"(\s*)([A-Z_][A-Z_0-9]*)((?:\.\d+)?\s*:)(.*)", code)
    if m is None:
        return code
    indent, name, colon, body = m.groups()
    if name == "NAME":
        return f"{indent}{name}{colon} /{NAME_PATTERN}/"
    if name == "PERCENT":
        return code.replace("(%|‱)", "(%|％|‱)")
    if name in ("DURATION_UNIT", "PER_DAY", "PER_MONTH"):  # regexes: the Chinese words as further alternatives
        words = "|".join(CANONICAL[name])
        return re.sub(r"/(.*)\\b/", lambda r: f"/(?:{r.group(1)}|{words})(?![A-Za-z0-9_\u3400-\u9fff])/", code)
    if name in CANONICAL:
        return code.rstrip() + "".join(f' | "{w}"' for w in CANONICAL[name])
    return code


# ---- translation --------------------------------------------------------------------------------------

#: Chinese word → the English it stands for (a phrase as its words)
_TO_ENGLISH: dict[str, str] = {
    **{zh: en for en, zh in ALIASES.items()},
    **{zh: " ".join(en) for en, zh in PHRASES.items()},
    **{zh: en for en, zh in TYPE_ALIASES.items()},
    **{zh: en for (en, _), zh in IN_CONTEXT.items()},
    **{zh: en for en, zh in DURATION_ALIASES.items()},
}

#: token types that are never a keyword (their text is kept as it is)
_KEPT = frozenset({"NAME", "STRING", "LONG_STRING", "NUMBER", "INT", "PERCENT", "DATE", "COMPARE"})


def translate(text: str, tokens: list, to: str) -> str:
    """``text`` with its keywords in ``to`` (``"zh"`` or ``"en"``), everything between them — names, texts,
    numbers, comments, layout — as it is; ``tokens``: its tokens as the parser reads them (each with
    ``type``, ``start_pos``, ``end_pos`` and its text).  Full-width punctuation becomes ASCII either way."""
    out: list[str] = []
    at = i = 0
    while i < len(tokens):
        word, n = _translated(tokens, i, to)
        if word is not None:
            out += [text[at:tokens[i].start_pos], word]
            at = tokens[i + n - 1].end_pos
        i += n
    out.append(text[at:])
    return "".join(out)


def _is_one(number: str) -> bool:
    return re.fullmatch(r"0*1(\.0*)?", number.replace("_", "")) is not None


def _translated(toks: list, i: int, to: str) -> tuple[str | None, int]:
    """The word that replaces the token at ``i`` and how many tokens it replaces (None: keep the token)."""
    tok = toks[i]
    value = str(tok)
    if value in FULL_WIDTH:
        return FULL_WIDTH[value], 1
    if tok.type in _KEPT:
        return None, 1
    if to == "en":
        word = _TO_ENGLISH.get(value)
        if word is not None and tok.type == "DURATION_UNIT" and i > 0 and _is_one(str(toks[i - 1])):
            word = word[:-1]  # 1 个月 → 1 month
        return word, 1
    if len(value.split()) > 1:  # one token of several words (per day)
        return PHRASES.get(tuple(value.split())), 1
    words = [str(t) if t.type not in _KEPT else None for t in toks[i:i + 3]]
    for phrase, zh in PHRASES.items():
        if tuple(words[:len(phrase)]) == phrase:
            return zh, len(phrase)
    if (value, words[1] if len(words) > 1 else None) in IN_CONTEXT:
        return IN_CONTEXT[(value, words[1])], 1
    if value == "text":  # a law's words (text """…""") or the type of a field
        return (ALIASES["text"] if i + 1 < len(toks) and toks[i + 1].type == "LONG_STRING"
                else TYPE_ALIASES["text"]), 1
    if tok.type == "DURATION_UNIT" or value in ("days", "day", "hours", "hour"):
        # after a number a duration's unit, else a type
        unit = next(u for u in DURATION_ALIASES if value.startswith(u[:-1]))
        after_number = i > 0 and toks[i - 1].type in ("NUMBER", "INT")
        return (DURATION_ALIASES if after_number else TYPE_ALIASES).get(unit), 1
    return ALIASES.get(value), 1


#: every English keyword and phrase → its Chinese form, for messages that name keywords (what the parser expected)
GLOSSARY: dict[str, str] = {**ALIASES, **{" ".join(words): zh for words, zh in PHRASES.items()}}

__all__ = ["ALIASES", "CANONICAL", "FULL_WIDTH", "GLOSSARY", "NAME_PATTERN", "PHRASES", "localized_grammar",
           "translate"]

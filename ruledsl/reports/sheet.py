"""A decided case as plain tables — the explain stage, shared by every surface.

:func:`case_sheet` turns a :class:`~ruledsl.ruleset.Decision` into rows of text
(and the award lines as :class:`~ruledsl.core.money.Money`): the facts the case
gave, each award line with its law, each rule step, every loan ledger's calculation
sheet (segments, caps, repayments) and the evidence findings.  ``ruledsl explain``
prints these tables with rich, the judge assistant shows them with Streamlit; neither
computes anything itself.

How a judge reads it:

* each input is shown once, in the facts; a list (a repayment record, a schedule the rules
  build) is one table of its own (:attr:`CaseSheet.tables`), and a rule that reads it names it
  instead of repeating it (a list that only repeats columns of a table already shown is not
  shown again: ``instalments`` picks three columns of ``schedule``);
* money to the fen with thousands separators (:func:`ruledsl.core.money.yuan`), never
  ``-0.00``; rates as the ruleset or the case writes them (a monthly rate per month, 月利率);
* a cap is not a row of its own: the line it limits shows the capped value, and a sentence
  says in words what the cap removed (依 … 上限 X 元，核减 Y 元（原计 Z 元）), so does an award
  line a ledger's rate cap cut;
* a ledger's segments to the fen; an instalment's stated interest as the schedule states it,
  without the day-count interest it replaces (the engine's trace keeps those rows, marked, for
  the JSON and the tests of the engine).

Texts are in the ruleset's language (``language "zh"``: Chinese; the headings Chinese with the
English beside).  Each table's columns are keys of :data:`COLUMNS`, which gives the Chinese
heading a judge reads beside the English key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ruledsl.calc.award import LINE_LABELS, Award, SegmentTrace, fen, instalment_ranges
from ruledsl.core.money import Money, round_fen, yuan
from ruledsl.core.rates import format_rate
from ruledsl.core.types import D_DAILY, D_MONEY, D_RATE, Type
from ruledsl.ruleset import LIMITED_BY
from ruledsl.runtime.ledger import LedgerResult
from ruledsl.runtime.values import display

#: column key → heading shown to judges (中文 / English)
COLUMNS = {
    "name": "项目 item", "label": "名称 label", "amount": "金额 amount", "figure": "金额（元）amount", "law": "法律依据 law",
    "rule": "规则 rule", "line": "行 line", "from": "依据数值 from", "value": "结果 value",
    "component": "科目 line", "#": "期次 #", "start": "起 from", "end": "止 to", "days": "天数 days",
    "base": "基数 base", "rate": "年利率 rate", "basis": "年基准天数 basis",
    "cap": "限额 cap", "accrued": "应计 accrued", "allowed": "上限 allowed", "removed": "调减 removed",
    "paid_on": "还款日 paid on", "applied_to": "冲抵 applied to",
    "kind": "证据 kind", "status": "状态 status", "reason": "理由 reason",
    "role": "诉讼地位 role", "party": "当事人 name", "party_kind": "类型 kind", "id": "证件号 id (masked)",
    "address": "住所 address", "note": "备注 note", "what": "说明 note", "item": "项目 item", "given": "内容 value", "input": "输入项 input",
    "n": "序号 #", "message": "不予受理的理由 ground",
    "claimed": "诉请 claimed", "allowed_by_law": "依法可支持 allowed", "awarded": "判决 awarded",
    "limited_by": "以何为限 limited by",
}

#: the claim table (诉请与判决对照): its columns, and those that hold amounts
CLAIM_COLUMNS = ("name", "label", "claimed", "allowed_by_law", "awarded", "limited_by")
CLAIM_AMOUNTS = ("claimed", "allowed_by_law", "awarded")

#: the titles of the explanation's parts (中文, English)
TITLES = {
    "explanation": ("计算说明", "explanation"),
    "inputs": ("案件事实", "inputs"),
    "steps": ("推理过程", "how each figure was reached"),
    "award": ("裁判金额", "award"),
    "segments": ("分段计息", "segments"),
    "cuts": ("利率上限调减", "caps: what was removed and why"),
    "allocations": ("还款冲抵", "repayments: how each payment was applied"),
    "claim": ("诉请与判决对照", "claimed, allowed, awarded"),
    "evidence": ("证据", "evidence"),
    "route": ("程序", "route"),
    "admissibility": ("受理审查", "admissibility"),
    "note": ("注", "note"),
    "calculation": ("计算明细", "calculation"),
    "sheet": ("计算书", "calculation sheet"),
}

#: what a cap of each kind does to the part above it
CUT_KINDS = {"remove": "超出部分不予支持", "unsupported": "超出部分为自然债务，不予支持"}
CUT_KINDS_EN = {"remove": "the part above it is not awarded", "unsupported": "the part above it is a natural "
                "debt, not awarded"}
#: what the base of a row summing several overdue instalments is
SUMMED_BASE = {"penalty_interest": ("逾期本金", "overdue principal"), "compound_interest": ("欠付利息", "unpaid interest")}
#: Chinese words for the fields of a list's rows, when the list's label does not name them
FIELD_WORDS = {
    "due_on": "到期日", "paid_on": "还款日", "amount": "金额", "principal": "本金", "interest": "利息",
    "opening": "期初本金", "closing": "期末本金", "month_interest": "本期利息", "month_principal": "本期本金",
    "fees": "费用", "fee": "费用", "date": "日期", "kind": "类别", "rate": "利率", "on": "日期",
    "statement_on": "账单日", "posted_on": "记账日", "for_instalment": "指定期次",
}

#: the engine's words for an instalment's stated interest and for the day-count rows it replaces
#: (:func:`ruledsl.calc.engine._mark_replaced`)
STATED_SOURCE = "还款计划表载明"
REPLACED_MARK = "载明的利息取代"
_GENERIC = re.compile(r"^[^：]*：基数 × 年利率 × 天数 / \d+")


def words(key: str, lang: str) -> str:
    """A part's title: ``计算说明 explanation`` (zh), ``explanation`` (en)."""
    zh, en = TITLES[key]
    return f"{zh} {en}" if lang == "zh" else en


def heading(column: str, lang: str) -> str:
    """A column's heading: Chinese and English (zh), the English alone (en)."""
    text = COLUMNS.get(column, column)
    return text if lang == "zh" else re.sub(r"^[^\x00-\x7f]+\s*", "", text) or text



def is_stated(s: SegmentTrace) -> bool:
    """An instalment's interest as the repayment schedule states it (not a day-count accrual)."""
    return s.rate_source.startswith(STATED_SOURCE)


def is_replaced(s: SegmentTrace) -> bool:
    """Day-count interest that an instalment's stated interest replaced: the award does not count it."""
    return REPLACED_MARK in s.rule


def short_law(text: str) -> str:
    """Citations as a table cell cites them: ``中华人民共和国民法典 第六百七十六条`` → ``民法典第六百七十六条``,
    ``…规定（法释〔2020〕17号）第二十八条`` → ``法释〔2020〕17号第二十八条``, an explanation after the
    article dropped; one per line, each once."""
    out: list[str] = []
    for part in re.split(r"[；;\n]", text):
        p = part.strip().replace("中华人民共和国", "")
        if not p:
            continue
        m = re.search(r"（([^（）]*〔\d{4}〕[^（）]*号)）", p)
        if m:
            p = m.group(1) + p[m.end():]
        p = re.sub(r"（[^（）]*）$", "", p) or p
        out.append(p.replace(" ", ""))
    return "\n".join(dict.fromkeys(out))


def _fen(value: Decimal | Fraction) -> str:
    """An amount to the fen, half-up, with thousands separators (``1,346.30``; never ``-0.00``)."""
    return yuan(Money(fen(value) if isinstance(value, Fraction) else round_fen(value)))


def shown(value: object, typ: Type | None, lang: str = "zh") -> str:
    """One value as a judge reads it: money to the fen (``12,000.00``), a rate as written (``18%``;
    a monthly rate ``月利率1.5%`` / ``1.5% per month``), 是/否, a date in ISO, ``—`` for none."""
    if value is None:
        return "—"
    if isinstance(value, Money):
        return yuan(value)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, Decimal) and typ is not None and typ.kind == "qty" and not typ.lit:
        if typ.dims == D_MONEY:
            return yuan(Money(round_fen(value)))
        if lang == "zh" and typ.dims == D_RATE and typ.per == "month":
            return f"月利率{format_rate(typ.as_written(value))}"
        if lang == "zh" and typ.dims == D_DAILY:
            return f"日利率{format_rate(value)}"
    if isinstance(value, dict):
        fields = dict(typ.fields) if typ is not None and typ.kind == "record" else {}
        return "\n".join(f"{k}: {shown(v, fields.get(k), lang)}" for k, v in value.items())
    return display(value, typ)


@dataclass(frozen=True)
class ValueTable:
    """A list value (an input such as the repayments, or one the rules build such as a schedule), shown once."""

    name: str
    label: str
    columns: tuple[tuple[str, str], ...]  # (key, heading)
    rows: list[dict[str, str]]
    computed: bool  # built by the rules (False: given by the case)


@dataclass(frozen=True)
class LedgerSheet:
    """One ledger's calculation sheet (计算明细)."""

    name: str
    segments: list[dict[str, str]]
    cuts: list[dict[str, str]]
    allocations: list[dict[str, str]]
    notes: list[str]
    #: the ledger's trace itself (exact figures, component keys), for a document that lays it out its own
    #: way (the court's calculation sheet, :mod:`ruledsl.reports.calculation`)
    award: Award | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class CaseSheet:
    title: str
    ruleset: str
    version: str
    #: name, label, value (in the sheet's language), value_zh (in Chinese, for the court's sheet) and
    #: shape: "value", "record", or "list" (its rows are one of :attr:`tables`)
    facts: list[dict[str, str]]
    #: name, label, amount (Money), figure (its text: 12,345.67), law, and cap / cap_zh: what a cap removed
    #: from the line, in words (empty when nothing was)
    awards: list[dict[str, Any]]
    steps: list[dict[str, str]]        # rule, line, from, value, law: how each figure was reached
    ledgers: list[LedgerSheet]
    evidence: list[dict[str, Any]]     # kind, status, reason, law, satisfied, severity
    route: str | None
    evidence_complete: bool
    total: Money | None = field(default=None)
    parties: list[dict[str, str]] = field(default_factory=list)  # role, party, party_kind, id, address, note
    #: when the case states a claim: per limited line name, label, claimed, allowed_by_law, awarded, limited_by
    #: (figures as text), then the two totals as rows named excess_claimed and allowed_not_claimed
    claim: list[dict[str, str]] = field(default_factory=list)
    #: every list value once: the case's (repayments …), then the rules' (a schedule …)
    tables: list[ValueTable] = field(default_factory=list)
    language: str = "zh"
    #: every ground of admissibility the case meets (不予受理的理由): message, law; and how many the ruleset
    #: has (0: it judges no admissibility)
    refusals: list[dict[str, str]] = field(default_factory=list)
    grounds: int = 0


def _short_label(label: str | None) -> str:
    """A label without its parenthesised explanation: ``还款计划表（到期日、…）`` → ``还款计划表``."""
    return re.split(r"[（(]", label or "", maxsplit=1)[0].strip()


def _field_headings(label: str | None, keys: list[str], lang: str) -> list[str]:
    """The headings of a list's columns: the Chinese words its label lists in brackets, in field order
    (``还款计划表（到期日、期初本金、…）``), else :data:`FIELD_WORDS`, beside the key (zh); the key (en)."""
    if lang != "zh":
        return keys
    named = re.search(r"[（(]([^（）()]*)[）)]", label or "")
    parts = re.split(r"[、，,]", named.group(1)) if named else []
    if len(parts) != len(keys):
        parts = [FIELD_WORDS.get(k, "") for k in keys]
    return [f"{p.strip()} {k}" if p.strip() else k for p, k in zip(parts, keys, strict=True)]


def value_table(name: str, label: str | None, value: list, typ: Type | None, lang: str,
                computed: bool) -> ValueTable:
    """A non-empty list as a table: one row per item (its number first), one column per field."""
    item = typ.item if typ is not None and typ.kind == "list" else None
    if all(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for v in value for k in v))
        fields = dict(item.fields) if item is not None and item.kind == "record" else {}
        rows = [{"#": str(i), **{k: shown(v.get(k), fields.get(k), lang) for k in keys}}
                for i, v in enumerate(value, 1)]
    else:
        keys = ["value"]
        rows = [{"#": str(i), "value": shown(v, item, lang)} for i, v in enumerate(value, 1)]
    heads = _field_headings(label, keys, lang) if keys != ["value"] else [heading("value", lang)]
    columns = (("#", heading("n", lang)), *zip(keys, heads, strict=True))
    return ValueTable(name, label or "", columns, rows, computed)


def _columns_of(table: ValueTable) -> dict[str, tuple[str, ...]]:
    return {k: tuple(r[k] for r in table.rows) for k, _ in table.columns if k != "#"}


def _repeats(table: ValueTable, shown_tables: list[ValueTable]) -> tuple[ValueTable, list[str]] | None:
    """The table already shown whose columns ``table`` only repeats (each of its columns is one of that
    table's, row for row), with those columns; None when it shows something new."""
    mine = _columns_of(table)
    for other in shown_tables:
        theirs = _columns_of(other)
        if len(other.rows) != len(table.rows):
            continue
        picked = [next((k2 for k2, cells2 in theirs.items() if cells2 == cells), None) for cells in mine.values()]
        if all(picked):
            return other, [h for k, h in other.columns if k in picked]
    return None


def _ref(name: str, value: object, typ: Type | None, labels: dict[str, str | None], lang: str) -> str:
    """How a step names a value it read: a list, a record or a ledger by name (shown once elsewhere), the
    rest as ``name = value``."""
    if isinstance(value, LedgerResult):
        return f"{name}（计算明细见下）" if lang == "zh" else f"{name} (calculation below)"
    if isinstance(value, list):
        if not value:
            return f"{name}：无" if lang == "zh" else f"{name} = none"
        short = _short_label(labels.get(name)) or name
        return f"{name}（{short}，见表）" if lang == "zh" else f"{name} (see the table “{short}”)"
    if isinstance(value, dict):
        return f"{name}（见案件事实）" if lang == "zh" else f"{name} (see the inputs)"
    return f"{name} = {shown(value, typ, lang)}"


def _cap_sentence(law: str, what: str, limit: Decimal | None, before: Decimal, after: Decimal, lang: str,
                  claim: bool, say_unreached: bool = True) -> str:
    """What a cap did to one line, in words: ``依…，上限 X 元，核减 Y 元（原计 Z 元）`` (with the English
    twin when the output is English).  Empty when it removed nothing from the line and ``say_unreached``
    is false (a claim limit: the claim table shows it; a line of several under one limit that another
    line's cut kept within it, or whose fellow line says so already)."""
    removed = round_fen(before) - round_fen(after)
    if not removed and (claim or not say_unreached):
        return ""
    limit_text = yuan(Money(round_fen(limit))) if limit is not None else "—"
    law_zh = "、".join(short_law(law).splitlines())
    bound = f"以诉请 {limit_text} 元为限" if claim else f"{what}上限 {limit_text} 元"
    zh = (f"依{law_zh}，{bound}，{'本项' if what else ''}核减 {yuan(Money(removed))} 元（原计 "
          f"{yuan(Money(round_fen(before)))} 元）"
          if removed else f"依{law_zh}，{bound}，未超出")
    zh = zh.replace("依，", "")
    if lang == "zh":
        return zh
    bound_en = f"the claim, {limit_text}" if claim else f"{limit_text}" + (f" on {what} together" if what else "")
    en = (f"capped at {bound_en}: {yuan(Money(removed))} removed ({yuan(Money(round_fen(before)))} before the cap)"
          if removed else f"within {bound_en}")
    return f"{zh}\n{en}"


def _ledger_cut_sentence(award: Award, component: str, lang: str) -> str:
    """What the ledger's rate caps removed from one of its lines, in words (empty when nothing)."""
    cuts = [c for c in award.cuts if c.kind == "remove"]
    removed = sum((v for c in cuts for k, v in c.removed_by_component if k == component), Decimal(0))
    removed += award.unsupported.get(component, Decimal(0))
    line = award.lines.get(component)
    if line is None or not removed:
        return ""
    exact = Decimal(line.exact.numerator) / Decimal(line.exact.denominator)
    before = round_fen(exact + removed)
    gone = before - line.amount
    if not gone:
        return ""
    hit = [c for c in award.cuts if any(k == component and v for k, v in c.removed_by_component)]
    law = "、".join(dict.fromkeys(x for c in hit for x in short_law(c.citation).splitlines()))
    rates = "、".join(dict.fromkeys(format_rate(c.cap_rate) for c in hit))
    zh = (f"依{law}，超过年利率{rates}的部分核减 {yuan(Money(gone))} 元（原计 {yuan(Money(before))} 元）"
          if law else f"超过年利率{rates}的部分核减 {yuan(Money(gone))} 元（原计 {yuan(Money(before))} 元）")
    if lang == "zh":
        return zh
    return f"{zh}\nthe part above {rates} a year: {yuan(Money(gone))} removed ({yuan(Money(before))} before the cap)"


def _ledger_line(checked, name: str) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    """(ledger, component) when definition ``name`` reads one line of a ledger (``loan.penalty_interest``)."""
    d = checked.definitions.get(name)
    expr = getattr(d, "expr", None)
    obj = getattr(expr, "obj", None)
    if expr is None or type(expr).__name__ != "Attr" or type(obj).__name__ != "Name":
        return None
    return obj.name, expr.name


def case_sheet(ruleset, decision, title: str | None = None,  # type: ignore[no-untyped-def]
               parties: tuple[dict[str, str], ...] = ()) -> CaseSheet:
    """Every table of a decided case (``decision`` must carry its trace: ``evaluate(…, trace=True)``);
    ``parties`` as a case file lists them (:attr:`ruledsl.review.CaseFile.parties`)."""
    types = ruleset.types
    checked = ruleset.checked
    lang = checked.language
    labels = {f.name: f.label for f in checked.inputs} | {
        name: d.label for name, d in checked.definitions.items()}
    facts, tables = [], []
    for f in checked.inputs:
        value = decision.values.get(f.name)
        if value is None:
            continue
        typ = types.get(f.name)
        shape = "list" if isinstance(value, list) else "record" if isinstance(value, dict) else "value"
        if shape == "list":
            text = ((f"见表（{len(value)} 行）" if lang == "zh" else f"see the table ({len(value)} rows)")
                    if value else ("无" if lang == "zh" else "none"))
            text_zh = f"见表（{len(value)} 行）" if value else "无"
            if value:
                tables.append(value_table(f.name, f.label, value, typ, lang, computed=False))
        else:
            text, text_zh = shown(value, typ, lang), shown(value, typ, "zh")
        facts.append({"name": f.name, "label": f.label or "", "value": text, "value_zh": text_zh, "shape": shape})

    # the steps; a cap folds into the line it limits (the capped value, and in words what it removed)
    current: dict[str, object] = {}
    steps: list[dict[str, str]] = []
    row_of: dict[str, int] = {}
    cap_notes: dict[str, list[tuple[str, str]]] = {}  # line → (sentence in the sheet's language, in Chinese)
    ledgers = []
    for e in decision.trace:
        if e.kind == "input":
            current[e.rule] = e.value
            continue
        if e.kind == "cap":
            claim = " within " in e.rule
            limit = e.limit
            targets = list(e.inputs)
            what = ("" if len(targets) < 2 else "、".join(_short_label(labels.get(t)) or t for t in targets) + "合计"
                    if lang == "zh" else " + ".join(targets))
            law = "\n".join(e.citations)
            folded = True
            reached = bool(e.value)  # Money: what the cap removed from its lines together
            for i, (t, after) in enumerate(e.inputs.items()):
                before = current.get(t, after)
                current[t] = after
                if t not in row_of or not isinstance(after, Decimal) or not isinstance(before, Decimal):
                    folded = False
                    continue
                unreached = not reached and i == 0  # a limit not reached is said once, on its first line
                sentence = _cap_sentence(law, what, limit, before, after, lang, claim, unreached)
                if not sentence:
                    continue
                row = steps[row_of[t]]
                row["value"] = shown(after, types.get(t), lang)
                row["from"] = (row["from"] + "\n" if row["from"] else "") + sentence
                cap_notes.setdefault(t, []).append(
                    (sentence, _cap_sentence(law, what, limit, before, after, "zh", claim, unreached)))
            if folded:
                continue
        current[e.rule] = e.value
        if isinstance(e.value, LedgerResult):
            ledgers.append(ledger_sheet(e.rule, e.value, lang))
        refs = "\n".join(_ref(k, v, types.get(k), labels, lang) for k, v in e.inputs.items())
        note = e.note
        if e.kind == "admissibility":  # shown as a part of its own (CaseSheet.refusals)
            continue
        if e.kind == "route":
            note = {"otherwise": "其余情形", "condition met": "条件成立"}.get(note, note) if lang == "zh" else note
            value = str(e.value)
        elif isinstance(e.value, LedgerResult):
            value = "\n".join(f"{_component(k) if lang == 'zh' else k} {yuan(Money(round_fen(v)))}"
                              for k, v in e.value.items())
        elif isinstance(e.value, list) and e.value:
            table = value_table(e.rule, e.label, e.value, types.get(e.rule), lang, computed=True)
            again = _repeats(table, tables)
            short = _short_label(e.label) or e.rule
            if again is not None:
                other, cols = again
                other_name = _short_label(other.label) or other.name
                value = (f"即「{other_name}」的 {'、'.join(c.split(' ')[0] for c in cols)} 列，每期一行"
                         if lang == "zh" else f"the columns {', '.join(cols)} of the table “{other_name}”")
            else:
                tables.append(table)
                value = (f"见表「{short}」（{len(e.value)} 行）" if lang == "zh"
                         else f"see the table “{short}” ({len(e.value)} rows)")
        else:
            value = shown(e.value, types.get(e.rule), lang)
            found = _ledger_line(checked, e.rule)
            if found is not None and isinstance(decision.values.get(found[0]), LedgerResult):
                award = decision.values[found[0]].award
                component = found[1]
                if component == "interest_due" and not award.due.get("interest_not_due"):
                    component = "interest"
                sentence = _ledger_cut_sentence(award, component, lang)
                if sentence:
                    refs = (refs + "\n" if refs else "") + sentence
                    cap_notes.setdefault(e.rule, []).append((sentence, _ledger_cut_sentence(award, component, "zh")))
        if note and e.kind != "cap":
            refs = (refs + "\n" if refs else "") + note
        elif e.kind == "cap":  # a cap whose lines have no row of their own: its figures, in words
            refs = (refs + "\n" if refs else "") + _cap_row_note(e.note, lang)
            value = yuan(e.value) if isinstance(e.value, Money) else value
        name_label = (f"{e.label}\n{e.rule}" if lang == "zh" else f"{e.rule}\n{e.label}") if e.label else e.rule
        row_of[e.rule] = len(steps)
        steps.append({"rule": name_label, "line": str(e.span.line if e.span else ""), "from": refs,
                      "value": value, "law": short_law("\n".join(e.citations))})

    citations = {e.rule: "\n".join(e.citations) for e in decision.trace if e.kind == "award"}
    awards = [{"name": name, "label": labels.get(name) or "", "amount": amount, "figure": yuan(amount),
               "law": citations.get(name, ""), "cap": "\n".join(s for s, _ in cap_notes.get(name, [])),
               "cap_zh": "\n".join(z for _, z in cap_notes.get(name, []))}
              for name, amount in decision.award.items()]
    return CaseSheet(title or f"{decision.ruleset} {decision.version}", decision.ruleset, decision.version, facts,
                     awards, steps, ledgers, evidence_rows(decision), decision.route, decision.evidence_complete,
                     decision.award.get("total"),
                     [{"role": p["role"], "party": p["name"], "party_kind": p.get("kind", ""), "id": p.get("id", ""),
                       "address": p.get("address", ""), "note": p.get("note", "")} for p in parties],
                     claim_rows(decision, labels), tables, lang,
                     [{"message": r.message, "law": "；".join(short_law(c) for c in r.citations)} for r in decision.refusals],
                     len(checked.grounds))


def _cap_row_note(note: str, lang: str) -> str:
    """A cap's own note (``limit 5000.00; removed 5520.00 (fee −5520.00)``) with its figures to the fen."""
    text = re.sub(r"-?\d+\.\d+", lambda m: yuan(Money(round_fen(Decimal(m.group(0))))), note)
    if lang != "zh":
        return text
    return text.replace("limit ", "上限 ").replace("; not reached", "，未超出").replace("; removed ", "，核减 ")


def claim_rows(decision, labels: dict[str, str | None]) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """What was claimed against what the law allows, line by line, and the two totals (empty when the
    case states no claim or the ruleset has no claim limit)."""
    if not decision.claim:
        return []
    rows = [{"name": name, "label": labels.get(name) or "", "claimed": yuan(c.claimed),
             "allowed_by_law": yuan(c.allowed), "awarded": yuan(c.awarded), "limited_by": LIMITED_BY[c.limited_by]}
            for name, c in decision.claim.items()]
    for name, amount in (("excess_claimed", decision.excess_claimed),
                         ("allowed_not_claimed", decision.allowed_not_claimed)):
        rows.append({"name": name, "label": labels.get(name) or "", "claimed": "", "allowed_by_law": "",
                     "awarded": yuan(amount), "limited_by": ""})
    return rows


def evidence_rows(decision) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Each evidence rule's finding: kind, status, reason, law, and whether it is met / only a warning."""
    return [{"kind": r.kind, "status": r.status, "reason": r.explanation,
             "law": "; ".join(r.citations), "satisfied": r.satisfied, "severity": r.severity}
            for r in decision.evidence]


def _component(name: str) -> str:
    """A ledger component as a judge reads it: its Chinese name, then the key (利息 interest)."""
    label = LINE_LABELS.get(name)
    return f"{label} {name}" if label else name


def segment_note(s: SegmentTrace, lang: str = "zh") -> str:
    """What a segment row is, beyond ``base × rate × days / basis`` (which the sheet says once): an
    instalment's stated interest, the instalments whose bases a row sums, or the engine's own words
    (the card ledger: which purchase, which statement)."""
    if is_stated(s):
        return (f"还款计划表第{s.instalment}期载明的利息" if lang == "zh"
                else f"the interest the repayment schedule states for #{s.instalment}")
    if _GENERIC.match(s.rule):
        if s.instalments and s.component in SUMMED_BASE:
            zh, en = SUMMED_BASE[s.component]
            runs = instalment_ranges(s.instalments)
            return (f"基数为第{runs.replace('#', '')}期{zh}之和" if lang == "zh"
                    else f"base: the {en} of {runs}")
        return ""
    return s.rule.split("：", 1)[1] if "：" in s.rule else s.rule


def ledger_sheet(name: str, ledger: LedgerResult, lang: str = "zh") -> LedgerSheet:
    """A ledger's segments, cuts and allocations as rows of text, every amount to the fen.

    An instalment's stated interest is one row (no base, no rate: the schedule states it); the day-count
    interest rows it replaces, which the award does not count, are left out."""
    award = ledger.award
    segments = []
    stated_any = False
    for s in award.segments:
        if is_replaced(s):
            continue
        stated = is_stated(s)
        stated_any |= stated
        segments.append({
            "component": _component(s.component), "#": s.numbers, "start": str(s.start), "end": str(s.end),
            "days": str(s.days), "base": "—" if stated else _fen(s.base),
            "rate": ("按还款计划表" if lang == "zh" else "as stated") if stated
            else f"{format_rate(s.rate)} ({s.rate_source})",
            "basis": "—" if stated else str(s.basis), "amount": _fen(s.exact), "rule": segment_note(s, lang),
            "law": short_law(s.citation)})
    cuts = []
    for c in award.cuts:
        what = ("、" if lang == "zh" else ", ").join(
            (LINE_LABELS.get(x, x) if lang == "zh" else x) for x in c.components)
        if c.applies_to.startswith("stated interest #"):
            n = c.applies_to.removeprefix("stated interest #")
            what = f"还款计划表第{n}期载明的利息" if lang == "zh" else f"the stated interest of #{n}"
        cap = (f"{what}以年利率{format_rate(c.cap_rate)}为限（{CUT_KINDS.get(c.kind, c.kind)}）" if lang == "zh"
               else f"{what} at {format_rate(c.cap_rate)} a year ({CUT_KINDS_EN.get(c.kind, c.kind)})")
        by = [f"{_component(k)} {_fen(v)}" for k, v in c.removed_by_component if v]
        cuts.append({"cap": f"{cap}\n{_fen(c.base)} × {format_rate(c.cap_rate)}", "start": str(c.start),
                     "end": str(c.end), "days": str(c.days), "accrued": _fen(c.accrued), "allowed": _fen(c.allowed),
                     "removed": _fen(c.removed) + ("\n" + "\n".join(by) if len(by) > 1 else ""),
                     "law": short_law(c.citation)})
    allocations = []
    for a in award.allocations:
        parts = [f"{_component(c)}{' #' + str(i) if i else ''} {_fen(amt)}" for c, i, amt in a.parts]
        if a.unapplied:
            parts.append(("未冲抵 " if lang == "zh" else "not applied ") + _fen(a.unapplied))
        allocations.append({"paid_on": str(a.paid_on), "amount": _fen(a.amount), "applied_to": "\n".join(parts),
                            "law": short_law(a.citation)})
    bases = "、".join(str(b) for b in sorted({s.basis for s in award.segments})) or "365"
    notes = list(award.notes)
    if segments:
        notes.append(f"金额 = 基数 × 年利率 × 天数 ÷ {bases}，起止日期算头不算尾；各段金额四舍五入至分，裁判金额按精确值"
                     "累加后四舍五入一次，与各段之和可能相差一分" if lang == "zh" else
                     f"amount = base × rate × days ÷ {bases}, the first day counted, the last not; each row is "
                     "rounded to the fen, each award line once from the exact sum (it may differ by a fen)")
    if stated_any:
        notes.append("期内利息按还款计划表载明的各期利息计，不另按日计算" if lang == "zh" else
                     "the interest of each period is the interest the repayment schedule states, not a day count")
    return LedgerSheet(name, segments, cuts, allocations, notes, award)

"""The calculation sheet (裁判金额计算书): a decided case's figures as a document a court can file.

Built from the same tables ``ruledsl explain`` prints and the judge assistant shows
(:func:`ruledsl.reports.sheet.case_sheet`), laid out for the case file: A4 portrait, the court's
name, the 案号, the date it was drawn and the parties at the head, page numbers (第 X 页 共 Y 页),
table rows never split across pages and the table heads repeated.  Chinese only: each component by
its Chinese name, the law by its short citation, no rule names or input keys (the ruleset's id
appears once, in the small 规则集 line).

Amounts are to the fen, with thousands separators: each segment's amount rounded half-up to the
fen, the exact working (``1,346.3013…``) only in small grey type beneath it when it differs; each
award line is the ruleset's own (summed exactly, rounded once), so a line may differ by a fen from
the sum of its rounded segments — the sheet says so.  The last line is the award's total, in
figures and in capitals (大写, :func:`ruledsl.core.numerals.capital_yuan`).

An instalment's stated interest is one row, as the schedule states it (no day-count row it replaced);
an award line a cap cut says so beneath its name in words (依 … 上限 X 元，核减 Y 元（原计 Z 元）,
:func:`ruledsl.reports.sheet.case_sheet`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ruledsl.calc.award import LINE_LABELS, Award, fen, instalment_ranges
from ruledsl.core.money import Money, yuan
from ruledsl.core.numerals import capital_yuan
from ruledsl.core.rates import format_rate
from ruledsl.core.show import working_figure
from ruledsl.reports.render import css, environment, html_to_pdf, write_pdf
from ruledsl.reports.sheet import CUT_KINDS, CaseSheet, is_replaced, is_stated, segment_note, short_law

#: the court's day (a sheet drawn late in the evening UTC is dated as the court reads its calendar)
COURT_ZONE = ZoneInfo("Asia/Shanghai")
#: the sections' numbers
_NUMBERS = "一二三四五六七八九十"
#: a party's kind, as the store and case files write it, in Chinese
PARTY_KINDS = {"person": "自然人", "organisation": "法人或者其他组织", "organization": "法人或者其他组织"}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTERS = re.compile(r"[A-Za-z]")
# a run of English words (at least one of two lowercase letters or more) with what sits among them
_ENGLISH = re.compile(r"[;,]?[ \t]*[A-Za-z][A-Za-z0-9_.,:;'’\"=×÷/+\-–#Σ%<>→ \t]*?[a-z]{2,}"
                      r"[A-Za-z0-9_.,:;'’\"=×÷/+\-–#Σ%<>→ \t]*")
_OPEN, _CLOSE = "（(", "）)"


def _groups(text: str) -> list[Any]:
    """``text`` as a tree: plain strings and ``(open, [children], close)`` for each bracketed group."""
    stack: list[list[Any]] = [[]]
    opens: list[str] = []
    for ch in text:
        if ch in _OPEN:
            stack.append([])
            opens.append(ch)
        elif ch in _CLOSE and opens:
            children = stack.pop()
            stack[-1].append((opens.pop(), children, ch))
        else:
            if stack[-1] and isinstance(stack[-1][-1], str):
                stack[-1][-1] += ch
            else:
                stack[-1].append(ch)
    while opens:  # an unclosed group: its text as it stands
        children = stack.pop()
        stack[-1].append(opens.pop())
        stack[-1].extend(children)
    return stack[0]


def _direct(children: list[Any]) -> str:
    return "".join(c for c in children if isinstance(c, str))


def _flatten(children: list[Any]) -> str:
    out = []
    for c in children:
        if isinstance(c, str):
            out.append(c)
            continue
        opening, inner, closing = c
        own = _direct(inner)
        cjk, letters = len(_CJK.findall(own)), len(_LETTERS.findall(own))
        if (cjk == 0 and letters) or letters > 4 * cjk:  # an English gloss (with a word or two of Chinese)
            continue
        text = _flatten(inner).strip()
        if text:
            out.append(f"{opening}{text}{closing}")
    return "".join(out)


def chinese(text: str) -> str:
    """The Chinese of a bilingual text the engine writes (``约定 agreed`` → ``约定``, ``…（loan accelerated
    on 2024-07-20: …）`` → ``…``): bracketed English glosses and runs of English words are dropped, so
    is what is left dangling (a ``—`` or ``;`` with nothing after it)."""
    text = _flatten(_groups(text))
    text = _ENGLISH.sub("", text)
    text = re.sub(r"\s*[—;；,，:：]+\s*$", "", text)
    text = re.sub(r"^\s*[—;；,，:：]+\s*", "", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _fen(value: Decimal | Fraction) -> str:
    """An amount to the fen, half-up, with thousands separators: ``1,346.30``."""
    if isinstance(value, Fraction):
        return f"{fen(value):,}"
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def _exact(value: Decimal) -> str:
    """The exact working beneath a figure, when it is not a whole number of fen (else nothing)."""
    return "" if value == value.quantize(Decimal("0.01"), ROUND_HALF_UP) else working_figure(value)


def chinese_date(day: date) -> str:
    """``2026年12月2日``"""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class CourtLedger:
    """One ledger's calculation, as the court sheet lays it out."""

    segments: list[dict[str, str]]
    cuts: list[dict[str, str]]
    allocations: list[dict[str, str]]
    notes: list[str]
    bases: str  # the day-count bases of its segments (365, or 360 and 365)
    stated: bool  # some instalment's interest is the interest the repayment schedule states


@dataclass(frozen=True)
class CourtSheet:
    """What the court's calculation sheet shows."""

    court: str | None
    case_number: str | None
    title: str
    drawn_on: str
    ruleset: str
    parties: list[dict[str, str]]
    awards: list[dict[str, str]]
    claim: list[dict[str, str]]
    ledgers: list[CourtLedger]
    facts: list[dict[str, str]]
    total: str | None  # 13,388.63
    total_capitals: str | None  # 壹万叁仟叁佰捌拾捌元陆角叁分
    refusals: list[dict[str, str]] = field(default_factory=list)  # message, law: why the case is not admissible


def court_sheet(sheet: CaseSheet, *, court: str | None = None, case_number: str | None = None,
                drawn_on: date | None = None) -> CourtSheet:
    """The court's calculation sheet of ``sheet``: ``court`` (its name), ``case_number`` (the 案号; None:
    the sheet's title names the case), ``drawn_on`` (the date it is drawn, by default today in China)."""
    labels = {a["name"]: a["label"] for a in sheet.awards if a["label"]}

    def component(name: str) -> str:
        return LINE_LABELS.get(name) or labels.get(name) or name

    awards = [{"label": a["label"] or component(a["name"]), "figure": yuan(a["amount"]), "law": short_law(a["law"]),
               "cap": a.get("cap_zh", "")}
              for a in sheet.awards if a["name"] != "total"]
    claim = [{"label": r["label"] or component(r["name"]), "claimed": r["claimed"], "allowed": r["allowed_by_law"],
              "awarded": r["awarded"], "limited_by": r["limited_by"],
              "total": r["name"] in ("excess_claimed", "allowed_not_claimed")} for r in sheet.claim]
    ledgers = [_ledger(ledger.award, component) for ledger in sheet.ledgers if ledger.award is not None]
    total = sheet.total
    return CourtSheet(
        court.strip() if court and court.strip() else None,
        case_number.strip() if case_number and case_number.strip() else None,
        chinese(sheet.title) or sheet.title, chinese_date(drawn_on or datetime.now(COURT_ZONE).date()),
        f"{sheet.ruleset} {sheet.version}", [_party(p) for p in sheet.parties], awards, claim, ledgers,
        _facts(sheet.facts), yuan(total) if total is not None else None,
        capital_yuan(Money(round(total.amount, 2))) if total is not None and total.amount >= 0 else None,
        sheet.refusals)


def _party(p: dict[str, str]) -> dict[str, str]:
    kind = PARTY_KINDS.get(p.get("party_kind", ""), p.get("party_kind", ""))
    about = "，".join(x for x in (kind, f"住所地{p['address']}" if p.get("address") else "") if x)
    return {"role": p["role"], "name": p["party"], "about": about}


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _facts(facts: list[dict[str, str]]) -> list[dict[str, str]]:
    """The facts the figures rest on, as label and value, in Chinese (a monthly rate 月利率1.5%): a list or
    record (shown in the tables), an enumeration's internal value, or a fact with no label is left out."""
    out = []
    for f in facts:
        value = f.get("value_zh", f["value"]).removesuffix(" true").removesuffix(" false")
        if not f["label"] or f.get("shape", "value") != "value" or value[:1] in ("[", "{") or _IDENTIFIER.match(value):
            continue
        out.append({"label": chinese(f["label"]), "value": value})
    return out


def _numbers(runs: tuple[tuple[int, int], ...] | None, one: int | None) -> str:
    if runs:
        return instalment_ranges(runs).replace("#", "")
    return str(one) if one else ""


def _ledger(award: Award, component) -> CourtLedger:  # type: ignore[no-untyped-def]
    segments, stated_any = [], False
    for s in award.segments:
        if is_replaced(s):  # day-count interest the stated interest replaced: not counted, not shown
            continue
        stated = is_stated(s)
        stated_any |= stated
        what = chinese(segment_note(s, "zh"))
        source = chinese(s.rate_source)
        segments.append({
            "component": component(s.component), "what": what, "numbers": _numbers(s.instalments, s.instalment),
            "start": s.start.isoformat(), "end": s.end.isoformat(), "days": str(s.days),
            "base": "—" if stated else _fen(s.base),
            "rate": "按计划表" if stated else format_rate(s.rate), "source": "" if stated else source,
            "amount": _fen(s.exact), "exact": "" if stated else _exact(s.amount),
            "law": short_law(s.citation)})
    cuts = []
    for c in award.cuts:
        what = "、".join(component(x) for x in c.components)
        if c.applies_to.startswith("stated interest #"):
            what = f"还款计划表第{c.applies_to.removeprefix('stated interest #')}期载明的利息"
        cuts.append({"cap": f"{what}以年利率{format_rate(c.cap_rate)}为限", "kind": CUT_KINDS.get(c.kind, ""),
                     "start": c.start.isoformat(), "end": c.end.isoformat(), "days": str(c.days),
                     "base": _fen(c.base), "accrued": _fen(c.accrued), "allowed": _fen(c.allowed),
                     "removed": _fen(c.removed),
                     "by": "；".join(f"{component(k)} {_fen(v)}" for k, v in c.removed_by_component if v)
                     if len(c.removed_by_component) > 1 else "",
                     "law": short_law(c.citation)})
    allocations = []
    for a in award.allocations:
        parts = [f"{component(k)}{f'（第{i}期）' if i else ''} {_fen(v)}" for k, i, v in a.parts]
        if a.unapplied:
            parts.append(f"未冲抵 {_fen(a.unapplied)}")
        allocations.append({"paid_on": a.paid_on.isoformat(), "amount": _fen(a.amount), "parts": "\n".join(parts),
                            "law": short_law(a.citation)})
    bases = "、".join(str(b) for b in sorted({s.basis for s in award.segments}))
    return CourtLedger(segments, cuts, allocations, [t for t in (chinese(n) for n in award.notes) if t],
                       bases, stated_any)


def render_calculation_html(sheet: CaseSheet, *, court: str | None = None, case_number: str | None = None,
                            drawn_on: date | None = None) -> str:
    view = court_sheet(sheet, court=court, case_number=case_number, drawn_on=drawn_on)
    return environment().get_template("calculation.html").render(s=view, css=css(), numbers=_NUMBERS)


def render_calculation_pdf(sheet: CaseSheet, *, court: str | None = None, case_number: str | None = None,
                           drawn_on: date | None = None) -> bytes:
    """The sheet as PDF bytes; see :func:`court_sheet` for the parameters."""
    return html_to_pdf(render_calculation_html(sheet, court=court, case_number=case_number, drawn_on=drawn_on))


def write_calculation_sheet(sheet: CaseSheet, path: str | Path, *, court: str | None = None,
                            case_number: str | None = None, drawn_on: date | None = None) -> Path:
    return write_pdf(render_calculation_pdf(sheet, court=court, case_number=case_number, drawn_on=drawn_on), path)

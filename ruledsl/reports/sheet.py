"""A decided case as plain tables — the explain stage, shared by every surface.

:func:`case_sheet` turns a :class:`~ruledsl.ruleset.Decision` into rows of text
(and the award lines as :class:`~ruledsl.core.money.Money`): the facts the case
gave, each award line with its law, each rule step, every loan ledger's calculation
sheet (segments, caps, repayments) and the evidence findings.  ``ruledsl explain``
prints these tables with rich, the judge assistant shows them with Streamlit; neither
computes anything itself.

Each table's columns are keys of :data:`COLUMNS`, which gives the Chinese heading a
judge reads beside the English key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ruledsl.calc.award import LINE_LABELS, Award
from ruledsl.core.money import Money, yuan
from ruledsl.core.rates import format_rate
from ruledsl.core.show import working_figure
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
    "address": "住所 address", "note": "备注 note",
    "claimed": "诉请 claimed", "allowed_by_law": "依法可支持 allowed", "awarded": "判决 awarded",
    "limited_by": "以何为限 limited by",
}


#: the claim table (诉请与判决对照): its columns, and those that hold amounts
CLAIM_COLUMNS = ("name", "label", "claimed", "allowed_by_law", "awarded", "limited_by")
CLAIM_AMOUNTS = ("claimed", "allowed_by_law", "awarded")


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
    facts: list[dict[str, str]]        # name, label, value: the inputs as the case gave them
    awards: list[dict[str, Any]]       # name, label, amount (Money), figure (its text: 12,345.67), law
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


def case_sheet(ruleset, decision, title: str | None = None,  # type: ignore[no-untyped-def]
               parties: tuple[dict[str, str], ...] = ()) -> CaseSheet:
    """Every table of a decided case (``decision`` must carry its trace: ``evaluate(…, trace=True)``);
    ``parties`` as a case file lists them (:attr:`ruledsl.review.CaseFile.parties`)."""
    types = ruleset.types
    checked = ruleset.checked
    labels = {f.name: f.label for f in checked.inputs} | {
        name: d.label for name, d in checked.definitions.items()}
    facts = [{"name": f.name, "label": f.label or "", "value": display(decision.values[f.name], types.get(f.name))}
             for f in checked.inputs if decision.values.get(f.name) is not None]
    citations = {e.rule: "\n".join(e.citations) for e in decision.trace if e.kind == "award"}
    awards = [{"name": name, "label": labels.get(name) or "", "amount": amount, "figure": yuan(amount),
               "law": citations.get(name, "")}
              for name, amount in decision.award.items()]
    steps, ledgers = [], []
    for e in decision.trace:
        if e.kind == "input":
            continue
        if isinstance(e.value, LedgerResult):
            ledgers.append(ledger_sheet(e.rule, e.value))
        inputs = "\n".join(
            f"{k} = ledger (calculation below)" if isinstance(v, LedgerResult) else f"{k} = {display(v, types.get(k))}"
            for k, v in e.inputs.items())
        if e.note:
            inputs = (inputs + "\n" if inputs else "") + e.note
        value = display(e.value, types.get(e.rule)) if e.kind != "route" else str(e.value)
        if isinstance(e.value, LedgerResult):
            value = value.replace(", ", "\n")
        steps.append({"rule": e.rule + (f"\n{e.label}" if e.label else ""),
                      "line": str(e.span.line if e.span else ""), "from": inputs, "value": value,
                      "law": "\n".join(e.citations)})
    return CaseSheet(title or f"{decision.ruleset} {decision.version}", decision.ruleset, decision.version, facts,
                     awards, steps, ledgers, evidence_rows(decision), decision.route, decision.evidence_complete,
                     decision.award.get("total"),
                     [{"role": p["role"], "party": p["name"], "party_kind": p.get("kind", ""), "id": p.get("id", ""),
                       "address": p.get("address", ""), "note": p.get("note", "")} for p in parties],
                     claim_rows(decision, labels))


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


def ledger_sheet(name: str, ledger: LedgerResult) -> LedgerSheet:
    """A ledger's segments, cuts and allocations as rows of text."""
    award = ledger.award
    w = working_figure
    segments = [{"component": _component(s.component), "#": s.numbers, "start": str(s.start),
                 "end": str(s.end), "days": str(s.days), "base": w(s.base),
                 "rate": f"{format_rate(s.rate)} ({s.rate_source})", "basis": str(s.basis), "amount": w(s.amount),
                 "rule": s.rule, "law": s.citation}
                for s in award.segments]
    cuts = [{"cap": f"{c.cap} ({c.kind}) {w(c.base)} × {format_rate(c.cap_rate)}", "start": str(c.start),
             "end": str(c.end), "days": str(c.days), "accrued": w(c.accrued), "allowed": w(c.allowed),
             "removed": w(c.removed), "law": c.citation}
            for c in award.cuts]
    allocations = [{"paid_on": str(a.paid_on), "amount": w(a.amount),
                    "applied_to": "\n".join(f"{_component(c)}{' #' + str(i) if i else ''} {w(amt)}"
                                            for c, i, amt in a.parts),
                    "law": a.citation}
                   for a in award.allocations]
    return LedgerSheet(name, segments, cuts, allocations, list(award.notes), award)

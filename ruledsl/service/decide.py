"""A stored case decided: the award a case page shows, what-if, and the judge's saved decision.

* :func:`case_award` — decide a case the store holds (:class:`~ruledsl.service.access.CaseRecord`)
  under the ruleset it was filed under, with the evidence its import verified: per award line
  what was claimed, what the law allows, what is awarded and the difference (诉请 − 判决), each
  with its law, and the total;
* :func:`what_if` — the same case with one or more facts changed (:class:`WhatIf`: the reduction
  request granted or not, another calculation date, a repayment excluded, an item of evidence
  rejected), against the case as filed, line by line.  Nothing is written;
* :func:`file_case` — file a case into the store with the queue's figures (claimed, allowed and awarded
  in total, overdue days, evidence state, the pre-check's verdict), decided once when it is filed;
* :func:`judgment_of` — the draft main text of the judgment (判决主文) of a decided case, with the
  court fee of ``rulesets/cn/court_fees.rules`` on the amount claimed;
* :func:`save_decision` — a judge's decision, recomputed from the store's record and the changes
  the judge chose (never a figure the page sends), written with who decided and when, its
  audit entry and the case's new stage, in one transaction.

The ruleset of a stored case is found by its id under ``rulesets/`` (``cn.consumer_loan`` is
``rulesets/cn/consumer_loan.rules``) and must still have the SHA-256 recorded when the case was
filed: a ruleset changed since is refused, never silently applied to an old case.

Imports: core, ruleset, store, precheck (its verdicts), reports and the rest of service; nothing above.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from ruledsl.core.errors import InputError, RulesError
from ruledsl.core.money import Money
from ruledsl.precheck.run import CORRECTION, EXCEEDS, REFUSED, worst
from ruledsl.reports.judgment import JudgmentDraft, Ordered, judgment_draft
from ruledsl.reports.sheet import CaseSheet, case_sheet
from ruledsl.ruleset import Decision, Ruleset, load
from ruledsl.service.access import CaseRecord, RulesetRef, add_case, get_case, refusal, signed_in
from ruledsl.service.auth import moment
from ruledsl.service.evidence import VerifiedItem, item_of
from ruledsl.store.cases import append_audit, cases, decisions, exact_dumps, iso_utc

#: the published rulesets a stored case may name, by id (``cn.consumer_loan``)
RULESETS = Path(__file__).resolve().parents[2] / "rulesets"
#: who may save a decision
MAY_DECIDE = ("judge",)
#: the stage a case is in once a judge has saved a decision
DECIDED = "已裁判"

#: the facts a what-if may change, by the rulesets' input names
REDUCTION = "borrower_requests_reduction"
CALC_UNTIL = "calc_until"
REPAYMENTS = "repayments"


def ruleset_path(ruleset_id: str, root: Path = RULESETS) -> Path:
    """The file of a published ruleset id (``cn.consumer_loan`` → ``rulesets/cn/consumer_loan.rules``)."""
    parts = ruleset_id.split(".")
    if not all(p and (p.isidentifier() or p.isdigit()) for p in parts):
        raise InputError.at(f"规则集标识 {ruleset_id!r} 无效（a ruleset id is dotted names, e.g. cn.consumer_loan）")
    return root.joinpath(*parts[:-1], parts[-1] + ".rules")


def ruleset_ref(path: Path, root: Path = RULESETS) -> RulesetRef:
    """The reference a case filed under the ruleset file ``path`` records: id, version, SHA-256 of the text."""
    path = Path(path).resolve()
    try:
        rel = path.relative_to(root.resolve()).with_suffix("")
    except ValueError:
        raise InputError.at(f"{path} 不是已发布的规则集（{path} is not under {root}）") from None
    return RulesetRef(".".join(rel.parts), load(path).version, _sha256(path))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_ruleset(ref: RulesetRef, root: Path = RULESETS) -> Ruleset:
    """The ruleset a stored case was filed under, refused if its text has changed since."""
    path = ruleset_path(ref.id, root)
    if not path.is_file():
        raise RulesError.at(f"规则集 {ref.id} 不存在（no ruleset {ref.id}: {path} is missing）")
    if _sha256(path) != ref.sha256:
        raise RulesError.at(
            f"规则集 {ref.id} 自立案以来已变更（the text of {ref.id} has changed since the case was filed: "
            f"its SHA-256 is no longer {ref.sha256[:12]}…）",
            hint="decide it under the version it was filed under, or refile it under the new one")
    return _published(path, ref.sha256)


_LOADED: dict[tuple[Path, str], Ruleset] = {}  # (file, SHA-256 of its text) → the ruleset compiled from it


def _published(path: Path, sha256: str) -> Ruleset:
    """The ruleset of ``path`` whose text has ``sha256``, compiled once per text (a queue of a thousand
    cases under one ruleset loads it once, not once per case)."""
    key = (path.resolve(), sha256)
    found = _LOADED.get(key)
    if found is None:
        if len(_LOADED) > 64:
            _LOADED.clear()
        found = _LOADED[key] = load(path)
    return found


@dataclass(frozen=True)
class WhatIf:
    """Facts a judge may change on the case page; unset ones stay as filed.

    ``reduction``: grant (True) or refuse (False) the borrower's request to reduce interest, penalty and
    compound interest above 24 % a year; ``calc_until``: another calculation date; ``excluded_repayments``:
    the repayments not to count, by their position in the case's list (0 first); ``rejected_evidence``:
    items of verified evidence the judge rejects, by their position in the case's evidence list.
    """

    reduction: bool | None = None
    calc_until: date | None = None
    excluded_repayments: frozenset[int] = field(default_factory=frozenset)
    rejected_evidence: frozenset[int] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return (self.reduction is not None or self.calc_until is not None or bool(self.excluded_repayments)
                or bool(self.rejected_evidence))

    def as_dict(self) -> dict[str, Any]:
        """What the store records of the changes (sorted positions, ISO date)."""
        out: dict[str, Any] = {}
        if self.reduction is not None:
            out["reduction"] = self.reduction
        if self.calc_until is not None:
            out["calc_until"] = self.calc_until
        if self.excluded_repayments:
            out["excluded_repayments"] = sorted(self.excluded_repayments)
        if self.rejected_evidence:
            out["rejected_evidence"] = sorted(self.rejected_evidence)
        return out


@dataclass(frozen=True)
class AwardLine:
    """One award line: claimed (None when the case states no claim for it), allowed by law, awarded (the
    lesser of the two: an award never exceeds the claim, 民事诉讼法 art.211(11)), and the difference
    claimed − awarded (诉请未获支持部分, never negative)."""

    name: str
    label: str
    claimed: Money | None
    allowed: Money
    awarded: Money
    law: str

    @property
    def difference(self) -> Money | None:
        return None if self.claimed is None else self.claimed - self.awarded


@dataclass(frozen=True)
class CaseAward:
    """A stored case decided: the lines, the total (the ruleset's ``total`` line, else None), the route
    (程序) and whether it refuses the case (不予受理), whether the evidence is complete, the ruleset in
    force, and the full sheet and decision."""

    case_id: int
    ruleset: RulesetRef
    lines: tuple[AwardLine, ...]
    total: AwardLine | None
    route: str | None
    refused: bool
    evidence_complete: bool
    changes: WhatIf
    sheet: CaseSheet | None  # None when decided without the trace (``traced=False``)
    decision: Decision
    effective: date | None = None  # the ruleset's effective date (生效日期)

    @property
    def every_line(self) -> tuple[AwardLine, ...]:
        """The lines, then the total when there is one (what a table of the award lists)."""
        return (*self.lines, self.total) if self.total else self.lines

    def line(self, name: str) -> AwardLine:
        for line in self.every_line:
            if line.name == name:
                return line
        raise KeyError(name)


def _inputs(record: CaseRecord, ruleset: Ruleset, changes: WhatIf) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The case's inputs and verified evidence with ``changes`` applied (a change the ruleset has no fact
    for is refused, never dropped)."""
    inputs = dict(record.inputs)
    names = set(ruleset.checked.input_types)

    def need(name: str, what: str) -> None:
        if name not in names:
            raise InputError.at(f"规则集 {record.ruleset.id} 没有“{what}”这一事实（the ruleset has no input {name}）")

    if changes.reduction is not None:
        need(REDUCTION, "借款人请求调减")
        inputs[REDUCTION] = changes.reduction
    if changes.calc_until is not None:
        need(CALC_UNTIL, "计算截止日")
        inputs[CALC_UNTIL] = changes.calc_until
    if changes.excluded_repayments:
        need(REPAYMENTS, "还款记录")
        paid = list(inputs.get(REPAYMENTS) or [])
        bad = sorted(i for i in changes.excluded_repayments if not 0 <= i < len(paid))
        if bad:
            raise InputError.at(f"没有第 {bad[0] + 1} 笔还款（the case lists {len(paid)} repayments）")
        inputs[REPAYMENTS] = [p for i, p in enumerate(paid) if i not in changes.excluded_repayments]
    bad = sorted(i for i in changes.rejected_evidence if not 0 <= i < len(record.evidence))
    if bad:
        raise InputError.at(f"没有第 {bad[0] + 1} 项证据（the case lists {len(record.evidence)} items）")
    # every stored item is what the verification at filing found (a tampered one too: the rules must see it
    # to say so); an item the judge rejects, or one declared with nothing presented, does not reach them
    items = (item_of(e) for i, e in enumerate(record.evidence) if i not in changes.rejected_evidence)
    return inputs, [item for item in items if item is not None]


def case_award(record: CaseRecord, changes: WhatIf = WhatIf(), *, traced: bool = True,
               root: Path = RULESETS) -> CaseAward:
    """Decide the stored case (with ``changes``) under the ruleset it was filed under; writes nothing.
    ``traced``: with the trace and the full sheet (what a case page shows); without, the figures only
    (what filing needs, several times faster)."""
    ruleset = load_ruleset(record.ruleset, root)
    inputs, verified = _inputs(record, ruleset, changes)
    decision = ruleset.evaluate(inputs, record.case_number, trace=traced, verified=verified)
    sheet = case_sheet(ruleset, decision, record.case_number, tuple(record.parties)) if traced else None
    checked = ruleset.checked
    claim = decision.claim or {}
    lines = []
    for name, amount in decision.award.items():
        c = claim.get(name)
        rule = checked.definitions[name]
        lines.append(AwardLine(name, rule.label or name, c.claimed if c else None, c.allowed if c else amount,
                               amount, "\n".join(checked.citation_text(rule.citation))))
    total = next((line for line in lines if line.name == "total"), None)
    if total is not None:
        lines.remove(total)
        claimed = [line.claimed for line in lines]
        if claim and all(c is not None for c in claimed):  # the total claimed: Σ of the lines claimed
            total = AwardLine(total.name, total.label, sum(claimed, Money(0)),  # type: ignore[arg-type]
                              sum((line.allowed for line in lines), Money(0)), total.awarded, total.law)
    return CaseAward(record.id, record.ruleset, tuple(lines), total, decision.route, not decision.admissible,
                     decision.evidence_complete, changes, sheet, decision, checked.effective)


@dataclass(frozen=True)
class Change:
    """One line before and after a what-if."""

    name: str
    label: str
    before: Money
    after: Money

    @property
    def delta(self) -> Money:
        return self.after - self.before


def what_if(record: CaseRecord, changes: WhatIf, *, before: CaseAward | None = None,
            root: Path = RULESETS) -> tuple[CaseAward, list[Change]]:
    """The case decided with ``changes``, and each awarded line against the case as filed (``before``, when the
    caller has already decided it: a case page has); writes nothing."""
    if before is None:
        before = case_award(record, root=root)
    after = case_award(record, changes, root=root)
    was = {line.name: line for line in before.every_line}
    out = [Change(line.name, line.label, was[line.name].awarded if line.name in was else Money(0), line.awarded)
           for line in after.every_line]
    return after, out


def _award_json(award: CaseAward) -> dict[str, Any]:
    lines = award.every_line
    return {"lines": [{"name": line.name, "label": line.label, "awarded": line.awarded.amount,
                       "allowed": line.allowed.amount,
                       "claimed": None if line.claimed is None else line.claimed.amount, "law": line.law}
                      for line in lines],
            "route": award.route, "evidence_complete": award.evidence_complete,
            "ruleset": {"id": award.ruleset.id, "version": award.ruleset.version, "sha256": award.ruleset.sha256}}


def save_decision(engine: Engine, session, case_id: int, changes: WhatIf = WhatIf(), *,  # type: ignore[no-untyped-def]
                  now: datetime | None = None, root: Path = RULESETS) -> int:
    """Save a judge's decision of a stored case: recomputed here from the store's record and ``changes``,
    written with who decided and when; the case moves to :data:`DECIDED`; one ``decide`` audit entry.
    Judges only.  Returns the decision's id."""

    at = moment(now)
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        if who.role not in MAY_DECIDE:
            raise refusal(who, "作出裁判", "save a decision")
    record = get_case(engine, session, case_id, now=at)
    award = case_award(record, changes, root=root)
    inputs = {"changes": changes.as_dict()}
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        current = conn.execute(select(cases.c.ruleset_sha256).where(cases.c.id == case_id)).scalar_one()
        if current != record.ruleset.sha256:
            raise RulesError.at("案件在计算期间被修改（the case changed while it was being decided）",
                                hint="open it again")
        decision_id = conn.execute(insert(decisions).values(
            case_id=case_id, inputs_json=exact_dumps(inputs), award_json=exact_dumps(_award_json(award)),
            decided_by=who.user_id, decided_at=iso_utc(at), ruleset_sha256=record.ruleset.sha256,
        ).returning(decisions.c.id)).scalar_one()
        conn.execute(update(cases).where(cases.c.id == case_id).values(stage=DECIDED, updated_at=iso_utc(at)))
        total = award.total.awarded.amount if award.total else None
        append_audit(conn, at, who.user_id, "decide", case_id,
                     {"decision": decision_id, "total": total, **changes.as_dict()})
    return decision_id


#: the ruleset the court fee of a draft judgment is computed by
COURT_FEES = "cn.court_fees"


def court_fee(amount: Money, procedure: str = "simple", *, root: Path = RULESETS) -> Money:
    """The acceptance fee (案件受理费) of a money claim of ``amount`` under ``procedure`` (ordinary, simple,
    small_claims), by the published court-fee ruleset (诉讼费用交纳办法 art.13, 16)."""
    path = ruleset_path(COURT_FEES, root)
    ruleset = _published(path, _sha256(path))
    decision = ruleset.evaluate({"claim_amount": amount.amount, "procedure": procedure}, "court fee", trace=False)
    return decision.award["acceptance_fee"]


def judgment_of(record: CaseRecord, award: CaseAward, court: str, *, procedure: str = "simple",
                root: Path = RULESETS) -> JudgmentDraft:
    """The draft main text of the judgment of ``award`` (the case's decision, with any what-if applied):
    each awarded line an order, the rest of the claim dismissed, the court fee on what was claimed
    (else on what is awarded) apportioned (see :mod:`ruledsl.reports.judgment`).  A case the rules find not
    admissible gets no judgment (it is refused by a ruling, 裁定不予受理): that is an error naming the grounds."""
    if award.refused:
        raise InputError.at("本案不予受理，不起草判决主文：" + "；".join(r.message for r in award.decision.refusals),
                            hint="the rules find the case not admissible: it is refused by a ruling (裁定), "
                                 "not decided by a judgment")
    plaintiff = "、".join(p["name"] for p in record.parties if p["role"] == "原告") or record.lender
    defendants = tuple(p["name"] for p in record.parties if p["role"] == "被告")
    claimed = award.total.claimed if award.total else None
    basis = claimed if claimed is not None else (award.total.awarded if award.total else None)
    fee = court_fee(basis, procedure, root=root) if basis is not None else None
    lines = [Ordered(line.name, line.label, line.awarded) for line in award.lines]
    return judgment_draft(court, record.case_number, plaintiff, defendants, lines, claimed=claimed, fee=fee)


#: an evidence state of the queue: the most serious status among a case's evidence findings, first here
EVIDENCE_STATES = ("tampered", "late", "early", "unsigned", "unverifiable", "missing", "declared", "warning", "satisfied")
EVIDENCE_STATE_LABELS = {"tampered": "被篡改", "late": "存证超时", "early": "存证过早", "unsigned": "未签名", "unverifiable": "无法核验",
                         "missing": "缺失", "declared": "仅声明", "warning": "提示", "satisfied": "齐全"}


def _fen(money: Money | None) -> int | None:
    return None if money is None else int(money.rounded().amount.scaleb(2))


def _overdue_days(values: dict[str, Any]) -> int | None:
    """Days from the first instalment falling due (or the loan's due date) to the calculation date, when
    the case has both and the first is before the second; else None."""
    until = values.get(CALC_UNTIL) or values.get("filed_on")
    dues = [i.get("due_on") for i in values.get("instalments") or () if isinstance(i, dict)]
    if values.get("due_on") is not None:
        dues.append(values["due_on"])
    dues = [d for d in dues if isinstance(d, date)]
    if not isinstance(until, date) or not dues or min(dues) >= until:
        return None
    return (until - min(dues)).days


def queue_figures(award: CaseAward) -> dict[str, Any]:
    """What the queue shows of a decided case, as the store keeps it (:data:`~ruledsl.service.access.FIGURES`):
    the total claimed, allowed and awarded in whole fen, the overdue days, the evidence state and the
    pre-check's verdict (:mod:`ruledsl.precheck.run`: not admissible, needs correction, claims more than the
    law allows, ready)."""
    decision = award.decision
    total = award.total
    statuses = {r.status for r in decision.evidence}
    state = next((s for s in EVIDENCE_STATES if s in statuses), None)
    kinds = []
    if award.refused:
        kinds.append(REFUSED)
    if not decision.evidence_complete:
        kinds.append(CORRECTION)
    if any(line.claimed is not None and line.claimed > line.allowed for line in award.lines):
        kinds.append(EXCEEDS)
    return {"claimed_fen": _fen(total.claimed) if total else None,
            "allowed_fen": _fen(total.allowed) if total else None,
            "awarded_fen": _fen(total.awarded) if total else None,
            "overdue_days": _overdue_days(decision.values), "evidence_state": state, "verdict": worst(kinds)}


def file_case(engine: Engine, session, case_number: str, lender: str, ruleset: RulesetRef,  # type: ignore[no-untyped-def]
              inputs: dict[str, Any], parties: list[dict[str, Any]], stage: str | None = None, *,
              evidence: Sequence[VerifiedItem] = (), now: datetime | None = None, root: Path = RULESETS) -> int:
    """File a case: decide it once under ``ruleset`` (which must be the published text it names) and add it
    with the queue's figures; ``stage`` defaults to the route the rules give (立案, 诉前调解 …).  Evidence
    enters verified (``evidence``: :func:`ruledsl.service.evidence.verify_filing`), never through ``inputs``
    (a typed ``evidence`` list stays declared).  Returns the case's id."""
    stored = tuple({"kind": e.kind, "file": e.file, "verified": e.verified, "status": e.status,
                    "detail": e.detail()} for e in evidence)
    draft = CaseRecord(0, case_number, lender, stage or "", ruleset, dict(inputs), moment(now), moment(now),
                       tuple(parties), stored, ())
    award = case_award(draft, traced=False, root=root)  # (refused if the text is not the one ``ruleset`` names)
    return add_case(engine, session, case_number, lender, ruleset, inputs, parties,
                    stage or award.route or "立案", now=now, figures=queue_figures(award), evidence=evidence)

"""The party profile (当事人画像) of a stored case: who each party is, what the ID number says, the party's
other cases in the store (涉诉情况), the repayment history, the facts the case file declares about the
party, and the case's main points in dispute.

:func:`party_profile` opens a case as :func:`ruledsl.service.access.get_case` does — the same session
check, the same refusal of another lender's case, one ``view`` entry in the audit log (its detail says
``{"profile": [the parties' positions]}``) — and returns a :class:`CaseProfile`, frozen, with one
:class:`PartyProfile` per party (or the one asked for).  Nothing is written but that audit entry.

What each role sees (the masking of :func:`~ruledsl.service.access.mask_party`, and no more):

=============================  ===================================  =========================================
role                           name, ID number, phone               what is read from the ID number; declared
=============================  ===================================  =========================================
judge, clerk (one case open)   plain                                everything
lender (its own cases only)    plain                                everything
mediator, admin                masked (``张**``, ``110101********1234``)  only what the masked number itself shows
                                                                    (province, sex) and whether it is valid;
                                                                    the birth date, the age and the wording of
                                                                    the problem are withheld; declared facts
                                                                    by name and source, their values withheld
=============================  ===================================  =========================================

The ID facts are read (:func:`ruledsl.core.idnumber.read_id_number`) from the number as the store holds
it, inside the service, whatever the role sees; a role that sees the number masked gets only what its
mask leaves visible (the first six digits give the province, the 17th the sex) and the check's outcome,
never the birth date (which the mask exists to hide) nor an age computed from it.  **The region is
given to the province only**: the project does not ship the GB/T 2260 table of prefectures and
counties (:data:`REGION_NOTE`).

**The age at signing** is counted (:func:`~ruledsl.core.idnumber.age_on`, 周岁) on the contract's
signing date when the case's ruleset has one (``contract_signed_on`` of ``cn.private_lending``, whose
default is the day the loan was provided, 民法典 art.679), else on the date the loan began — the
disbursement date (``disbursed_on``: 放款日 of ``cn.consumer_loan``; 计息起始日 of ``cn.credit_card``) or,
for a card account filed by its postings, the first posting — and :class:`SigningDate` says which.

**Other cases** (涉诉情况) are the store's cases with a party of the same ID number (exactly, ``x`` and
``X`` alike), this case excepted; a party filed without an ID number is matched by the exact name and
kind instead, and :attr:`PartyProfile.match_note` says so (the same name may be another person).  A
lender sees only its own lender's cases among them (and is not told of the others); each with its
案号, lender, stage, verdict, amounts claimed and awarded as filed, and the judge's latest saved
decision, if any.  At most :data:`MAX_OTHER_CASES` are listed, newest first; ``other_cases_total``
counts them all.

**Declared facts** (income, employment, contactability …) are what the filing stated about the party,
each with its source in the case file (``parties.declared_json``, written by
:func:`~ruledsl.service.access.add_case` from a party's ``declared``); nothing is inferred and a party
without them has none (a page shows 案件材料未载明).

**The repayment history** is the case's own schedule and payments as filed: each instalment due
(本金 + 期内利息), or the principal due on the agreed date for a loan without a schedule, and each repayment,
as rows (date, 应还 / 实还, amount, running total per kind) a chart draws directly.

**Points in dispute** come from the case decided under its ruleset
(:func:`ruledsl.service.decide.case_award`): an award line claimed above what the law allows, the
borrower's request for a reduction, evidence that is missing or fails its check, a refusal of the case.

Imports: core, store, and service.access / service.decide; nothing above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Connection, Engine, func, select

from ruledsl.core.errors import InputError, RulesError
from ruledsl.core.idnumber import IdFacts, age_on, read_id_number
from ruledsl.core.money import Money, yuan
from ruledsl.core.text import exact_json
from ruledsl.precheck.run import VERDICT_LABELS
from ruledsl.service.access import CaseRecord, RulesetRef, mask_party, opened_case, signed_in
from ruledsl.service.auth import Session, moment
from ruledsl.service.decide import RULESETS, AwardLine, case_award, load_ruleset
from ruledsl.store.cases import append_audit, cases, decisions, evidence_items, parse_utc
from ruledsl.store.cases import parties as party_table

#: how many of a party's other cases a profile lists (newest first); ``other_cases_total`` counts them all
MAX_OTHER_CASES = 50
#: what the region of an ID number is read to, said wherever it is shown
REGION_NOTE = ("地区仅到省级：未收录 GB/T 2260 地、县级行政区划代码表"
               "（region to the province only: the full GB/T 2260 table is not shipped）")
#: the roles that see what the ID number says in full (those that see the number plain on one case)
SEES_PLAIN = ("judge", "clerk", "lender")
WITHHELD = "按角色隐去"
#: the signing-date inputs of the shipped rulesets, the first a case has wins (see the module docstring)
SIGNING_INPUTS = ("contract_signed_on", "disbursed_on")
#: how a profile names the facts a filing declares (any other fact is shown by its own name)
DECLARED_LABELS = {
    "monthly_income": "月收入（元）",
    "annual_income": "年收入（元）",
    "income": "收入",
    "employer": "工作单位",
    "occupation": "职业",
    "employment": "就业状况",
    "phone_reachable": "电话能否接通",
    "contactable": "能否联系",
    "address": "住址",
    "residence": "经常居住地",
    "last_contact": "最近一次联系",
}
#: the input a ruleset names the borrower's request to reduce charges by
REDUCTION = "borrower_requests_reduction"

Sex = Literal["男", "女"]


@dataclass(frozen=True, slots=True)
class SigningDate:
    """The date an age is counted on: ``on`` (None when the case has none), the ruleset's input it comes
    from and its label, and ``note`` when it is not the contract's signing date itself."""

    on: date | None
    input: str | None
    label: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class IdProfile:
    """What the party's 公民身份号码 says, as the session's role may see it (``withheld``: the role sees the
    number masked, so ``birth_date``, ``age_at_signing`` and the wording of ``problem`` are None)."""

    valid: bool
    problem: str | None
    kind: Literal["18", "15"] | None
    province: str | None
    sex: Sex | None
    birth_date: date | None
    age_at_signing: int | None
    withheld: bool


@dataclass(frozen=True, slots=True)
class OtherCase:
    """Another case of the same party: as filed (claimed and awarded in total, the queue's verdict) and the
    judge's latest saved decision (its time and total awarded), if any."""

    id: int
    case_number: str
    lender: str
    role: str
    stage: str
    ruleset_id: str
    verdict: str | None
    verdict_label: str | None
    claimed: Money | None
    awarded: Money | None
    decided_at: datetime | None
    decided_awarded: Money | None


@dataclass(frozen=True, slots=True)
class DeclaredFact:
    """A fact the case file declares about the party, with the document that states it; ``value`` None when
    the role may not see it (``withheld``)."""

    name: str
    label: str
    value: str | None
    source: str
    withheld: bool = False


@dataclass(frozen=True, slots=True)
class PartyProfile:
    """One party of the case (``index``: its position in the case's parties, 0 first), masked as the role
    sees it on the case page."""

    index: int
    role: str
    kind: str
    name: str | None
    id_number: str | None
    phone: str | None
    masked: bool
    id_facts: IdProfile | None
    id_note: str | None  # why there are no ID facts, when there are none
    matched_by: Literal["id_number", "name"]
    match_note: str
    other_cases: tuple[OtherCase, ...]
    other_cases_total: int
    declared: tuple[DeclaredFact, ...]


@dataclass(frozen=True, slots=True)
class RepaymentPoint:
    """One row of the repayment history: a sum due (应还) or paid (实还) on ``on``, and the running total of its kind."""

    on: date
    kind: Literal["应还", "实还"]
    amount: Money
    cumulative: Money
    what: str


@dataclass(frozen=True, slots=True)
class DisputePoint:
    """A main point in dispute: ``kind`` is ``claim_exceeds``, ``reduction``, ``evidence``, ``evidence_warning``
    or ``refused``; the text Chinese first; the law when the point rests on one."""

    kind: str
    text: str
    law: str | None = None


@dataclass(frozen=True, slots=True)
class CaseProfile:
    """The profile of one case: its parties, repayment history, claims and points in dispute.  ``claims``
    are the award lines (claimed | allowed | awarded | law) and ``award_problem`` says why there are
    none when the case cannot be decided (its ruleset changed since filing, say)."""

    case_id: int
    case_number: str
    lender: str
    stage: str
    ruleset: RulesetRef
    signing: SigningDate
    parties: tuple[PartyProfile, ...]
    repayments: tuple[RepaymentPoint, ...]
    history_notes: tuple[str, ...]
    claims: tuple[AwardLine, ...]
    disputes: tuple[DisputePoint, ...]
    award_problem: str | None = None
    region_note: str = REGION_NOTE


# ---------------------------------------------------------------- reading the case's inputs


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _money(value: Any) -> Money | None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        return None
    try:
        return Money(value)
    except (RulesError, ValueError, ArithmeticError):
        return None


def _labels(ruleset: Any) -> dict[str, str]:
    return {f.name: f.label for f in (ruleset.checked.inputs if ruleset is not None else ()) if f.label}


def signing_date(inputs: Mapping[str, Any], labels: Mapping[str, str], ruleset_id: str) -> SigningDate:
    """The date the age at signing is counted on (see the module docstring), from the case's inputs."""
    has_signing_input = "contract_signed_on" in labels
    for name in SIGNING_INPUTS:
        on = _day(inputs.get(name))
        if on is None:
            continue
        label = labels.get(name, name)
        if name == "contract_signed_on":
            return SigningDate(on, name, label)
        if has_signing_input:
            note = f"案件未载明{labels['contract_signed_on']}，依规则集缺省以{label}计"
        else:
            note = f"规则集 {ruleset_id} 无合同签订日一项，以{label}计"
        return SigningDate(on, name, label, note)
    posted = sorted(d for d in (_day(p.get("posted_on")) for p in _records(inputs.get("postings"))) if d)
    if posted:
        return SigningDate(posted[0], "postings", "首笔交易记账日",
                           f"规则集 {ruleset_id} 无合同签订日一项，案件亦未载明{labels.get('disbursed_on', '放款日')}，"
                           "以首笔交易记账日计")
    return SigningDate(None, None, "无", "案件未载明合同签订日或放款日，无从计算签约时年龄")


def _records(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list | tuple) else []


def repayment_history(inputs: Mapping[str, Any]) -> tuple[tuple[RepaymentPoint, ...], tuple[str, ...]]:
    """The case's sums due and paid as filed, by date (a sum due before a sum paid on the same day), each
    with the running total of its kind; and notes on what the history leaves out."""
    rows: list[tuple[date, int, str, Money, str]] = []
    notes: list[str] = []
    for n, item in enumerate(_records(inputs.get("instalments")), start=1):
        on, principal, interest = _day(item.get("due_on")), _money(item.get("principal")), _money(item.get("interest"))
        if on is None or principal is None:
            continue
        due = principal + (interest or Money(0))
        rows.append((on, 0, "应还", due, f"第 {n} 期本息（本金 {yuan(principal)} + 期内利息 {yuan(interest or Money(0))}）"))
    if not rows:
        on, principal = _day(inputs.get("due_on")), _money(inputs.get("principal"))
        if on is not None and principal is not None:
            rows.append((on, 0, "应还", principal, "约定还款日应还本金（利息依法另计，未列入）"))
    if _records(inputs.get("postings")):
        notes.append("本案按交易明细与对账单计算，应还金额见裁判金额，未列入图表")
    for item in _records(inputs.get("repayments")):
        on, paid = _day(item.get("paid_on")), _money(item.get("amount"))
        if on is not None and paid is not None:
            rows.append((on, 1, "实还", paid, "还款"))
    for item in _records(inputs.get("designated_repayments")):
        on, paid = _day(item.get("paid_on")), _money(item.get("amount"))
        if on is not None and paid is not None:
            rows.append((on, 1, "实还", paid, f"还款（借款人指定用于第 {item.get('for_instalment')} 期）"))
    accelerated = _day(inputs.get("accelerated_on"))
    if accelerated is not None:
        notes.append(f"贷款人于 {accelerated.isoformat()} 宣布提前到期；图表所列为原还款计划")
    rows.sort(key=lambda r: (r[0], r[1]))
    totals = {"应还": Money(0), "实还": Money(0)}
    out = []
    for on, _, kind, amount, what in rows:
        totals[kind] = totals[kind] + amount
        out.append(RepaymentPoint(on, kind, amount, totals[kind], what))  # type: ignore[arg-type]
    return tuple(out), tuple(notes)


# ---------------------------------------------------------------- the party


def id_profile(number: str, signing: date | None, *, plain: bool, today: date) -> IdProfile:
    """What ``number`` says, all of it when the role sees the number ``plain``, else what its mask shows."""
    facts: IdFacts = read_id_number(number, today=today)
    if plain:
        return IdProfile(facts.valid, facts.problem, facts.kind, facts.province, facts.sex, facts.birth_date,
                         age_on(facts, signing) if signing is not None else None, withheld=False)
    problem = None if facts.valid else f"号码未通过校验（具体原因{WITHHELD}）"
    return IdProfile(facts.valid, problem, facts.kind, facts.province, facts.sex, None, None, withheld=True)


def _declared(text: str | None, *, plain: bool) -> tuple[DeclaredFact, ...]:
    if not text:
        return ()
    out = []
    order = {name: i for i, name in enumerate(DECLARED_LABELS)}  # income, employment, contact; then the rest
    for name, fact in sorted(exact_json(text).items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
        value = fact.get("value")
        if isinstance(value, bool):
            shown = "是" if value else "否"
        elif isinstance(value, Decimal):  # an amount the filing gave as a number: as a judge reads amounts
            shown = f"{value:,f}"
        else:
            shown = str(value)
        out.append(DeclaredFact(name, DECLARED_LABELS.get(name, name), shown if plain else None,
                                str(fact.get("source", "")), withheld=not plain))
    return tuple(out)


def _other_cases(conn: Connection, who: Session, case_id: int, party: Any) -> tuple[str, str, list[OtherCase], int]:
    """(matched_by, note, the other cases listed, how many there are) of a stored party row."""
    number = (party.id_number or "").strip()
    if number:
        match = party_table.c.id_number.in_(sorted({number, number.upper(), number.lower()}))
        matched_by, note = "id_number", "按证件号码匹配"
    else:
        match = (party_table.c.name == party.name) & (party_table.c.kind == party.kind)
        matched_by, note = "name", "未载明证件号码：按姓名（名称）与类型完全相同匹配，可能并非同一人"
    q = (select(cases, party_table.c.role.label("party_role"))
         .join(party_table, party_table.c.case_id == cases.c.id)
         .where(match, cases.c.id != case_id))
    if who.role == "lender":
        q = q.where(cases.c.lender == who.lender)
    total = conn.execute(select(func.count(func.distinct(cases.c.id)))
                         .select_from(cases.join(party_table, party_table.c.case_id == cases.c.id))
                         .where(match, cases.c.id != case_id,
                                *((cases.c.lender == who.lender,) if who.role == "lender" else ()))).scalar_one()
    rows, seen = [], set()
    for r in conn.execute(q.order_by(cases.c.id.desc(), party_table.c.id).limit(MAX_OTHER_CASES * 2)):
        if r.id not in seen and len(rows) < MAX_OTHER_CASES:
            seen.add(r.id)
            rows.append(r)
    latest = _latest_decisions(conn, [r.id for r in rows])
    out = []
    for r in rows:
        decided_at, decided_awarded = latest.get(r.id, (None, None))
        out.append(OtherCase(r.id, r.case_number, r.lender, r.party_role, r.stage, r.ruleset_id, r.verdict,
                             VERDICT_LABELS.get(r.verdict) if r.verdict else None,
                             None if r.claimed_fen is None else Money.from_fen(r.claimed_fen),
                             None if r.awarded_fen is None else Money.from_fen(r.awarded_fen),
                             decided_at, decided_awarded))
    return matched_by, note, out, total


def _latest_decisions(conn: Connection, case_ids: Iterable[int]) -> dict[int, tuple[datetime, Money | None]]:
    ids = list(case_ids)
    out: dict[int, tuple[datetime, Money | None]] = {}
    if not ids:
        return out
    for d in conn.execute(select(decisions).where(decisions.c.case_id.in_(ids)).order_by(decisions.c.id)):
        lines = exact_json(d.award_json).get("lines") or []
        total = next((line.get("awarded") for line in lines if line.get("name") == "total"), None)
        out[d.case_id] = (parse_utc(d.decided_at), _money(total))  # the later one wins
    return out


# ---------------------------------------------------------------- the points in dispute


def dispute_points(award: Any, inputs: Mapping[str, Any], labels: Mapping[str, str]) -> tuple[DisputePoint, ...]:
    """The case's main points in dispute, from the case decided (:class:`~ruledsl.service.decide.CaseAward`)."""
    out = []
    if award.refused:
        out.append(DisputePoint("refused", f"程序：{award.route}"))
    for line in award.lines:
        if line.claimed is not None and line.claimed > line.allowed:
            out.append(DisputePoint(
                "claim_exceeds",
                f"诉请{line.label} {yuan(line.claimed)} 元，超出依法可支持的 {yuan(line.allowed)} 元，"
                f"超出 {yuan(line.claimed - line.allowed)} 元",
                line.law.replace("\n", "；") or None))
    if inputs.get(REDUCTION) is True:
        out.append(DisputePoint("reduction", f"{labels.get(REDUCTION, '借款人请求调减')}：是"))
    for r in award.decision.evidence:
        if r.satisfied:
            continue
        text = f"{r.message}（{r.reason}）" if r.message else r.reason
        kind = "evidence" if r.severity == "error" else "evidence_warning"
        out.append(DisputePoint(kind, ("证据不齐：" if kind == "evidence" else "证据提示：") + text,
                                "；".join(r.citations) or None))
    return tuple(out)


# ---------------------------------------------------------------- the use case


def party_profile(engine: Engine, session: Session, case_id: int, party_index: int | None = None, *,
                  now: datetime | None = None, root: Any = RULESETS) -> CaseProfile:
    """The profile of the case ``case_id``: every party's (or only the one at ``party_index``, 0 first),
    its repayment history, claims and points in dispute, as the session's role may see them (see the
    module docstring).  One ``view`` entry in the audit log; a lender asking for another lender's case
    is refused and nothing is logged."""
    at = moment(now)
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        r = opened_case(conn, who, case_id)
        rows = conn.execute(select(party_table).where(party_table.c.case_id == r.id).order_by(party_table.c.id)).all()
        if party_index is not None and not 0 <= party_index < len(rows):
            raise InputError.at(f"本案没有第 {party_index + 1} 位当事人（the case has {len(rows)} parties）")
        chosen = list(enumerate(rows)) if party_index is None else [(party_index, rows[party_index])]
        others = {i: _other_cases(conn, who, r.id, p) for i, p in chosen}
        evidence = tuple(
            {"id": e.id, "kind": e.kind, "file": e.file, "verified": bool(e.verified), "status": e.status,
             "detail": exact_json(e.detail_json)}
            for e in conn.execute(select(evidence_items).where(evidence_items.c.case_id == r.id)
                                  .order_by(evidence_items.c.id)))
        append_audit(conn, at, who.user_id, "view", r.id, {"profile": [i for i, _ in chosen]})

    ref = RulesetRef(r.ruleset_id, r.ruleset_version, r.ruleset_sha256)
    inputs = exact_json(r.inputs_json)
    plain = who.role in SEES_PLAIN
    shown = [mask_party({"role": p.role, "name": p.name, "id_number": p.id_number, "phone": p.phone,
                         "kind": p.kind}, who.role, single_case=True) for p in rows]
    record = CaseRecord(r.id, r.case_number, r.lender, r.stage, ref, inputs, parse_utc(r.created_at),
                        parse_utc(r.updated_at), tuple(shown), evidence, ())
    award, problem, ruleset = None, None, None
    try:
        ruleset = load_ruleset(ref, root)
        award = case_award(record, traced=False, root=root)
    except RulesError as exc:
        problem = str(exc)
    labels = _labels(ruleset)
    signing = signing_date(inputs, labels, ref.id)

    profiles = []
    for i, p in chosen:
        number = (p.id_number or "").strip()
        if p.kind == "organisation":
            facts, id_note = None, "机构当事人：证件为统一社会信用代码，不按公民身份号码解读"
        elif not number:
            facts, id_note = None, "案件材料未载明身份证号码"
        else:
            facts, id_note = id_profile(number, signing.on, plain=plain, today=at.date()), None
        matched_by, note, listed, total = others[i]
        profiles.append(PartyProfile(
            i, p.role, p.kind, shown[i]["name"], shown[i]["id_number"], shown[i]["phone"],
            shown[i] != {"role": p.role, "name": p.name, "id_number": p.id_number, "phone": p.phone, "kind": p.kind},
            facts, id_note, matched_by, note, tuple(listed), total,  # type: ignore[arg-type]
            _declared(p.declared_json, plain=plain)))
    history, notes = repayment_history(inputs)
    return CaseProfile(
        r.id, r.case_number, r.lender, r.stage, ref, signing, tuple(profiles), history, notes,
        award.lines if award is not None else (),
        dispute_points(award, inputs, labels) if award is not None else (), problem)


__all__ = ["MAX_OTHER_CASES", "REGION_NOTE", "CaseProfile", "DeclaredFact", "DisputePoint", "IdProfile",
           "OtherCase", "PartyProfile", "RepaymentPoint", "SigningDate", "dispute_points", "id_profile",
           "party_profile", "repayment_history", "signing_date"]

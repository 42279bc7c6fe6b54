"""The case store through a session: who may add, list, open and audit cases, and what each role sees.

==========  ==================  =====================================  ==============
role        add a case          list / open cases                      the audit log
==========  ==================  =====================================  ==============
judge       any lender's        all; parties masked in lists, plain    yes
                                when one case is opened
clerk       any lender's        as a judge                             no
lender      its own lender's    its own lender's only, plain           no
mediator    no                  all, parties masked everywhere         no
admin       no                  all, parties masked everywhere         yes
==========  ==================  =====================================  ==============

Every function checks the session first (:func:`ruledsl.service.auth.resume_in`, in the same
transaction as the work, so the role is the one the store holds now, never what a caller says);
opening a case (:func:`get_case`) and adding one are entries in the audit log.

Masking (:func:`mask_party`): a person's name keeps its first character (``张**``; two stars
whatever the length, so the mask does not tell it); an 18-digit 居民身份证号码 keeps the first 6 and
last 4 characters (``110101********1234``: the birth date is what goes), a 15-digit one the first
6 and last 3 (the 6-digit birth date goes); other ID numbers keep their last 4; a phone keeps its
first 3 and last 4 (``138****5678``).  An organisation's name and code (统一社会信用代码) are not
personal data and stay; its phone is masked like anyone's.  Empty values stay empty.

Inputs are stored as exact JSON (:func:`ruledsl.store.cases.exact_dumps`) and read back with
:func:`ruledsl.core.text.exact_json`: an amount given as ``Decimal("12345.67")`` comes back as that
Decimal, never a float.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from ruledsl.core.errors import AccessDenied, InputError
from ruledsl.core.money import Money
from ruledsl.core.text import exact_json
from ruledsl.service.auth import ROLE_NAMES, Session, moment, resume_in
from ruledsl.service.evidence import VerifiedItem, store_files
from ruledsl.store.cases import (
    append_audit,
    audit_log,
    cases,
    decisions,
    evidence_items,
    exact_dumps,
    iso_utc,
    parse_utc,
    users,
)
from ruledsl.store.cases import parties as party_table

#: what each role may do (see the module docstring)
MAY_ADD = ("judge", "clerk", "lender")
MAY_AUDIT = ("judge", "admin")
PLAIN_ON_ONE_CASE = ("judge", "clerk")

PARTY_ROLES = {"原告": "原告", "plaintiff": "原告", "被告": "被告", "defendant": "被告"}
PARTY_KINDS = ("person", "organisation")
PARTY_KEYS = ("role", "name", "id_number", "phone", "kind", "declared")
#: the longest name of a declared fact (``monthly_income``, ``employer`` …)
MAX_FACT_NAME = 64
MAX_LIMIT = 1000
#: the queue's figures a case is filed with (see :func:`ruledsl.service.decide.queue_figures`)
FIGURES = ("claimed_fen", "allowed_fen", "awarded_fen", "overdue_days", "evidence_state", "verdict")
#: what a queue may be sorted by
SORTS = {"newest": cases.c.id, "case_number": cases.c.case_number, "lender": cases.c.lender,
         "claimed": cases.c.claimed_fen, "allowed": cases.c.allowed_fen, "awarded": cases.c.awarded_fen,
         "overdue_days": cases.c.overdue_days, "stage": cases.c.stage, "verdict": cases.c.verdict,
         "evidence_state": cases.c.evidence_state}
#: what a queue may be counted by
COUNTS = ("stage", "verdict", "evidence_state")


@dataclass(frozen=True, slots=True)
class RulesetRef:
    """The ruleset a case is decided by: its id, version and the SHA-256 of its text."""

    id: str
    version: str
    sha256: str

    def __post_init__(self) -> None:
        if not self.id or not self.version:
            raise InputError.at("规则集须有标识和版本（a ruleset needs an id and a version）")
        if not re.fullmatch(r"[0-9a-f]{64}", self.sha256):
            raise InputError.at(f"规则集摘要不是 SHA-256（{self.sha256!r} is not a SHA-256 in lower-case hex）")


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A case as a list shows it; ``parties`` masked as the role must see them in a list."""

    id: int
    case_number: str
    lender: str
    stage: str
    ruleset_id: str
    ruleset_version: str
    created_at: datetime
    updated_at: datetime
    parties: tuple[dict[str, Any], ...]
    #: the queue's figures, as filed (None when the case was stored without them): amounts in yuan
    claimed: Money | None = None
    allowed: Money | None = None
    awarded: Money | None = None
    overdue_days: int | None = None
    evidence_state: str | None = None
    verdict: str | None = None


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """One case opened: everything the store holds of it, parties masked as the role must see them."""

    id: int
    case_number: str
    lender: str
    stage: str
    ruleset: RulesetRef
    inputs: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    parties: tuple[dict[str, Any], ...]
    evidence: tuple[dict[str, Any], ...]
    decisions: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    action: str
    case_id: int | None
    detail: dict[str, Any]


# ---------------------------------------------------------------- masking


def mask_name(name: str | None) -> str | None:
    """``张三丰`` → ``张**``: the first character and two stars, whatever the length (欧阳修 → 欧**)."""
    if not name:
        return name
    name = name.strip()
    return name[:1] + "**" if name else name


def mask_id_number(id_number: str | None) -> str | None:
    """18-digit ID → first 6 and last 4 (``110101********1234``); 15-digit → first 6 and last 3; else last 4."""
    if not id_number:
        return id_number
    s = id_number.strip()
    if re.fullmatch(r"\d{17}[\dXx]", s):
        return s[:6] + "*" * 8 + s[-4:]
    if re.fullmatch(r"\d{15}", s):
        return s[:6] + "*" * 6 + s[-3:]
    return "*" * max(0, len(s) - 4) + s[-4:] if len(s) > 4 else "*" * len(s)


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``: the first 3 and last 4 characters; a shorter number all stars."""
    if not phone:
        return phone
    s = phone.strip()
    if len(s) < 8:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_party(party: dict[str, Any], role: str, *, single_case: bool = False) -> dict[str, Any]:
    """``party`` as ``role`` may see it: judges and clerks see it plain when they open one case
    (``single_case``) and masked in lists; lenders plain (they only ever see their own lender's
    cases); mediators, admins and anyone else masked."""
    if role == "lender" or (single_case and role in PLAIN_ON_ONE_CASE):
        return dict(party)
    out = dict(party)
    if party.get("kind") != "organisation":
        out["name"] = mask_name(party.get("name"))
        out["id_number"] = mask_id_number(party.get("id_number"))
    out["phone"] = mask_phone(party.get("phone"))
    return out


# ---------------------------------------------------------------- use cases


def signed_in(conn: Connection, session: Session, now: datetime) -> Session:
    return resume_in(conn, session.token, now)


def refusal(session: Session, what: str, english: str) -> AccessDenied:
    return AccessDenied.of(f"{ROLE_NAMES.get(session.role, session.role)}无权{what}"
                           f"（a {session.role} may not {english}）")



def _declared(i: int, declared: Any) -> str | None:
    """A party's declared facts (``{fact: {"value": …, "source": "…"}}``) as the store keeps them: exact JSON,
    or None when there are none.  Each fact names where the case file says it (``source``, not empty) and
    has a value (text, a whole or exact number, yes/no; not empty)."""
    if declared is None or declared == {}:
        return None
    if not isinstance(declared, dict):
        raise InputError.at(f"当事人 {i}：declared 须为对象 {{事实: {{value, source}}}}（party {i}: declared is an "
                            f"object of facts, each {{\"value\": …, \"source\": \"…\"}}）")
    out = {}
    for fact, given in declared.items():
        if not isinstance(fact, str) or not fact.strip() or len(fact.strip()) > MAX_FACT_NAME:
            raise InputError.at(f"当事人 {i}：事实名称须为 1 至 {MAX_FACT_NAME} 个字符（party {i}: a declared fact's "
                                f"name is 1 to {MAX_FACT_NAME} characters, not {fact!r}）")
        fact = fact.strip()
        if not isinstance(given, dict) or set(given) != {"value", "source"}:
            raise InputError.at(f"当事人 {i}：事实 {fact} 须恰有 value 与 source 两项（party {i}: declared fact {fact} "
                                f"is {{\"value\": …, \"source\": \"…\"}}, exactly those two keys）")
        value, source = given["value"], given["source"]
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "" or not isinstance(value, str | bool | int | Decimal):
            raise InputError.at(f"当事人 {i}：事实 {fact} 缺少取值或取值类型不符（party {i}: declared fact {fact} needs a "
                                f"value: text, a whole number, a Decimal or true/false, not {value!r}）")
        if not isinstance(source, str) or not source.strip():
            raise InputError.at(f"当事人 {i}：事实 {fact} 须载明来源（party {i}: declared fact {fact} needs its source, "
                                f"the document of the case file that states it）")
        out[fact] = {"value": value, "source": source.strip()}
    return exact_dumps(out)


def _party_rows(given: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for i, party in enumerate(given, start=1):
        unknown = sorted(set(party) - set(PARTY_KEYS))
        if unknown:
            raise InputError.at(f"当事人 {i}：未知字段 {', '.join(unknown)}（party {i}: unknown field "
                                f"{', '.join(unknown)}; the fields are {', '.join(PARTY_KEYS)}）")
        role = PARTY_ROLES.get(str(party.get("role", "")).strip())
        if role is None:
            raise InputError.at(f"当事人 {i}：诉讼地位须为原告或被告（party {i}: role is 原告 plaintiff or 被告 defendant）")
        name = str(party.get("name") or "").strip()
        if not name:
            raise InputError.at(f"当事人 {i}：缺少姓名或名称（party {i}: a name is required）")
        kind = party.get("kind") or "person"
        if kind not in PARTY_KINDS:
            raise InputError.at(f"当事人 {i}：类型须为 person 或 organisation（party {i}: kind is person or organisation）")
        rows.append({"role": role, "name": name, "kind": kind,
                     "id_number": (str(party.get("id_number") or "").strip() or None),
                     "phone": (str(party.get("phone") or "").strip() or None),
                     "declared_json": _declared(i, party.get("declared"))})
    return rows


def add_case(engine: Engine, session: Session, case_number: str, lender: str,
             ruleset: RulesetRef | tuple[str, str, str], inputs: dict[str, Any], parties: list[dict[str, Any]],
             stage: str = "立案", *, now: datetime | None = None, figures: dict[str, Any] | None = None,
             evidence: Sequence[VerifiedItem] = ()) -> int:
    """Add a case with its parties; returns its id.  A lender may add only its own lender's cases; judges
    and clerks any; mediators and admins none.  A 案号 already in the store is refused.  ``figures``: the
    queue's figures (:data:`FIGURES`), as :func:`ruledsl.service.decide.file_case` computes them;
    ``evidence``: the items :func:`ruledsl.service.evidence.verify_filing` verified, stored with their files
    in the same transaction."""
    at = moment(now)
    ref = ruleset if isinstance(ruleset, RulesetRef) else RulesetRef(*ruleset)
    case_number, lender, stage = case_number.strip(), lender.strip(), stage.strip()
    if not case_number or len(case_number) > 64:
        raise InputError.at("案号须为 1 至 64 个字符（a case number is 1 to 64 characters）")
    if not lender:
        raise InputError.at("缺少放贷机构（the lender is required）")
    if not stage or len(stage) > 32:
        raise InputError.at("阶段须为 1 至 32 个字符（a stage is 1 to 32 characters）")
    if not isinstance(inputs, dict):
        raise InputError.at("案件数据须为对象（the inputs are an object of named values）")
    inputs_json = exact_dumps(inputs)
    rows = _party_rows(parties)
    extra = dict(figures or {})
    if set(extra) - set(FIGURES):
        raise InputError.at(f"未知的案件指标 {sorted(set(extra) - set(FIGURES))}（unknown queue figures）")
    try:
        with engine.begin() as conn:
            who = signed_in(conn, session, at)
            if who.role not in MAY_ADD:
                raise refusal(who, "立案", "add a case")
            if who.role == "lender" and lender != who.lender:
                raise AccessDenied.of(f"放贷机构只能为本机构立案（a lender adds cases of its own lender, {who.lender}, "
                                      f"not of {lender}）")
            case_id = conn.execute(insert(cases).values(
                case_number=case_number, lender=lender, ruleset_id=ref.id, ruleset_version=ref.version,
                ruleset_sha256=ref.sha256, inputs_json=inputs_json, stage=stage,
                created_at=iso_utc(at), updated_at=iso_utc(at), **extra,
            ).returning(cases.c.id)).scalar_one()
            if rows:
                conn.execute(insert(party_table), [{**r, "case_id": case_id} for r in rows])
            if evidence:
                store_files(conn, evidence)
                conn.execute(insert(evidence_items), [
                    {"case_id": case_id, "kind": e.kind, "file": e.file, "verified": e.verified, "status": e.status,
                     "detail_json": exact_dumps(e.detail())} for e in evidence])
            append_audit(conn, at, who.user_id, "change", case_id, {"added": case_number})
    except IntegrityError:
        raise InputError.at(f"案号 {case_number} 已存在（case number {case_number} is already in the store）") from None
    return case_id


def _parties_of(conn: Connection, case_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    ids = list(case_ids)
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        q = select(party_table).where(party_table.c.case_id.in_(ids)).order_by(party_table.c.case_id, party_table.c.id)
        for r in conn.execute(q):
            out[r.case_id].append({"role": r.role, "name": r.name, "id_number": r.id_number, "phone": r.phone,
                                   "kind": r.kind})
    return out


def _visible(who: Session, lender: str | None) -> str | None:
    """The lender a list is limited to: a lender's own, whatever it asks (asking for another's is refused)."""
    if who.role == "lender":
        if lender is not None and lender.strip() != who.lender:
            raise AccessDenied.of(f"放贷机构只能查看本机构的案件（a lender sees only its own lender's cases, "
                                  f"{who.lender}）")
        return who.lender
    return lender


def _filtered(q, *, search: str | None, stage: str | None, lender: str | None, verdict: str | None,  # type: ignore[no-untyped-def]
              evidence_state: str | None):
    if lender is not None:
        q = q.where(cases.c.lender == lender.strip())
    if stage is not None:
        q = q.where(cases.c.stage == stage.strip())
    if verdict is not None:
        q = q.where(cases.c.verdict == verdict)
    if evidence_state is not None:
        q = q.where(cases.c.evidence_state == evidence_state)
    if search and search.strip():
        term = search.strip().lower()
        q = q.where(or_(
            func.lower(cases.c.case_number).contains(term, autoescape=True),
            exists().where(party_table.c.case_id == cases.c.id,
                           func.lower(party_table.c.name).contains(term, autoescape=True)),
        ))
    return q


def _money(fen: int | None) -> Money | None:
    return None if fen is None else Money(Decimal(fen).scaleb(-2))


def list_cases(engine: Engine, session: Session, *, search: str | None = None, stage: str | None = None,
               lender: str | None = None, verdict: str | None = None, evidence_state: str | None = None,
               sort: str = "newest", descending: bool = True, limit: int = 100, offset: int = 0,
               now: datetime | None = None) -> list[CaseSummary]:
    """Cases, newest first unless ``sort`` names another column (:data:`SORTS`; cases without the figure
    last); ``search`` matches part of the 案号 or of a party's name.  A lender sees only its own lender's
    cases (asking for another lender's is refused)."""
    at = moment(now)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    if sort not in SORTS:
        raise InputError.at(f"不能按 {sort!r} 排序（sort by one of {', '.join(SORTS)}）")
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        q = _filtered(select(cases), search=search, stage=stage, lender=_visible(who, lender), verdict=verdict,
                      evidence_state=evidence_state)
        key = SORTS[sort]
        order = [key.desc().nulls_last() if descending else key.asc().nulls_last()]
        if key is not cases.c.id:
            order.append(cases.c.id.desc())
        rows = conn.execute(q.order_by(*order).limit(limit).offset(offset)).all()
        people = _parties_of(conn, (r.id for r in rows))
    return [
        CaseSummary(r.id, r.case_number, r.lender, r.stage, r.ruleset_id, r.ruleset_version,
                    parse_utc(r.created_at), parse_utc(r.updated_at),
                    tuple(mask_party(p, who.role) for p in people[r.id]),
                    _money(r.claimed_fen), _money(r.allowed_fen), _money(r.awarded_fen), r.overdue_days,
                    r.evidence_state, r.verdict)
        for r in rows
    ]


def queue_counts(engine: Engine, session: Session, *, search: str | None = None, stage: str | None = None,
                 lender: str | None = None, verdict: str | None = None, evidence_state: str | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    """How many cases match, and how many of them are in each stage, verdict and evidence state
    (``{"total": n, "stage": {…}, "verdict": {…}, "evidence_state": {…}}``; a case without the figure
    counts under None).  The same filters and the same limits by role as :func:`list_cases`."""
    at = moment(now)
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        visible = _visible(who, lender)
        out: dict[str, Any] = {}
        for name in COUNTS:
            column = cases.c[name]
            q = _filtered(select(column, func.count()).group_by(column), search=search, stage=stage,
                          lender=visible, verdict=verdict, evidence_state=evidence_state)
            out[name] = dict(conn.execute(q).all())
        out["total"] = sum(out["stage"].values())
    return out


def opened_case(conn: Connection, who: Session, case_id: int):  # type: ignore[no-untyped-def]
    """The ``cases`` row of ``case_id`` as ``who`` may open it: unknown ids, and a lender asking for
    another lender's case, are refused."""
    r = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if r is None:
        raise InputError.at(f"没有编号为 {case_id} 的案件（no case with id {case_id}）")
    if who.role == "lender" and r.lender != who.lender:
        raise AccessDenied.of(f"放贷机构只能查看本机构的案件（case {r.case_number} is not {who.lender}'s）")
    return r


def get_case(engine: Engine, session: Session, case_id: int, *, now: datetime | None = None) -> CaseRecord:
    """One case, everything the store holds of it; the opening is a ``view`` entry in the audit log.
    A lender asking for another lender's case is refused (and nothing is logged as viewed)."""
    at = moment(now)
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        r = opened_case(conn, who, case_id)
        people = _parties_of(conn, [r.id])[r.id]
        evidence = tuple(
            {"id": e.id, "kind": e.kind, "file": e.file, "verified": bool(e.verified), "status": e.status,
             "detail": exact_json(e.detail_json)}
            for e in conn.execute(select(evidence_items).where(evidence_items.c.case_id == r.id)
                                  .order_by(evidence_items.c.id))
        )
        decided = tuple(
            {"id": d.id, "inputs": exact_json(d.inputs_json), "award": exact_json(d.award_json),
             "decided_by": d.decided_by, "decided_at": parse_utc(d.decided_at), "ruleset_sha256": d.ruleset_sha256}
            for d in conn.execute(select(decisions).where(decisions.c.case_id == r.id).order_by(decisions.c.id))
        )
        append_audit(conn, at, who.user_id, "view", r.id)
    return CaseRecord(
        r.id, r.case_number, r.lender, r.stage, RulesetRef(r.ruleset_id, r.ruleset_version, r.ruleset_sha256),
        exact_json(r.inputs_json), parse_utc(r.created_at), parse_utc(r.updated_at),
        tuple(mask_party(p, who.role, single_case=True) for p in people), evidence, decided,
    )


def audit_entries(engine: Engine, session: Session, case_id: int | None = None, *,
                  now: datetime | None = None) -> list[AuditEntry]:
    """The audit log, oldest first (only one case's entries when ``case_id`` is given); judges and admins only."""
    at = moment(now)
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        if who.role not in MAY_AUDIT:
            raise refusal(who, "查看审计日志", "read the audit log")
        q = (select(audit_log, users.c.username)
             .join(users, users.c.id == audit_log.c.user_id, isouter=True)
             .order_by(audit_log.c.id))
        if case_id is not None:
            q = q.where(audit_log.c.case_id == case_id)
        rows = conn.execute(q).all()
    return [AuditEntry(r.id, parse_utc(r.at), r.user_id, r.username, r.action, r.case_id, exact_json(r.detail))
            for r in rows]

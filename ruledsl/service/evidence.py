"""A case's evidence in the store: verified when the case is filed, shown as a judge reads it.

* :func:`verify_filing` — the evidence files a filing declares (``evidence_files``, see
  :mod:`ruledsl.evidence.facts`), each verified offline against the court's key and trust roots
  (:class:`EvidenceKeys`): the item the rules judge, what the verification found (the proof: leaf,
  tree size, root, the checkpoint's signer and witnesses, the file's digest, timestamp, signatures)
  and the files themselves, which the store keeps (``evidence_files``, by SHA-256);
* :func:`evidence_view` — each evidence requirement of the case's ruleset, what the rules found
  (satisfied, late, tampered, missing …) and the items presented for it, each with its badges
  (:class:`Badge`: text, never an emoji a browser may lack a font for) and the reason in Chinese;
* :func:`timeline` — the case's dated events from signing to filing (signing, anchoring and its
  delay, disbursement, instalments due, repayments, default, notices, acceleration, filing);
* :func:`verification_report` — one item verified again from the files the store kept, as the
  verification-report PDF (:mod:`ruledsl.reports.verification`).

What counts as verified: an item is ``verified`` only when its bundle's inclusion proof leads to a
checkpoint signed by the court's key *and* the presented file has the anchored digest.  What a filing
merely states (a ``signed_at`` it types, a file it lists without a bundle) is shown as declared.

Imports: core, evidence, store, reports and the rest of service; nothing above.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from ruledsl.core.errors import EvidenceError, InputError, MalformedError
from ruledsl.core.money import Money, yuan
from ruledsl.runtime.requirements import duration_zh
from ruledsl.store.cases import evidence_files

#: stored item status: what the verification at filing found
ANCHORED = "anchored"          # the proof verifies and the file has the anchored digest
TAMPERED = "tampered"          # the proof verifies, the file presented differs from the anchored one
DECLARED = "declared"          # presented without a bundle: declared, never anchored
UNVERIFIABLE = "unverifiable"  # a bundle that does not verify, anchors another kind, or no file to compare
ITEM_STATUS_LABELS = {ANCHORED: "已存证并核验", TAMPERED: "存证后被篡改", DECLARED: "仅声明，未存证",
                      UNVERIFIABLE: "无法核验"}

#: the evidence kinds of the shipped rulesets, as a judge names them
KIND_LABELS = {
    "identity_verification": "借款人身份核验记录", "loan_contract": "借款合同", "disbursement_record": "放款记录",
    "repayment_record": "还款记录", "overdue_notice": "逾期催收通知", "card_agreement": "信用卡领用合约",
    "statement": "信用卡对账单", "transaction_record": "交易明细", "iou": "借条", "transfer_record": "转账记录",
}

#: a requirement's finding (:class:`~ruledsl.runtime.requirements.RequirementResult` status), in Chinese
FINDING_LABELS = {"satisfied": "符合", "declared": "仅声明", "missing": "缺失", "unsigned": "未签名",
                  "late": "存证超时", "early": "存证过早", "tampered": "被篡改", "unverifiable": "无法核验", "warning": "提示"}

#: the files of one item the store keeps, by the declaration's key
FILE_ROLES = ("file", "bundle", "signature", "timestamp")


@dataclass(frozen=True)
class EvidenceKeys:
    """What the court verifies evidence against: its log's verifier key and the trusted roots for
    signatures and timestamps (paths, or the key's text)."""

    court_key: str | os.PathLike
    trust: tuple[str | os.PathLike, ...] = ()

    @classmethod
    def from_env(cls) -> EvidenceKeys | None:
        """``RULEDSL_COURT_KEY`` and ``RULEDSL_TRUST_STORE`` (``os.pathsep``-separated), or None."""
        key = os.environ.get("RULEDSL_COURT_KEY")
        if not key:
            return None
        trust = os.environ.get("RULEDSL_TRUST_STORE", "")
        return cls(key, tuple(p for p in trust.split(os.pathsep) if p))


@dataclass(frozen=True)
class VerifiedItem:
    """One declared evidence file as verified at filing: what the store writes of it."""

    kind: str
    file: str | None
    verified: bool
    status: str
    item: dict[str, Any] | None  # what the rules judge; None: declared but nothing presented
    proof: dict[str, Any] | None  # the verification's findings (EvidenceVerification.as_dict), when a bundle was read
    problems: tuple[str, ...]
    files: dict[str, tuple[str, bytes]]  # role → (name, bytes)

    def detail(self) -> dict[str, Any]:
        return {"item": self.item, "proof": self.proof, "problems": list(self.problems),
                "files": {role: {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                          for role, (name, data) in self.files.items()}}


def _status(item: dict[str, Any] | None, proof: dict[str, Any] | None) -> str:
    if item is None or item["integrity"] == "unverifiable":
        return DECLARED if proof is None else UNVERIFIABLE
    return TAMPERED if item["integrity"] == "tampered" else ANCHORED


def verify_filing(declarations: Sequence[Mapping[str, Any]], base_dir: str | os.PathLike,
                  keys: EvidenceKeys) -> list[VerifiedItem]:
    """Verify each declared evidence file (paths relative to ``base_dir``, never outside it) against
    ``keys``; a malformed declaration is an :class:`~ruledsl.core.errors.InputError` naming it."""
    from ruledsl.evidence.facts import verify_declarations  # the verification stack loads only when used

    base = Path(base_dir).resolve()
    try:
        facts = verify_declarations(declarations, base, keys.court_key, trust=[str(t) for t in keys.trust])
    except (MalformedError, EvidenceError) as exc:
        raise InputError(exc.diagnostics) from None
    out = []
    for fact in facts:
        decl = fact.declaration
        files = {}
        for role in FILE_ROLES:
            if role in decl:
                p = (base / decl[role]).resolve()
                if p.is_file():
                    files[role] = (p.name, p.read_bytes())
        v = fact.verification
        proof = v.as_dict() if v is not None else None
        item = fact.item
        status = _status(item, proof)
        name = item["file"] if item else (Path(str(decl.get("file") or decl.get("bundle"))).name)
        out.append(VerifiedItem(str(decl["kind"]), name, status == ANCHORED, status, item, proof,
                                tuple(fact.problems), files))
    return out


def store_files(conn: Connection, items: Sequence[VerifiedItem]) -> None:
    """Keep the items' files (each SHA-256 once) in the store's ``evidence_files``."""
    given = {hashlib.sha256(data).hexdigest(): data for it in items for _, data in it.files.values()}
    if not given:
        return
    have = set(conn.execute(select(evidence_files.c.sha256).where(evidence_files.c.sha256.in_(given))).scalars())
    rows = [{"sha256": sha, "size": len(data), "data": data} for sha, data in given.items() if sha not in have]
    if rows:
        conn.execute(insert(evidence_files), rows)


def item_of(stored: Mapping[str, Any]) -> dict[str, Any] | None:
    """The item the rules judge of a stored evidence row (``CaseRecord.evidence[i]``), or None when the
    filing declared it but presented nothing."""
    detail = stored["detail"]
    return dict(detail["item"]) if isinstance(detail, dict) and detail.get("item") is not None else None


# ---------------------------------------------------------------- what a judge reads


@dataclass(frozen=True)
class Badge:
    """One fact about an item, as a text badge: ``tone`` is ``good``, ``bad``, ``warn`` or ``info``."""

    code: str
    label: str
    tone: str
    title: str = ""


@dataclass(frozen=True)
class ItemView:
    """One evidence item presented for a requirement."""

    position: int  # in the case's evidence list (what a what-if rejects)
    kind: str
    file: str | None
    status: str
    badges: tuple[Badge, ...]
    signed_at: datetime | None
    anchored_at: datetime | None
    delay: timedelta | None  # signing → anchoring
    proof: tuple[str, ...]  # the verification's findings, one sentence each
    conclusion: str | None  # the verification's conclusion (Chinese)
    note: str | None


@dataclass(frozen=True)
class RequirementView:
    """One evidence requirement of the ruleset and what the rules found."""

    kind: str
    label: str
    finding: str
    finding_label: str
    message: str  # the ruleset's own words (Chinese), else the engine's reason
    reason: str
    citations: tuple[str, ...]
    severity: str
    items: tuple[ItemView, ...]
    badges: tuple[Badge, ...]  # the finding's badge (missing, late …) when it is not satisfied


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return text if isinstance(text, datetime) else None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def duration(delta: timedelta) -> str:
    """A delay as a judge reads it, exactly (as the evidence rules state it): 20 分钟, 3 小时 5 分钟, 2 天 19 小时,
    30 天 30 分钟 — never 30 天 for a delay past a 30-day limit."""
    if delta < timedelta(0):
        return "签署前"
    return duration_zh(delta)


def _item_view(position: int, stored: Mapping[str, Any], finding: str | None) -> ItemView:
    detail = stored["detail"] if isinstance(stored["detail"], dict) else {}
    item = detail.get("item") or {}
    proof = detail.get("proof") or None
    status = stored["status"]
    badges: list[Badge] = []
    signed_at, anchored_at = _time(item.get("signed_at")), _time(item.get("anchored_at"))
    delay = anchored_at - signed_at if signed_at and anchored_at else None
    if status in (ANCHORED, TAMPERED) and proof:
        where = f"{proof.get('origin')} 第 {proof.get('leaf_index')} 号记录"
        badges.append(Badge("anchored", "已存证", "good", f"{where}，存证于 {anchored_at:%Y-%m-%d %H:%M}"
                            if anchored_at else where))
        signers = "、".join(proof.get("checkpoint_signers") or ())
        badges.append(Badge("proof", "证明已核验", "good",
                            f"包含证明通向法院签名的检查点（树大小 {proof.get('tree_size')}，签名 {signers}）"))
        if proof.get("cosigners"):
            badges.append(Badge("witnessed", "见证人已联署", "good", "、".join(proof["cosigners"])))
    if status == TAMPERED:
        badges.append(Badge("tampered", "被篡改", "bad", "所提交的文件与存证时的文件摘要不一致，存证后已被修改"))
    elif status == DECLARED:
        badges.append(Badge("declared", "仅声明", "warn", "未提交存证证据包，仅为当事人声明，未经核验"))
    elif status == UNVERIFIABLE:
        badges.append(Badge("unverifiable", "无法核验", "bad", item.get("note") or "证据包未通过验证"))
    if item.get("timestamped"):
        badges.append(Badge("timestamp", "可信时间戳", "good", "RFC 3161 时间戳已核验"))
    if item.get("signed"):
        badges.append(Badge("signed", "电子签名有效", "good", f"签名人 {item.get('signer') or '—'}"))
    elif item.get("signed_at") and not item.get("signed") and status != DECLARED:
        badges.append(Badge("signed_declared", "签署时间仅为声明", "warn", "签署时间由当事人填写，无有效签名印证"))
    if finding == "late":
        badges.append(Badge("late", "存证超时", "bad", f"签署后 {duration(delay)} 才存证" if delay else "存证超过时限"))
    lines: list[str] = []
    conclusion = None
    if proof:
        conclusion = proof.get("conclusion_zh")
        for key in ("log_findings", "file_findings", "timestamp_findings"):
            lines += [f"[{f['status']}] {f['text']}" for f in proof.get(key) or ()]
        ts = proof.get("timestamp") or {}
        lines += [f"[{f['status']}] {f['text']}" for f in ts.get("findings") or ()]
        sig = proof.get("signatures") or {}
        lines += [f"[{f['status']}] {f['text']}" for f in sig.get("findings") or ()]
        for s in sig.get("signatures") or ():
            lines += [f"[{f['status']}] {f['text']}" for f in s.get("findings") or ()]
    lines += [f"[problem] {p}" for p in detail.get("problems") or ()]
    return ItemView(position, stored["kind"], stored.get("file"), status, tuple(badges), signed_at, anchored_at,
                    delay, tuple(lines), conclusion, item.get("note"))


_FINDING_TONES = {"missing": "bad", "late": "bad", "early": "bad", "tampered": "bad", "unverifiable": "bad", "unsigned": "bad",
                  "declared": "warn", "warning": "warn"}


def evidence_view(evidence: Sequence[Mapping[str, Any]], findings: Sequence[Any],
                  rejected: frozenset[int] = frozenset()) -> list[RequirementView]:
    """Each requirement's finding (``findings``: the decision's evidence results) with the stored items of
    its kind (``evidence``: the case record's); items of kinds no rule requires come last, as 其他."""
    by_kind: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for i, e in enumerate(evidence):
        by_kind.setdefault(e["kind"], []).append((i, e))
    out = []
    for r in findings:
        items = tuple(_item_view(i, e, r.status) for i, e in by_kind.pop(r.kind, ()) if i not in rejected)
        badges = () if r.satisfied else (Badge(r.status, FINDING_LABELS.get(r.status, r.status),
                                                _FINDING_TONES.get(r.status, "warn"), r.reason),)
        message = (f"已提交 {len(items)} 项，符合要求" if r.satisfied else r.message or r.reason)
        out.append(RequirementView(r.kind, KIND_LABELS.get(r.kind, r.kind), r.status,
                                   FINDING_LABELS.get(r.status, r.status), message, "" if r.satisfied else r.reason,
                                   tuple(r.citations), r.severity, items, badges))
    for kind, rest in by_kind.items():
        items = tuple(_item_view(i, e, None) for i, e in rest if i not in rejected)
        if items:
            out.append(RequirementView(kind, KIND_LABELS.get(kind, kind), "extra", "其他（规则未要求）", "", "", (),
                                       "info", items, ()))
    return out


# ---------------------------------------------------------------- timeline


@dataclass(frozen=True)
class Event:
    """One dated event of a case: ``lane`` groups events on a chart (签约与存证, 放款与还款, 逾期与催收, 诉讼)."""

    at: datetime | date
    lane: str
    label: str
    detail: str = ""
    tone: str = "info"

    @property
    def day(self) -> date:
        return self.at.date() if isinstance(self.at, datetime) else self.at


LANES = ("签约与存证", "放款与还款", "逾期与催收", "诉讼")


def timeline(values: Mapping[str, Any], views: Sequence[RequirementView],
             overdue_from: date | None = None) -> list[Event]:
    """The case's events in time order, from the decision's values (the case as the rules read it), the
    evidence views and ``overdue_from`` (the first day overdue interest ran, from the ledger; None: none)."""
    events: list[Event] = []
    for view in views:
        for it in view.items:
            what = KIND_LABELS.get(it.kind, it.kind)
            if it.signed_at is not None:
                how = "电子签名" if any(b.code == "signed" for b in it.badges) else "当事人声明的签署时间"
                events.append(Event(it.signed_at, LANES[0], f"签署{what}", how))
            if it.anchored_at is not None:
                late = any(b.code == "late" for b in it.badges)
                delay = f"，签署后 {duration(it.delay)}" if it.delay is not None else ""
                events.append(Event(it.anchored_at, LANES[0], f"存证{what}", f"{it.file or ''}{delay}",
                                    "bad" if late or it.status == TAMPERED else "good"))
    if isinstance(values.get("disbursed_on"), date):
        events.append(Event(values["disbursed_on"], LANES[1], "放款", _amount(values.get("principal"))))
    for n, inst in enumerate(values.get("instalments") or (), start=1):
        if isinstance(inst, Mapping) and isinstance(inst.get("due_on"), date):
            owed = sum((Money(inst[k]) for k in ("principal", "interest") if inst.get(k) is not None), Money(0))
            events.append(Event(inst["due_on"], LANES[1], f"第 {n} 期到期", f"应还 {yuan(owed)} 元"))
    for paid in values.get("repayments") or ():
        if isinstance(paid, Mapping) and isinstance(paid.get("paid_on"), date):
            events.append(Event(paid["paid_on"], LANES[1], "还款", _amount(paid.get("amount")), "good"))
    if overdue_from is not None:
        events.append(Event(overdue_from, LANES[2], "逾期", "罚息、复利自此起算", "bad"))
    if isinstance(values.get("accelerated_on"), date):
        events.append(Event(values["accelerated_on"], LANES[2], "宣布提前到期", "", "bad"))
    for view in views:
        for it in view.items:
            if it.kind == "overdue_notice" and it.anchored_at is not None:
                events.append(Event(it.anchored_at, LANES[2], "催收通知（已存证）", it.file or "",
                                    "bad" if it.status == TAMPERED else "good"))
    if isinstance(values.get("filed_on"), date):
        events.append(Event(values["filed_on"], LANES[3], "起诉", ""))
    until = values.get("calc_until")
    if isinstance(until, date) and until != values.get("filed_on"):
        events.append(Event(until, LANES[3], "计算截止日", ""))
    return sorted(events, key=lambda e: (e.day, LANES.index(e.lane)))


def overdue_from(decision: Any) -> date | None:
    """The first day penalty interest ran in the case's ledgers (the default, as the engine found it), or None."""
    from ruledsl.runtime.ledger import LedgerResult

    starts = [seg.start for v in decision.values.values() if isinstance(v, LedgerResult)
              for seg in v.award.segments if seg.component == "penalty_interest"]
    return min(starts, default=None)


def _amount(value: Any) -> str:
    try:
        return f"{yuan(Money(value))} 元"
    except (TypeError, ValueError, ArithmeticError):
        return ""


# ---------------------------------------------------------------- the report, verified again


@dataclass
class Reverified:
    """An item verified again from the store's copy of its files."""

    verification: Any  # EvidenceVerification
    pdf: bytes
    files: dict[str, str] = field(default_factory=dict)  # role → name


def _stored(conn: Connection, refs: Mapping[str, Any]) -> dict[str, tuple[str, bytes]]:
    shas = {role: ref["sha256"] for role, ref in refs.items()}
    found = dict(conn.execute(select(evidence_files.c.sha256, evidence_files.c.data)
                              .where(evidence_files.c.sha256.in_(list(shas.values())))).all())
    out = {}
    for role, sha in shas.items():
        data = found.get(sha)
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            raise EvidenceError.at(f"证据文件 {refs[role]['name']} 不在案件库中或已损坏（the store lost it）")
        out[role] = (refs[role]["name"], bytes(data))
    return out


def verification_report(engine: Engine, stored: Mapping[str, Any], keys: EvidenceKeys) -> Reverified:
    """Verify one stored item again, from the files the store kept, and draw its verification report
    (``stored``: an item of :attr:`~ruledsl.service.access.CaseRecord.evidence`, which the caller opened
    through the access layer).  Raises :class:`InputError` when the item was filed without a bundle."""
    from ruledsl.evidence.facts import court_verifier, trust_store
    from ruledsl.evidence.verify import verify_evidence
    from ruledsl.reports.verification import render_pdf

    refs = (stored["detail"] or {}).get("files") or {}
    if "bundle" not in refs:
        raise InputError.at("该证据未提交存证证据包，无可核验的存证记录（no bundle was filed with this item）")
    with engine.connect() as conn:
        files = _stored(conn, refs)
    data = {role: blob for role, (_, blob) in files.items()}
    v = verify_evidence(data["bundle"], court_verifier(keys.court_key), file=data.get("file"),
                        file_name=files["file"][0] if "file" in files else None, signature=data.get("signature"),
                        timestamp=data.get("timestamp"), trust=trust_store([str(t) for t in keys.trust]),
                        bundle_name=files["bundle"][0])
    return Reverified(v, render_pdf(v), {role: name for role, (name, _) in files.items()})

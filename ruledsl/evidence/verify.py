"""The complete offline check of one piece of evidence: what a verification report states.

:func:`verify_evidence` never raises on bad evidence; it returns an
:class:`EvidenceVerification` that says, section by section, what was checked
and what was found:

1. **log** — the bundle is canonical, the record hashes to the leaf hash, the
   inclusion proof leads to the root of a checkpoint signed by the court's key
   (and cosigned by every witness asked for); a signature line that was not verified
   (an unknown key, a duplicate line) is a warning;
2. **file** — the presented evidence file (or the copy inside the bundle) has the
   anchored digest: ``integrity`` is ``ok``, ``tampered`` or ``unverifiable``;
3. **timestamp** — an RFC 3161 token anchored with the record: imprint, TSA
   signature, TSA chain to the trust store;
4. **document signatures** — PDF signatures or a detached CMS signature, with
   certificates judged as of the anchoring time (the log proves the file existed then);
5. **conclusion** — one plain sentence (Chinese and English) and an overall status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ruledsl.core.errors import EvidenceError
from ruledsl.evidence.bundle import read_members, verify_bundle
from ruledsl.evidence.findings import FAILED, OK, WARNING, Finding, failed, ok, warning, worst
from ruledsl.evidence.hashing import hasher
from ruledsl.evidence.note import Verifier
from ruledsl.evidence.pki import TrustStore
from ruledsl.evidence.record import EvidenceRecord
from ruledsl.evidence.signatures import DocumentCheck, verify_document
from ruledsl.evidence.tsa import TimestampResult, verify_timestamp


@dataclass
class EvidenceVerification:
    bundle_name: str | None = None
    file_name: str | None = None
    file_digest: str | None = None  # alg:hex of the presented file
    record: EvidenceRecord | None = None
    leaf_index: int | None = None
    leaf_hash: str | None = None
    origin: str | None = None
    tree_size: int | None = None
    root_hash: str | None = None
    checkpoint_signers: list[str] = field(default_factory=list)
    cosigners: list[str] = field(default_factory=list)
    log_findings: list[Finding] = field(default_factory=list)
    file_findings: list[Finding] = field(default_factory=list)
    integrity: str = "unverifiable"  # ok | tampered | unverifiable
    log_ok: bool = False
    timestamp: TimestampResult | None = None
    timestamp_findings: list[Finding] = field(default_factory=list)  # about the token's presence
    signatures: DocumentCheck | None = None
    trust: list[str] = field(default_factory=list)
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    # ------------------------------------------------------------------ summary

    @property
    def anchored_at(self) -> datetime | None:
        return self.record.when if self.record is not None and self.log_ok else None

    @property
    def all_findings(self) -> list[Finding]:
        out = [*self.log_findings, *self.file_findings, *self.timestamp_findings]
        if self.timestamp is not None:
            out += self.timestamp.findings
        if self.signatures is not None:
            out += self.signatures.all_findings
        return out

    @property
    def status(self) -> str:
        return worst(self.all_findings)

    @property
    def conclusion(self) -> tuple[str, str, str]:
        """(status, Chinese sentence, English sentence)."""
        if not self.log_ok:
            reason = next((f.text for f in self.log_findings if f.status == FAILED), "the bundle could not be read")
            return (FAILED, "无法确认：该证据包不能证明存证记录在法院证据日志中。",
                    f"Not verified: the bundle does not prove the record is in the court's log ({reason}).")
        rec = self.record
        assert rec is not None
        where = f"leaf {self.leaf_index}, tree size {self.tree_size}"
        if self.integrity == "tampered":
            return (FAILED, f"文件与存证不一致：所提交的文件不是于 {rec.time} 存证的文件，存证后已被修改。",
                    f"NOT the anchored file: the file presented differs from the one anchored at {rec.time} "
                    f"({where}); it was changed after anchoring.")
        if self.integrity != "ok":
            return (WARNING, f"存证记录已验证（{rec.time}），但未提交文件，无法比对文件内容。",
                    f"The record is in the court's log (anchored {rec.time}, {where}), but no file was presented "
                    "to compare with it.")
        extra_zh, extra_en = [], []
        ts = self.timestamp
        if ts is not None and ts.status == FAILED:
            extra_zh.append("时间戳未通过验证")
            extra_en.append("its timestamp did not verify")
        sig = self.signatures
        if sig is not None and sig.status == FAILED:
            extra_zh.append("文档签名未通过验证")
            extra_en.append("its document signature did not verify")
        base_zh = f"经验证，所提交的文件与 {rec.time} 存证于法院证据日志的文件完全一致（{where}）。"
        base_en = f"Verified: the file presented is identical to the file anchored in the court's log at {rec.time} ({where})."
        if extra_en:
            return (FAILED, base_zh + "但" + "，".join(extra_zh) + "。",
                    base_en + " However, " + " and ".join(extra_en) + ".")
        return (self.status if self.status != FAILED else WARNING, base_zh, base_en)

    def as_dict(self) -> dict[str, object]:
        status, zh, en = self.conclusion
        return {
            "bundle": self.bundle_name, "file": self.file_name, "file_digest": self.file_digest,
            "record": self.record.as_dict() if self.record else None,
            "leaf_index": self.leaf_index, "leaf_hash": self.leaf_hash, "origin": self.origin,
            "tree_size": self.tree_size, "root_hash": self.root_hash,
            "checkpoint_signers": self.checkpoint_signers, "cosigners": self.cosigners,
            "log_ok": self.log_ok, "integrity": self.integrity,
            "anchored_at": self.anchored_at.isoformat() if self.anchored_at else None,
            "log_findings": [f.as_dict() for f in self.log_findings],
            "file_findings": [f.as_dict() for f in self.file_findings],
            "timestamp": self.timestamp.as_dict() if self.timestamp else None,
            "timestamp_findings": [f.as_dict() for f in self.timestamp_findings],
            "signatures": self.signatures.as_dict() if self.signatures else None,
            "trust": self.trust, "checked_at": self.checked_at.isoformat(),
            "status": status, "conclusion_zh": zh, "conclusion_en": en,
        }


def _message(exc: EvidenceError) -> str:
    d = exc.diagnostics[0]
    return d.message + (f" ({d.hint})" if d.hint else "")


def verify_evidence(
    bundle: bytes,
    log_key: Verifier,
    *,
    witnesses: Sequence[Verifier] = (),
    origin: str | None = None,
    file: bytes | None = None,
    file_name: str | None = None,
    signature: bytes | None = None,
    timestamp: bytes | None = None,
    trust: TrustStore | None = None,
    bundle_name: str | None = None,
    check_signatures: bool = True,
) -> EvidenceVerification:
    """Check ``bundle`` (and the presented ``file``) offline; see the module docstring."""
    trust = trust or TrustStore()
    v = EvidenceVerification(bundle_name=bundle_name, file_name=file_name, trust=trust.describe())
    # 1. the log
    try:
        res = verify_bundle(bundle, log_key, list(witnesses), origin)
    except EvidenceError as exc:
        v.log_findings.append(failed(f"The bundle does not verify: {_message(exc)}."))
        try:  # show what the bundle claims, clearly as unverified
            v.record = EvidenceRecord.parse(read_members(bundle)["record.txt"])
        except EvidenceError:
            pass
        return v
    members = read_members(bundle)
    cp = res.checkpoint.checkpoint
    v.record, v.leaf_index, v.leaf_hash = res.record, res.leaf_index, res.leaf_hash.hex()
    v.origin, v.tree_size, v.root_hash = cp.origin, cp.size, cp.root.hex()
    v.checkpoint_signers = [s.label for s in res.checkpoint.note.verified_by
                            if s.name == cp.origin]
    v.cosigners = [s.label for s in res.checkpoint.note.verified_by if s.name != cp.origin]
    v.log_ok = True
    v.log_findings += [
        ok(f"The record hashes ({res.hash_alg}) to leaf hash {v.leaf_hash}."),
        ok(f"The inclusion proof places leaf {v.leaf_index} in the tree of size {v.tree_size} "
           f"with root {v.root_hash} (RFC 9162)."),
        ok(f"The checkpoint for that tree is signed by the court's log key {', '.join(v.checkpoint_signers)}."),
    ]
    if v.cosigners:
        v.log_findings.append(ok(f"Witnesses cosigned the checkpoint: {', '.join(v.cosigners)}."))
    v.log_findings += [warning(text) for text in res.checkpoint.ignored_signatures()]
    v.log_findings.append(ok(f"The record was anchored at {res.record.time} by submitter {res.record.submitter} "
                             f"for case {res.record.case}, kind {res.record.kind}."))
    # 2. the file
    rec = res.record
    h = hasher(rec.digest.alg)
    presented = file
    if presented is None and "evidence.bin" in members:
        presented = members["evidence.bin"]
        v.file_name = v.file_name or "evidence.bin (inside the bundle)"
    if presented is None:
        v.file_findings.append(warning("No evidence file was presented; only the record's presence in the log "
                                       "was checked."))
    else:
        got = h.digest(presented).hex()
        v.file_digest = f"{rec.digest.alg}:{got}"
        if got == rec.digest.hex:
            v.integrity = "ok"
            v.file_findings.append(ok(f"The file's {rec.digest.alg} digest equals the anchored digest {rec.digest}."))
        else:
            v.integrity = "tampered"
            v.file_findings.append(failed(f"The file's digest {v.file_digest} does not match the anchored digest "
                                          f"{rec.digest}: the file was changed after anchoring."))
    # 3. the timestamp
    token = timestamp if timestamp is not None else members.get("timestamp.tsr")
    if token is not None:
        if rec.tst is None:
            v.timestamp_findings.append(failed("A timestamp token was given but the record anchors none."))
        elif hasher(rec.tst.alg).digest(token).hex() != rec.tst.hex:
            v.timestamp_findings.append(failed("The timestamp token is not the one anchored in the record."))
        else:
            v.timestamp_findings.append(ok("The timestamp token is the one anchored in the record."))
            v.timestamp = verify_timestamp(token, trust, evidence=presented if v.integrity == "ok" else None,
                                           digest=(rec.digest.alg, bytes.fromhex(rec.digest.hex)))
    elif rec.tst is not None:
        v.timestamp_findings.append(warning("The record anchors a timestamp token, but the token was not given."))
    # 4. document signatures
    if check_signatures and presented is not None:
        v.signatures = verify_document(presented, trust, signature=signature, moment=rec.when)
    return v


def exit_status(v: EvidenceVerification) -> int:
    return 1 if v.conclusion[0] == FAILED else 0


__all__ = ["EvidenceVerification", "verify_evidence", "exit_status", "OK", "WARNING", "FAILED"]

"""Evidence facts for the rules: from a case's declared evidence files to ``evidence:`` items.

A case declares the evidence files it relies on — in the case JSON, beside the
ruleset's inputs::

    "evidence_files": [
      {"kind": "loan_contract", "file": "contract.pdf", "bundle": "contract.bundle.zip",
       "signed_at": "2024-03-01T10:00:00+08:00"},
      {"kind": "repayment_record", "file": "repayments.csv", "bundle": "repayments.bundle.zip",
       "signature": "repayments.csv.p7s"},
      {"kind": "overdue_notice", "file": "notice.pdf"}
    ]

Keys (paths are relative to the case file's directory and must stay inside it):

``kind`` (required)
    the evidence kind the ``evidence:`` rules name (``loan_contract`` …).
``file``
    the evidence file as presented; may be omitted when the bundle carries the file.
``bundle``
    the bundle from ``ruledsl log prove`` that anchors the file in the court's log.
``signed_at`` / ``created_at``
    ISO times with zone (no zone: China Standard Time), as the party states them.
``signature``
    a detached CMS/PKCS#7 signature of the file (``.p7s``), when the file is not a signed PDF.
``timestamp``
    an RFC 3161 token anchored with the record, when it is not inside the bundle.
``note``
    free text carried through to the item.

:func:`evidence_items` verifies each declaration offline with the court's public
key (and the trust store for signatures and timestamps) and returns the item
dicts the ``evidence:`` rules judge (:class:`ruledsl.cases.inputs.EvidenceItem`):

* ``integrity`` — ``ok`` when the bundle verifies and the file's digest equals the
  anchored digest; ``tampered`` when the bundle verifies but the file differs;
  ``unverifiable`` when there is no bundle (declared but never anchored), or the
  bundle or its proof does not verify, or it anchors another kind of evidence;
* ``anchored_at`` — the record's time in the log (only when the bundle verifies);
* ``signed``, ``signer``, ``signed_at`` — from the PDF or CMS signature: ``signed``
  only when a signature is intact, chains to the trust store and is not revoked;
  ``signer`` is the certificate's common name; ``signed_at`` the signature's time
  (from its timestamp, else the signer's claim), else the declared ``signed_at``;
* ``timestamped`` — an RFC 3161 token over this file verifies and chains to the trust store;
* ``note`` — the reason when something did not check out.

A declared file that does not exist and is not carried in a bundle is not
presented at all: it yields no item (the rules then find it missing), and
:func:`verify_declarations` reports it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ruledsl.core.errors import MalformedError
from ruledsl.core.show import quoted
from ruledsl.evidence.bundle import read_bundle_file
from ruledsl.evidence.findings import FAILED
from ruledsl.evidence.note import Verifier
from ruledsl.evidence.pki import TrustStore
from ruledsl.evidence.verify import EvidenceVerification, verify_evidence

CHINA = timezone(timedelta(hours=8))
KEYS = {"kind", "file", "bundle", "signed_at", "created_at", "signature", "timestamp", "note"}
_PATH_KEYS = ("file", "bundle", "signature", "timestamp")


@dataclass
class EvidenceFact:
    """One declaration, what was found, and the item for the rules (``None``: not presented)."""

    declaration: dict[str, Any]
    item: dict[str, Any] | None
    verification: EvidenceVerification | None = None
    problems: list[str] = field(default_factory=list)


def _time(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedError.of(f"{where} must be an ISO date and time text")
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise MalformedError.of(f"{where} {value!r} is not an ISO date and time",
                                hint="e.g. 2024-03-01T10:00:00+08:00") from None
    return t if t.tzinfo else t.replace(tzinfo=CHINA)


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(CHINA).isoformat()


#: the longest path a declaration may give (relative to the case file's folder)
MAX_PATH = 255


def _inside(base: Path, value: Any, where: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise MalformedError.of(f"{where} must be a file path text")
    if len(value) > MAX_PATH or any(ord(ch) < 32 for ch in value):
        raise MalformedError.of(f"{where} {quoted(value)} is not a file name (control characters, or longer "
                                f"than {MAX_PATH} characters)", hint="give the file's name beside the case file")
    try:
        p = (base / value).resolve()
    except (OSError, ValueError) as exc:  # a name the file system cannot take
        raise MalformedError.of(f"{where} {quoted(value)} is not a file name ({exc})") from None
    if not p.is_relative_to(base):
        raise MalformedError.of(f"{where} {quoted(value)} points outside the case directory {base}",
                                hint="evidence files are given relative to the case file")
    return p


def _read(p: Path | None) -> bytes | None:
    if p is None or not p.is_file():
        return None
    try:
        return p.read_bytes()
    except OSError:
        return None


def court_verifier(court_key: Verifier | str | os.PathLike) -> Verifier:
    if isinstance(court_key, Verifier):
        return court_key
    text = str(court_key)
    p = Path(text)
    try:
        if len(text) < 4096 and p.is_file():
            text = p.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        raise MalformedError.of(f"cannot read the court's key file {p}") from None
    return Verifier.parse(text.strip())


def trust_store(trust: TrustStore | Iterable[str | os.PathLike] | None) -> TrustStore:
    if isinstance(trust, TrustStore):
        return trust
    if trust is None:
        env = os.environ.get("RULEDSL_TRUST_STORE")
        return TrustStore.load([p for p in env.split(os.pathsep) if p] if env else [])
    return TrustStore.load(list(trust))


def verify_declarations(
    declarations: Sequence[Mapping[str, Any]],
    base_dir: str | os.PathLike,
    court_key: Verifier | str | os.PathLike,
    *,
    trust: TrustStore | Iterable[str | os.PathLike] | None = None,
    witnesses: Sequence[Verifier] = (),
    origin: str | None = None,
) -> list[EvidenceFact]:
    """Verify every declaration (see the module docstring); malformed declarations raise
    :class:`~ruledsl.core.errors.MalformedError` naming the entry."""
    if not isinstance(declarations, Sequence) or isinstance(declarations, str | bytes):
        raise MalformedError.of("evidence_files must be a list of objects")
    base = Path(base_dir).resolve()
    key = court_verifier(court_key)
    store = trust_store(trust)
    facts = []
    for i, decl in enumerate(declarations, start=1):  # counted from 1, as a clerk counts
        where = f"evidence_files[{i}]"
        if not isinstance(decl, Mapping):
            raise MalformedError.of(f"{where} must be an object")
        unknown = set(decl) - KEYS
        if unknown:
            raise MalformedError.of(f"{where}: unknown key(s) {', '.join(sorted(unknown))}",
                                    hint=f"allowed: {', '.join(sorted(KEYS))}")
        kind = decl.get("kind")
        if not isinstance(kind, str) or not kind:
            raise MalformedError.of(f"{where}.kind is required (e.g. \"loan_contract\")")
        if "file" not in decl and "bundle" not in decl:
            raise MalformedError.of(f"{where} needs a `file` or a `bundle`")
        paths = {k: _inside(base, decl[k], f"{where}.{k}") for k in _PATH_KEYS if k in decl}
        signed_at = _time(decl.get("signed_at"), f"{where}.signed_at")
        created_at = _time(decl.get("created_at"), f"{where}.created_at")
        note = decl.get("note")
        if note is not None and not isinstance(note, str):
            raise MalformedError.of(f"{where}.note must be text")
        facts.append(_one(dict(decl), kind, paths, signed_at, created_at, note, key, store, witnesses, origin))
    return facts


def _one(decl, kind, paths, signed_at, created_at, note, key, store, witnesses, origin) -> EvidenceFact:  # type: ignore[no-untyped-def]
    file_path = paths.get("file")
    data = _read(file_path)
    name = file_path.name if file_path is not None else None
    item: dict[str, Any] = {"kind": kind, "file": name or decl.get("bundle"), "signed": False, "signer": None,
                            "signed_at": _iso(signed_at), "created_at": _iso(created_at), "anchored_at": None,
                            "timestamped": False, "integrity": "unverifiable", "note": note}
    fact = EvidenceFact(decl, item)
    if file_path is not None and data is None:
        fact.problems.append(f"{file_path.name}: file not found")
    bundle = None
    if paths.get("bundle") is not None and paths["bundle"].is_file():
        try:
            bundle = read_bundle_file(paths["bundle"])  # refused unread when larger than a bundle may be
        except MalformedError as exc:
            fact.problems.append(f"{paths['bundle'].name}: {exc.diagnostics[0].message}")
            item["note"] = exc.diagnostics[0].message
            return fact
    elif "bundle" in paths:
        fact.problems.append(f"{paths['bundle'].name}: bundle not found")
    if bundle is None:
        if data is None:  # neither the file nor a bundle carrying it: not presented
            fact.item = None
            return fact
        item["note"] = note or "declared but not anchored on the evidence log (no bundle)"
        from ruledsl.evidence.signatures import verify_document

        _signature_facts(item, verify_document(data, store, signature=_read(paths.get("signature"))), signed_at)
        return fact
    v = verify_evidence(bundle, key, witnesses=witnesses, origin=origin, file=data, file_name=name,
                        signature=_read(paths.get("signature")), timestamp=_read(paths.get("timestamp")),
                        trust=store, bundle_name=paths["bundle"].name)
    fact.verification = v
    if not v.log_ok:
        item["note"] = next((f.text for f in v.log_findings if f.status == FAILED), "the bundle does not verify")
        return fact
    assert v.record is not None
    if v.record.kind != kind:
        item["note"] = f"the bundle anchors a {v.record.kind}, not a {kind}"
        return fact
    if v.integrity == "unverifiable":  # no file presented and none in the bundle
        item["note"] = "no evidence file to compare with the anchored digest"
        return fact
    item["integrity"] = v.integrity
    item["anchored_at"] = _iso(v.anchored_at)
    if data is None:
        item["note"] = note or "file taken from the bundle (the declared file was not found)"
    if v.integrity == "tampered":
        item["note"] = next(f.text for f in v.file_findings if f.status == FAILED)
    if v.timestamp is not None:
        item["timestamped"] = v.timestamp.valid
        if not v.timestamp.valid and item["integrity"] == "ok":
            bad = next((f.text for f in v.timestamp.findings if f.status == FAILED), None)
            item["note"] = item["note"] or (f"timestamp: {bad}" if bad else "timestamp not trusted")
    if v.signatures is not None:
        _signature_facts(item, v.signatures, signed_at)
    return fact


def _signature_facts(item: dict[str, Any], doc, declared: datetime | None) -> None:  # type: ignore[no-untyped-def]
    item["signed"] = doc.signed
    good = doc.first_good
    if good is not None:
        item["signer"] = good.signer
        if good.signing_time is not None:
            item["signed_at"] = _iso(good.signing_time)
            if declared is not None and abs(good.signing_time - declared) > timedelta(minutes=5):
                extra = (f"signature time {good.signing_time.astimezone(UTC):%Y-%m-%d %H:%M} UTC differs "
                         f"from the declared signed_at {declared.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
                item["note"] = f"{item['note']}; {extra}" if item["note"] else extra
    elif doc.signatures and item["integrity"] != "tampered":
        bad = next((f.text for s in doc.signatures for f in s.findings if f.status == FAILED), None)
        if bad and not item["note"]:
            item["note"] = f"signature: {bad}"


def evidence_items(
    declarations: Sequence[Mapping[str, Any]],
    base_dir: str | os.PathLike,
    court_key: Verifier | str | os.PathLike,
    *,
    trust: TrustStore | Iterable[str | os.PathLike] | None = None,
    witnesses: Sequence[Verifier] = (),
    origin: str | None = None,
) -> list[dict[str, Any]]:
    """The case's ``evidence`` items (JSON-ready dicts of :class:`~ruledsl.cases.inputs.EvidenceItem` fields).

    ``court_key`` — the court's verifier key (text, a file holding it, or a :class:`Verifier`);
    ``trust`` — trusted root certificates for signatures and timestamps (a :class:`TrustStore`,
    or PEM/DER paths; default ``$RULEDSL_TRUST_STORE``, ``os.pathsep``-separated).
    """
    facts = verify_declarations(declarations, base_dir, court_key, trust=trust, witnesses=witnesses,
                                origin=origin)
    return [f.item for f in facts if f.item is not None]

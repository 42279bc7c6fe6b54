"""Document signatures: signed PDFs and detached CMS/PKCS#7, verified offline with pyhanko.

For each signature the verifier checks and reports, in plain words:

* **integrity** — the signed bytes hash to the digest the signature covers, and the
  signature over it verifies with the signer's public key; for a PDF, whether the
  signature covers the whole file or the file was changed after signing
  (incremental updates, with pyhanko's judgement of what they changed);
* **signer** — the certificate subject (the common name is the ``signer`` fact the
  ``evidence:`` rules compare with ``signed by "…"``);
* **signing time** — from a signature timestamp (trusted) when there is one, else the
  time the signer claims (signing-time attribute or the PDF's ``/M``);
* **certificate chain** — to a root in the configured trust store only; never the
  operating system's list; no network access;
* **revocation** — with the CRLs and OCSP responses embedded in the evidence (PDF DSS,
  Adobe ``revocationInfoArchival`` attribute, CMS ``crls``), when there are any.

Certificates are judged as of ``moment`` — by default now; callers that hold a proof
of existence (the court's log, a trusted timestamp) pass that time, so that a
certificate that expired after the file was anchored does not spoil the evidence,
while one revoked before it does.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ruledsl.evidence.findings import FAILED, Finding, failed, ok, warning, worst
from ruledsl.evidence.pki import TEST_LABEL, TrustStore
from ruledsl.evidence.tsa import quiet_pyhanko, subject_of

MAX_DOCUMENT = 256 << 20


@dataclass
class SignatureCheck:
    """One signature and what was found about it."""

    form: str  # "PDF" or "CMS"
    field_name: str | None = None  # PDF signature field name
    signer: str | None = None  # common name of the signer's certificate
    signer_subject: str | None = None
    signing_time: datetime | None = None
    time_source: str | None = None  # "timestamp" | "claimed"
    intact: bool = False
    valid: bool = False
    trusted: bool | None = None  # None: no trust store
    revoked: bool | None = None  # None: not checked (no revocation data)
    covers_whole_file: bool | None = None
    chain: list[str] = field(default_factory=list)  # subjects, signer first, trust anchor last
    test_certificate: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        return worst(self.findings)

    @property
    def ok(self) -> bool:
        """Intact, cryptographically valid, chained to a trusted root, not revoked, whole file."""
        return (self.intact and self.valid and self.trusted is True and self.revoked is not True
                and self.covers_whole_file is not False)

    def as_dict(self) -> dict[str, object]:
        return {
            "form": self.form, "field": self.field_name, "signer": self.signer, "signer_subject": self.signer_subject,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "time_source": self.time_source, "intact": self.intact, "valid": self.valid, "trusted": self.trusted,
            "revoked": self.revoked, "covers_whole_file": self.covers_whole_file, "chain": self.chain,
            "test_certificate": self.test_certificate, "ok": self.ok, "status": self.status,
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass
class DocumentCheck:
    """All signatures of one document."""

    form: str  # "PDF", "CMS" or "unsigned"
    signatures: list[SignatureCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # about the document as a whole

    @property
    def all_findings(self) -> list[Finding]:
        return [*self.findings, *(f for s in self.signatures for f in s.findings)]

    @property
    def status(self) -> str:
        return worst(self.all_findings)

    @property
    def signed(self) -> bool:
        """At least one signature checks out completely, and none fails."""
        return any(s.ok for s in self.signatures) and not any(s.status == FAILED for s in self.signatures)

    @property
    def first_good(self) -> SignatureCheck | None:
        return next((s for s in self.signatures if s.ok), None)

    def as_dict(self) -> dict[str, object]:
        return {"form": self.form, "signed": self.signed, "status": self.status,
                "signatures": [s.as_dict() for s in self.signatures],
                "findings": [f.as_dict() for f in self.findings]}


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF-")


# ----------------------------------------------------------------------------- shared


def _vc(trust: TrustStore, other_certs, crls, ocsps, moment: datetime | None):  # type: ignore[no-untyped-def]
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=trust.asn1(), other_certs=list(other_certs), crls=list(crls),
                             ocsps=list(ocsps), allow_fetching=False, revocation_mode="soft-fail",
                             moment=moment)


def _reason(exc: BaseException) -> str:
    return (str(exc).strip() or type(exc).__name__).rstrip(".")[:300]


def _fmt(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _judge(chk: SignatureCheck, status, trust: TrustStore, n_crl: int, n_ocsp: int,  # type: ignore[no-untyped-def]
           moment: datetime | None) -> None:
    """Fill ``chk`` from a pyhanko status object."""
    from pyhanko_certvalidator.errors import RevokedError  # noqa: F401 — ensure the package is there

    cert = status.signing_cert
    chk.signer_subject = subject_of(cert)
    from cryptography import x509 as cx509

    from ruledsl.evidence.pki import common_name

    ccert = cx509.load_der_x509_certificate(cert.dump())
    chk.signer = common_name(ccert.subject)
    chk.test_certificate = TEST_LABEL in chk.signer_subject
    chk.intact, chk.valid = bool(status.intact), bool(status.valid)
    if not chk.intact:
        chk.findings.append(failed("The signed content was changed after signing: its digest no longer matches "
                                   "the one the signature covers."))
    elif not chk.valid:
        chk.findings.append(failed("The signature value does not verify with the signer's public key."))
    else:
        chk.findings.append(ok(f"The signature is intact and cryptographically valid; signer: {chk.signer_subject}."))
    # signing time
    ts = getattr(status, "timestamp_validity", None)
    claimed = getattr(status, "signer_reported_dt", None)
    if ts is not None and ts.intact and ts.valid:
        chk.signing_time, chk.time_source = ts.timestamp, "timestamp"
        chk.findings.append(ok(f"Signed no later than {_fmt(ts.timestamp)}, per a signature timestamp."))
    elif claimed is not None:
        chk.signing_time, chk.time_source = claimed, "claimed"
        chk.findings.append(warning(f"Signing time {_fmt(claimed)} is the signer's own claim "
                                    "(no trusted timestamp on the signature)."))
    else:
        chk.findings.append(warning("The signature states no signing time."))
    # chain
    path = status.validation_path
    if path is not None:
        try:
            chk.chain = [subject_of(c) for c in path.iter_certs(include_root=True)][::-1]  # signer first
        except (AttributeError, TypeError):
            chk.chain = []
    when = f" as of {_fmt(moment)}" if moment else ""
    rev = status.revocation_details
    indic = status.trust_problem_indic
    if rev is not None:
        chk.revoked = True
        chk.trusted = False if trust else None
        chk.findings.append(failed(f"The signer's certificate was REVOKED on {_fmt(rev.revocation_date)}"
                                   f" (reason: {rev.revocation_reason.native}); checked{when or ' now'}."))
    elif not trust:
        chk.trusted = None
        chk.findings.append(warning("No trust store was given, so the signer's certificate chain was not checked."))
    elif path is not None and indic is None:
        chk.trusted = True
        chk.findings.append(ok(f"The signer's certificate chains to a trusted root{when}: "
                               f"{' → '.join(chk.chain) or 'trusted root'}."))
    else:
        chk.trusted = False
        why = str(getattr(indic, "name", indic or "no path")).replace("_", " ").lower()
        chk.findings.append(failed(f"The signer's certificate does not chain to a root in the trust store{when} "
                                   f"({why})."))
    # revocation
    if rev is None:
        if n_crl or n_ocsp:
            chk.revoked = False if chk.trusted else None
            if chk.trusted:
                chk.findings.append(ok(f"Embedded revocation data ({n_crl} CRL, {n_ocsp} OCSP) shows the "
                                       f"certificate was not revoked{when}."))
        else:
            chk.findings.append(warning("No revocation data is embedded; revocation was not checked "
                                        "(verification is offline)."))
    if chk.test_certificate:
        chk.findings.append(warning("The signer's certificate is from the local TEST CA (TEST — NOT FOR PRODUCTION)."))


# ----------------------------------------------------------------------------- PDF


def _adobe_revinfo(signer_info) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    from pyhanko.sign.general import NonexistentAttributeError, find_unique_cms_attribute

    try:
        attr = find_unique_cms_attribute(signer_info["signed_attrs"], "adobe_revocation_info_archival")
    except (NonexistentAttributeError, ValueError, KeyError):
        return [], []
    crls = list(attr["crl"]) if attr["crl"].native else []
    ocsps = list(attr["ocsp"]) if attr["ocsp"].native else []
    return crls, ocsps


def verify_pdf(data: bytes, trust: TrustStore, moment: datetime | None = None) -> DocumentCheck:
    """Every signature in a PDF, checked offline against ``trust``."""
    quiet_pyhanko()
    doc = DocumentCheck("PDF")
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import async_validate_pdf_signature
        from pyhanko.sign.validation.dss import DocumentSecurityStore
    except ModuleNotFoundError:
        doc.findings.append(failed("PDF signature checks need the `pdf` extra (pyhanko); none were made."))
        return doc
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = list(reader.embedded_signatures)
    except Exception as exc:  # pyhanko raises many error types on broken PDFs
        doc.findings.append(failed(f"The PDF cannot be read: {_reason(exc)}."))
        return doc
    if not sigs:
        doc.form = "unsigned"
        doc.findings.append(warning("The PDF carries no digital signature."))
        return doc
    dss_crls: list = []
    dss_ocsps: list = []
    dss_certs: list = []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        ctx = dss.as_validation_context({})
        dss_certs = list(dss.load_certs())
        dss_crls = [c for c in ctx.revinfo_manager.crls] if hasattr(ctx, "revinfo_manager") else []
        dss_ocsps = [o for o in ctx.revinfo_manager.ocsps] if hasattr(ctx, "revinfo_manager") else []
    except Exception:  # no DSS, or one we cannot read: signatures are still checked
        pass
    for sig in sigs:
        chk = SignatureCheck("PDF", field_name=sig.field_name)
        doc.signatures.append(chk)
        try:
            crls, ocsps = _adobe_revinfo(sig.signer_info)
            crls, ocsps = crls + dss_crls, ocsps + dss_ocsps
            vc = _vc(trust, [*sig.other_embedded_certs, *dss_certs], crls, ocsps, moment)
            status = asyncio.run(async_validate_pdf_signature(sig, vc))
        except Exception as exc:
            chk.findings.append(failed(f"Signature {sig.field_name!r} could not be checked: {_reason(exc)}."))
            continue
        _judge(chk, status, trust, len(crls), len(ocsps), moment)
        if chk.intact:
            _coverage(chk, status)
    return doc


def _coverage(chk: SignatureCheck, status) -> None:  # type: ignore[no-untyped-def]
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    cov = status.coverage
    if cov == SignatureCoverageLevel.ENTIRE_FILE:
        chk.covers_whole_file = True
        chk.findings.append(ok("The signature covers the whole file: nothing was added after signing."))
        return
    mod = getattr(status, "modification_level", None)
    docmdp = getattr(status, "docmdp_ok", None)
    level = str(getattr(mod, "name", mod)).replace("_", " ").lower() if mod is not None else "unknown"
    if cov == SignatureCoverageLevel.ENTIRE_REVISION and docmdp is not False and level in ("lta updates",):
        chk.covers_whole_file = True
        chk.findings.append(ok("The file was extended after signing only with validation data (DSS, timestamps)."))
        return
    chk.covers_whole_file = False
    chk.findings.append(failed(f"The file was changed after this signature (incremental update: {level}); "
                               "the signature covers an earlier revision, not the file as presented."))


# ----------------------------------------------------------------------------- CMS


def _cms_revinfo(sd) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    crls, ocsps = [], []
    for ri in sd["crls"] if sd["crls"].native else []:
        if ri.name == "crl":
            crls.append(ri.chosen)
        elif ri.name == "other" and ri.chosen["other_rev_info_format"].native == "ocsp_response":
            ocsps.append(ri.chosen["other_rev_info"])
    return crls, ocsps


def verify_cms(content: bytes, signature: bytes, trust: TrustStore, moment: datetime | None = None) -> DocumentCheck:
    """A detached CMS/PKCS#7 signature (DER or PEM) over ``content``, checked offline against ``trust``."""
    quiet_pyhanko()
    doc = DocumentCheck("CMS")
    chk = SignatureCheck("CMS")
    doc.signatures.append(chk)
    try:
        from asn1crypto import cms, pem
        from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    except ModuleNotFoundError:
        chk.findings.append(failed("CMS signature checks need the `pdf` extra (pyhanko); none were made."))
        return doc
    try:
        raw = signature
        if pem.detect(raw):
            _, _, raw = pem.unarmor(raw)
        ci = cms.ContentInfo.load(raw, strict=True)
        if ci["content_type"].native != "signed_data":
            raise ValueError(f"content type is {ci['content_type'].native}, not signed data")
        sd = ci["content"]
        if sd["encap_content_info"]["content"].native is not None:
            raise ValueError("the signature embeds its content; a detached signature was expected")
        crls, ocsps = _cms_revinfo(sd)
        certs = [c.chosen for c in sd["certificates"] if c.name == "certificate"] if sd["certificates"].native else []
        vc = _vc(trust, certs, crls, ocsps, moment)
        status = asyncio.run(async_validate_detached_cms(content, sd, signer_validation_context=vc))
    except Exception as exc:  # asn1crypto/pyhanko raise many types on malformed input
        chk.findings.append(failed(f"The CMS signature could not be checked: {_reason(exc)}."))
        return doc
    _judge(chk, status, trust, len(crls), len(ocsps), moment)
    chk.covers_whole_file = chk.intact
    return doc


def verify_document(data: bytes, trust: TrustStore, *, signature: bytes | None = None,
                    moment: datetime | None = None) -> DocumentCheck:
    """The signatures of a piece of evidence: a detached CMS when ``signature`` is given, else the PDF's own."""
    if len(data) > MAX_DOCUMENT:
        return DocumentCheck("unsigned", findings=[failed("The document is too large to check.")])
    if signature is not None:
        return verify_cms(data, signature, trust, moment)
    if is_pdf(data):
        return verify_pdf(data, trust, moment)
    return DocumentCheck("unsigned", findings=[warning("The file is not a PDF and no detached signature was "
                                                       "given: there is no signature to check.")])

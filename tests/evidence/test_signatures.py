"""Document signatures: real signed PDFs (pyhanko) and real detached CMS (OpenSSL via cryptography)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from asn1crypto import crl as acrl

from ruledsl.evidence.pki import TestPKI, TrustStore, make_test_pki
from ruledsl.evidence.signatures import verify_document, verify_pdf
from ruledsl.evidence.signing import sign_detached_cms, sign_pdf

from .conftest import SIGNED_AT

LATER = datetime(2024, 3, 2, tzinfo=UTC)


def texts(doc) -> str:  # type: ignore[no-untyped-def]
    return " | ".join(f.text for f in doc.all_findings)


def test_signed_pdf_verifies(signed_pdf: bytes, pki: TestPKI) -> None:
    doc = verify_document(signed_pdf, pki.trust_store(), moment=LATER)
    assert doc.form == "PDF" and doc.signed, texts(doc)
    s = doc.signatures[0]
    assert s.ok and s.intact and s.valid and s.trusted and s.covers_whole_file
    assert s.signer == "示例网络小额贷款有限公司" and "TEST — NOT FOR PRODUCTION" in (s.signer_subject or "")
    assert s.signing_time == SIGNED_AT and s.time_source == "claimed"
    assert s.chain[-1].startswith("CN=ruledsl TEST Root CA") and len(s.chain) == 3
    assert s.field_name == "Signature1" and s.test_certificate
    assert "No revocation data is embedded" in texts(doc)


def test_signed_pdf_is_deterministic_when_dated(plain_pdf: bytes, pki: TestPKI, lender, signed_pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    assert sign_pdf(plain_pdf, lender, pki.chain, signing_time=SIGNED_AT, reason="借款合同电子签署") == signed_pdf


def test_untrusted_or_no_trust_store(signed_pdf: bytes) -> None:
    doc = verify_document(signed_pdf, TrustStore())
    assert not doc.signed and doc.signatures[0].trusted is None and doc.signatures[0].intact
    assert "No trust store" in texts(doc)
    doc = verify_document(signed_pdf, make_test_pki("someone-else").trust_store())
    assert not doc.signed and doc.signatures[0].trusted is False and doc.status == "failed"


def test_tampered_pdf_bytes(signed_pdf: bytes, pki: TestPKI) -> None:
    i = signed_pdf.index(b"/Producer")
    bad = signed_pdf[:i] + b"/Producex" + signed_pdf[i + 9:]
    doc = verify_document(bad, pki.trust_store())
    assert not doc.signed and not doc.signatures[0].intact and doc.status == "failed"
    assert "changed after signing" in texts(doc)


def test_pdf_changed_after_signing(signed_pdf: bytes, pki: TestPKI) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    w.root["/Lang"] = generic.TextStringObject("en")
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    doc = verify_document(out.getvalue(), pki.trust_store())
    s = doc.signatures[0]
    assert s.intact and s.covers_whole_file is False and not s.ok and not doc.signed
    assert "changed after this signature" in texts(doc)


def test_embedded_revocation_data(plain_pdf: bytes, pki: TestPKI, lender) -> None:  # type: ignore[no-untyped-def]
    crls = pki.crls(datetime(2024, 2, 15, tzinfo=UTC))
    pdf = sign_pdf(plain_pdf, lender, pki.chain, signing_time=SIGNED_AT, crls=crls, trust_roots=[pki.root.cert])
    doc = verify_document(pdf, pki.trust_store(), moment=LATER)
    s = doc.signatures[0]
    assert doc.signed and s.revoked is False, texts(doc)
    assert "Embedded revocation data (2 CRL, 0 OCSP)" in texts(doc)


# pyhanko's add_dss (test setup only) builds a validation context of its own without trust roots;
# the verification under test passes the trust store explicitly
@pytest.mark.filterwarnings("ignore:Relying on the operating system's trust list:DeprecationWarning")
def test_revoked_signer(plain_pdf: bytes, pki: TestPKI) -> None:
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    revoked = pki.signers["已吊销的测试签名人"]
    pdf = io.BytesIO(sign_pdf(plain_pdf, revoked, pki.chain, signing_time=SIGNED_AT))
    crls = [acrl.CertificateList.load(c) for c in pki.crls(datetime(2024, 2, 15, tzinfo=UTC))]
    DocumentSecurityStore.add_dss(pdf, sig_contents=None, crls=crls)  # revocation data in the DSS
    doc = verify_pdf(pdf.getvalue(), pki.trust_store(), moment=LATER)
    s = doc.signatures[0]
    assert s.revoked is True and not s.ok and not doc.signed and doc.status == "failed"
    assert "REVOKED on 2024-02-01" in texts(doc)
    assert s.covers_whole_file  # the DSS update is validation data, not a change to the content


def test_unsigned_and_unreadable(plain_pdf: bytes, pki: TestPKI) -> None:
    doc = verify_document(plain_pdf, pki.trust_store())
    assert doc.form == "unsigned" and not doc.signed and doc.status == "warning"
    doc = verify_document(b"repayments,1833.50\n", pki.trust_store())
    assert doc.form == "unsigned" and "not a PDF" in texts(doc)
    doc = verify_document(b"%PDF-1.7\n garbage", pki.trust_store())
    assert not doc.signed and doc.status in ("failed", "warning")


def test_detached_cms_made_by_openssl(pki: TestPKI, lender) -> None:  # type: ignore[no-untyped-def]
    data = b"contract,paid_on,amount\nLC-1,2024-04-01,1833.50\n"
    sig = sign_detached_cms(data, lender, pki.chain)  # cryptography → OpenSSL PKCS7_sign
    doc = verify_document(data, pki.trust_store(), signature=sig)
    assert doc.form == "CMS" and doc.signed, texts(doc)
    s = doc.signatures[0]
    assert s.signer == "示例网络小额贷款有限公司" and s.signing_time is not None and s.trusted
    bad = verify_document(data.replace(b"1833.50", b"3833.50"), pki.trust_store(), signature=sig)
    assert not bad.signed and not bad.signatures[0].intact and "changed after signing" in texts(bad)
    # PEM works too
    import base64

    pem = b"-----BEGIN PKCS7-----\n" + base64.encodebytes(sig) + b"-----END PKCS7-----\n"
    assert verify_document(data, pki.trust_store(), signature=pem).signed
    assert not verify_document(data, make_test_pki("x").trust_store(), signature=sig).signed


def test_detached_cms_dated(pki: TestPKI, lender) -> None:  # type: ignore[no-untyped-def]
    data = b"disbursement record"
    sig = sign_detached_cms(data, lender, pki.chain, signing_time=SIGNED_AT)
    doc = verify_document(data, pki.trust_store(), signature=sig, moment=LATER)
    assert doc.signed and doc.signatures[0].signing_time == SIGNED_AT


def test_malformed_cms_is_a_finding(pki: TestPKI) -> None:
    for junk in (b"", b"\x30\x00", b"not a signature", b"-----BEGIN PKCS7-----\nAAAA\n-----END PKCS7-----\n"):
        doc = verify_document(b"data", pki.trust_store(), signature=junk)
        assert not doc.signed and doc.status == "failed" and "could not be checked" in texts(doc)

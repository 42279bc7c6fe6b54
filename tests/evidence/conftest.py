from __future__ import annotations

import pytest

from ruledsl.evidence.note import ALG_COSIGNATURE_V1, Signer


@pytest.fixture(scope="session")
def court() -> Signer:
    return Signer.generate("court.example/evidence")


@pytest.fixture(scope="session")
def witness_key() -> Signer:
    return Signer.generate("notary.example/w1", ALG_COSIGNATURE_V1)


# --------------------------------------------------------------------------- documents, certificates, timestamps
from datetime import UTC, datetime  # noqa: E402

from ruledsl.evidence.pki import Issued, TestPKI, make_test_pki  # noqa: E402

SIGNED_AT = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    """A TEST PKI with a lender and a revoked signer (CRLs dated before the documents are signed)."""
    p = make_test_pki("ruledsl-tests")
    p.issue_signer("示例网络小额贷款有限公司")
    p.revoke(p.issue_signer("已吊销的测试签名人"), datetime(2024, 2, 1, tzinfo=UTC))
    return p


@pytest.fixture(scope="session")
def lender(pki: TestPKI) -> Issued:
    return pki.signers["示例网络小额贷款有限公司"]


@pytest.fixture(scope="session")
def plain_pdf() -> bytes:
    import weasyprint

    html = ("<html lang='zh-CN'><body style='font-family: \"Noto Sans CJK SC\"'><h1>个人消费借款合同</h1>"
            "<p>出借人：示例网络小额贷款有限公司（演示）。借款金额：人民币 20000.00 元。</p></body></html>")
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="session")
def signed_pdf(plain_pdf: bytes, pki: TestPKI, lender: Issued) -> bytes:
    from ruledsl.evidence.signing import sign_pdf

    return sign_pdf(plain_pdf, lender, pki.chain, signing_time=SIGNED_AT, reason="借款合同电子签署")

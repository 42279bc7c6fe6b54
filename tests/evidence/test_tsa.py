"""RFC 3161: real tokens from the TEST TSA, checked by our verifier and cross-checked by OpenSSL."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import tsp

from ruledsl.evidence.pki import TEST_LABEL, TestPKI, TrustStore, make_test_pki
from ruledsl.evidence.tsa import (
    TEST_POLICY,
    issue_timestamp,
    respond,
    response_status,
    timestamp_request,
    token_of,
    verify_timestamp,
)

EVIDENCE = "借款合同 loan contract LC-2024-7".encode()
WHEN = datetime(2024, 3, 1, 2, 20, tzinfo=UTC)


def _token(pki: TestPKI, data: bytes = EVIDENCE, **kw) -> bytes:  # type: ignore[no-untyped-def]
    return issue_timestamp(pki.tsa, hashlib.sha256(data).digest(), chain=pki.chain, gen_time=WHEN, **kw)


def test_test_pki_is_labelled(pki: TestPKI) -> None:
    for it in (pki.root, pki.issuing, pki.tsa, *pki.signers.values()):
        assert TEST_LABEL in it.subject
    assert "TEST" in pki.root.name and "TEST" in pki.tsa.name
    # deterministic from a seed, random without one
    assert make_test_pki("ruledsl-tests").root.cert_der() == pki.root.cert_der()
    assert make_test_pki().root.cert_der() != make_test_pki().root.cert_der()


def test_valid_token(pki: TestPKI) -> None:
    resp = _token(pki)
    info = tsp.TimeStampResp.load(resp)["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["policy"].dotted == TEST_POLICY
    assert info["gen_time"].native == WHEN
    res = verify_timestamp(resp, pki.trust_store(), evidence=EVIDENCE)
    assert res.valid and res.intact and res.imprint_matches and res.trusted
    assert res.gen_time == WHEN and res.test_tsa and "Time-Stamping" in (res.tsa or "")
    assert res.status == "warning"  # only because the TSA is the TEST TSA
    assert any("TEST TSA" in f.text for f in res.findings)
    # the bare token (ContentInfo) verifies the same, and against the anchored digest alone
    bare = token_of(resp).dump()
    assert verify_timestamp(bare, pki.trust_store(), digest=("sha256", hashlib.sha256(EVIDENCE).digest())).valid
    # deterministic for fixed inputs
    assert _token(pki) == resp


def test_imprint_mismatch(pki: TestPKI) -> None:
    res = verify_timestamp(_token(pki), pki.trust_store(), evidence=EVIDENCE + b" amended")
    assert not res.valid and res.imprint_matches is False and res.intact and res.status == "failed"
    assert any("stamps other data" in f.text for f in res.findings)
    # a digest of another algorithm cannot be compared: said so, not guessed
    res = verify_timestamp(_token(pki), pki.trust_store(), digest=("sm3", b"\0" * 32))
    assert res.imprint_matches is None and not res.valid


def test_chain_to_trust_store(pki: TestPKI) -> None:
    resp = _token(pki)
    res = verify_timestamp(resp, TrustStore(), evidence=EVIDENCE)
    assert res.intact and res.trusted is None and not res.valid
    assert any("No trust store" in f.text for f in res.findings)
    other = make_test_pki("another-ca")
    res = verify_timestamp(resp, other.trust_store(), evidence=EVIDENCE)
    assert res.trusted is False and res.status == "failed"
    # a TSA certificate that is not certified for time-stamping is refused
    lender_tsa = issue_timestamp(pki.signers["示例网络小额贷款有限公司"], hashlib.sha256(EVIDENCE).digest(),
                                 chain=pki.chain, gen_time=WHEN)
    res = verify_timestamp(lender_tsa, pki.trust_store(), evidence=EVIDENCE)
    assert not res.valid and res.status == "failed"


def test_every_byte_of_the_signed_part_matters(pki: TestPKI) -> None:
    resp = _token(pki)
    sd = token_of(resp)["content"]
    tst = sd["encap_content_info"]["content"].contents
    start = resp.index(tst)
    # flip bits across the TSTInfo (imprint, serial, time, policy): never a valid token
    for i in range(0, len(tst), 7):
        bad = bytearray(resp)
        bad[start + i] ^= 0x01
        res = verify_timestamp(bytes(bad), pki.trust_store(), evidence=EVIDENCE)
        assert not res.valid, f"flip at TSTInfo byte {i} went unnoticed"
    # and across the signature value at the end
    for i in range(1, 40):
        bad = bytearray(resp)
        bad[-i] ^= 0x80
        assert not verify_timestamp(bytes(bad), pki.trust_store(), evidence=EVIDENCE).valid


def test_malformed_tokens_are_findings_not_tracebacks(pki: TestPKI) -> None:
    for junk in (b"", b"\x30\x03\x02\x01\x00", b"not a token" * 10, _token(pki)[:100]):
        res = verify_timestamp(junk, pki.trust_store(), evidence=EVIDENCE)
        assert not res.valid and res.status == "failed"
        assert res.findings and all(f.text for f in res.findings)


def test_respond_to_requests(pki: TestPKI) -> None:
    digest = hashlib.sha256(EVIDENCE).digest()
    resp = respond(pki.tsa, timestamp_request(digest, nonce=123456789), chain=pki.chain, gen_time=WHEN)
    parsed = tsp.TimeStampResp.load(resp)
    assert parsed["status"]["status"].native == "granted"
    info = parsed["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 123456789
    assert verify_timestamp(resp, pki.trust_store(), evidence=EVIDENCE).valid
    assert response_status(respond(pki.tsa, b"garbage")) == ("rejection", ["not a TimeStampReq"])
    wrong = respond(pki.tsa, timestamp_request(b"\0" * 20, hash_alg="sha256"))
    assert response_status(wrong)[0] == "rejection"
    res = verify_timestamp(wrong, pki.trust_store(), evidence=EVIDENCE)
    assert res.status == "failed" and "refused" in res.findings[0].text


def test_openssl_accepts_our_tokens(pki: TestPKI, tmp_path: Path) -> None:
    """An independent implementation (OpenSSL `ts -verify`) agrees the token is a valid RFC 3161 reply."""
    (tmp_path / "t.tsr").write_bytes(_token(pki))
    (tmp_path / "data").write_bytes(EVIDENCE)
    (tmp_path / "ca.pem").write_bytes(pki.root.cert_pem() + pki.issuing.cert_pem())
    r = subprocess.run(["openssl", "ts", "-verify", "-in", "t.tsr", "-data", "data", "-CAfile", "ca.pem"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0 and "Verification: OK" in r.stdout, r.stdout + r.stderr
    (tmp_path / "data").write_bytes(EVIDENCE + b"!")
    r = subprocess.run(["openssl", "ts", "-verify", "-in", "t.tsr", "-data", "data", "-CAfile", "ca.pem"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode != 0

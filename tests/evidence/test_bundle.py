"""Bundles verify offline; every single-bit flip anywhere in a bundle is detected."""

from __future__ import annotations

import pytest

from ruledsl.core.errors import EvidenceError, MalformedError, VerificationError
from ruledsl.evidence.bundle import build_bundle, verify_bundle
from ruledsl.evidence.checkpoint import Checkpoint
from ruledsl.evidence.hashing import SHA256
from ruledsl.evidence.merkle import CompactRange, inclusion_plan, resolve
from ruledsl.evidence.note import Signer, sign_note
from ruledsl.evidence.record import Digest, EvidenceRecord

EVIDENCE = b"loan contract no. 7, signed 2024-05-01\n"


def make_bundle(court: Signer, with_evidence: bool = True) -> bytes:
    recs = [
        EvidenceRecord.make(Digest("sha256", SHA256.digest(b"id check").hex()), "identity_verification", "LC-7",
                            "lender-1", "2024-05-01T07:00:00Z"),
        EvidenceRecord.make(Digest("sha256", SHA256.digest(EVIDENCE).hex()), "loan_contract", "LC-7", "lender-1",
                            "2024-05-01T08:00:00Z"),
        EvidenceRecord.make(Digest("sha256", SHA256.digest(b"transfer").hex()), "disbursement_record", "LC-7",
                            "lender-1", "2024-05-01T09:00:00Z"),
    ]
    cr, out = CompactRange(SHA256), []
    for r in recs:
        cr.append(SHA256.leaf(r.canonical()), out)
    store = dict(out)
    proof = resolve(inclusion_plan(1, 3), lambda i: {k: store[k] for k in i}, SHA256)
    note = sign_note(Checkpoint.make(court.name, 3, cr.root()).text(), [court])
    return build_bundle(recs[1].canonical(), "sha256", 1, 3, proof, note, EVIDENCE if with_evidence else None)


def test_bundle_verifies(court: Signer) -> None:
    res = verify_bundle(make_bundle(court), court.verifier())
    assert res.leaf_index == 1 and res.record.kind == "loan_contract" and res.evidence_checked
    res = verify_bundle(make_bundle(court, False), court.verifier(), evidence=EVIDENCE)
    assert res.evidence_checked


def test_tampered_evidence_file(court: Signer) -> None:
    with pytest.raises(VerificationError, match="does not match the anchored digest"):
        verify_bundle(make_bundle(court, False), court.verifier(), evidence=EVIDENCE + b" ")


def test_wrong_key_and_origin(court: Signer) -> None:
    with pytest.raises(VerificationError):
        verify_bundle(make_bundle(court), Signer.generate(court.name).verifier())
    with pytest.raises(VerificationError, match="unknown origin"):
        verify_bundle(make_bundle(court), court.verifier(), origin="another.example/log")


def test_not_a_bundle() -> None:
    with pytest.raises(MalformedError):
        verify_bundle(b"PK\x03\x04garbage", Signer.generate("x").verifier())
    with pytest.raises(MalformedError):
        verify_bundle(b"", Signer.generate("x").verifier())


def test_truncated_bundle(court: Signer) -> None:
    data = make_bundle(court)
    for cut in (1, 10, 100, len(data) // 2, len(data) - 1):
        with pytest.raises(EvidenceError):
            verify_bundle(data[:cut], court.verifier())


def test_every_bit_flip_detected(court: Signer) -> None:
    data = make_bundle(court)
    v = court.verifier()
    verify_bundle(data, v)
    missed = []
    for i in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[i // 8] ^= 1 << (i % 8)
        try:
            verify_bundle(bytes(flipped), v)
        except EvidenceError:
            continue
        missed.append(i)
    assert not missed, f"undetected bit flips at bits {missed[:20]}"

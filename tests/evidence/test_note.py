"""Signed notes against golang.org/x/mod/sumdb/note's note_test.go vectors (Go interop both ways)."""

from __future__ import annotations

import pytest

from ruledsl.core.errors import EvidenceError, MalformedError, VerificationError
from ruledsl.evidence.note import (
    ALG_COSIGNATURE_V1,
    Signature,
    Signer,
    Verifier,
    key_hash,
    open_note,
    parse_note,
    sign_note,
)

# From Go's note_test.go
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = ("— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE"
             "6RyyBwJnAM=\n")
ENOCH_SIG = ("— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1"
             "RvMc+QQ=\n")


def test_go_verifier_key_parses() -> None:
    v = Verifier.parse(PETER_VKEY)
    assert (v.name, v.hash, v.encode()) == ("PeterNeumann", 0xC74F20A3, PETER_VKEY)


def test_go_verifier_key_manglings_refused() -> None:
    b = PETER_VKEY
    for i in range(len(b) + 1):
        for j in range(i + 1, len(b) + 1):
            if i != 0 or j != len(b):
                with pytest.raises(MalformedError):
                    Verifier.parse(b[i:j])
    for i in range(len(b)):
        with pytest.raises(MalformedError):
            Verifier.parse(b[:i] + chr(ord(b[i]) + 1) + b[i + 1 :])
    with pytest.raises(MalformedError):  # wrong length key, with adjusted key hash
        Verifier.parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    with pytest.raises(MalformedError):  # unknown algorithm, with adjusted key hash
        Verifier.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_go_signer_key_and_manglings() -> None:
    s = Signer.parse(PETER_SKEY)
    assert s.encode() == PETER_SKEY and s.verifier().encode() == PETER_VKEY
    b = PETER_SKEY
    for i in range(len(b) + 1):
        for j in range(i + 1, len(b) + 1):
            if i == 0 and j == len(b):
                continue
            with pytest.raises(MalformedError):
                Signer.parse(b[i:j])
    for i in range(len(b)):
        with pytest.raises(MalformedError):
            Signer.parse(b[:i] + chr(ord(b[i]) + 1) + b[i + 1 :])


def test_sign_matches_go_output_exactly() -> None:
    # Go's TestSign: Ed25519 is deterministic, so the bytes must be identical.
    assert sign_note(TEXT, [Signer.parse(PETER_SKEY)]) == TEXT + "\n" + PETER_SIG
    # an existing signature by the same key is replaced
    old = Signature("PeterNeumann", 0xC74F20A3, "BADSIGN=")
    assert sign_note(TEXT, [Signer.parse(PETER_SKEY)], [old]) == TEXT + "\n" + PETER_SIG
    with pytest.raises(MalformedError):
        sign_note("abc", [Signer.parse(PETER_SKEY)])


def test_open_go_notes() -> None:
    peter, enoch = Verifier.parse(PETER_VKEY), Verifier.parse(ENOCH_VKEY)
    msg = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    n = open_note(msg, [peter])
    assert n.text == TEXT
    assert [s.name for s in n.sigs] == ["PeterNeumann"] and [s.name for s in n.unverified] == ["EnochRoot"]
    n = open_note(msg, [peter, enoch])
    assert [s.name for s in n.sigs] == ["PeterNeumann", "EnochRoot"] and not n.unverified
    with pytest.raises(VerificationError, match="no verifiable signatures"):
        open_note(msg, [])
    with pytest.raises(VerificationError, match="ambiguous key EnochRoot\\+af0cfe78"):
        open_note(TEXT + "\n" + ENOCH_SIG, [enoch, peter, enoch])
    open_note(TEXT + "\n" + PETER_SIG, [enoch, peter, enoch])  # unused duplicate is fine
    with pytest.raises(MalformedError):
        open_note(TEXT + "\n" + PETER_SIG * 101, [peter])
    with pytest.raises(EvidenceError):  # invalid signature (or non-canonical base64)
        open_note(TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:], [peter])
    # duplicated signatures are dropped
    n = open_note(TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG, [peter])
    assert len(n.sigs) == 1 and len(n.unverified) == 1


@pytest.mark.parametrize(
    "msg",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6"
        "KE6RyyBwJnAM=",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",  # a note with an extra line
    ],
)
def test_malformed_notes(msg: str) -> None:
    with pytest.raises(MalformedError):
        open_note(msg, [Verifier.parse(PETER_VKEY)])


def test_invalid_utf8_note() -> None:
    with pytest.raises(MalformedError):
        open_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), [Verifier.parse(PETER_VKEY)])


def test_wrong_key_refused() -> None:
    other = Signer.generate("PeterNeumann")  # same name, another key: a different key hash
    with pytest.raises(VerificationError):
        open_note(TEXT + "\n" + PETER_SIG, [other.verifier()])


def test_our_keys_read_like_go_keys() -> None:
    s = Signer.generate("court.example/evidence")
    v = s.verifier()
    pub = bytes([1]) + v.public
    assert v.hash == key_hash("court.example/evidence", pub)
    assert Verifier.parse(v.encode()) == v and Signer.parse(s.encode()) == s
    assert s.encode().startswith("PRIVATE+KEY+court.example/evidence+")
    n = open_note(sign_note("hello\n", [s]), [v])
    assert n.sigs[0].name == "court.example/evidence"


def test_cosignature_v1() -> None:
    w = Signer.generate("witness.example/w1", ALG_COSIGNATURE_V1)
    v = w.verifier()
    assert v.encode().split("+")[2].startswith("B")  # 0x04 algorithm byte
    note = sign_note(TEXT, [Signer.parse(PETER_SKEY)])
    cos = sign_note(TEXT, [w], parse_note(note).sigs)
    n = open_note(cos, [Verifier.parse(PETER_VKEY), v])
    assert [x.name for x in n.sigs] == ["PeterNeumann", "witness.example/w1"]
    # the signed message is "cosignature/v1\ntime <t>\n" + text (C2SP tlog-cosignature)
    raw = n.sigs[1].raw
    t = int.from_bytes(raw[:8], "big")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(v.public).verify(raw[8:], b"cosignature/v1\ntime %d\n" % t + TEXT.encode())

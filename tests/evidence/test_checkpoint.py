"""C2SP tlog-checkpoint parsing and signed checkpoints."""

from __future__ import annotations

import base64

import pytest

from ruledsl.core.errors import MalformedError, VerificationError
from ruledsl.evidence.checkpoint import Checkpoint, open_checkpoint
from ruledsl.evidence.note import Signer, sign_note

# The example of c2sp.org/tlog-checkpoint
EXAMPLE = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_spec_example() -> None:
    cp = Checkpoint.parse(EXAMPLE)
    assert cp.origin == "example.com/behind-the-sofa" and cp.size == 20852163
    assert cp.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.text() == EXAMPLE
    ext = Checkpoint.parse(EXAMPLE + "ext line\n")
    assert ext.extensions == ("ext line",) and ext.text() == EXAMPLE + "ext line\n"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "example.com\n",
        "example.com\n5\n",
        EXAMPLE[:-1],  # no final newline
        "example.com\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # leading zero
        "example.com\n-5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "example.com\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n",  # not 32 bytes
        "example.com\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  # non-canonical base64
        "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # empty origin
        EXAMPLE + "\n",  # empty extension line
        "example.com\n99999999999999999999\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    ],
)
def test_malformed_checkpoints(text: str) -> None:
    with pytest.raises(MalformedError):
        Checkpoint.parse(text)


def test_signed_checkpoint(court: Signer) -> None:
    cp = Checkpoint.make(court.name, 3, b"\x11" * 32)
    note = sign_note(cp.text(), [court])
    sc = open_checkpoint(note, court.verifier())
    assert sc.checkpoint == cp and sc.cosigners == []


def test_unknown_origin_refused(court: Signer) -> None:
    note = sign_note(Checkpoint.make("other.example/log", 3, b"\x11" * 32).text(), [court])
    with pytest.raises(VerificationError, match="unknown origin"):
        open_checkpoint(note, court.verifier())


def test_wrong_key_refused(court: Signer) -> None:
    impostor = Signer.generate(court.name)
    note = sign_note(Checkpoint.make(court.name, 3, b"\x11" * 32).text(), [impostor])
    with pytest.raises(VerificationError, match="no verifiable signatures"):
        open_checkpoint(note, court.verifier())


def test_witness_signature_alone_is_not_enough(court: Signer, witness_key: Signer) -> None:
    note = sign_note(Checkpoint.make(court.name, 3, b"\x11" * 32).text(), [witness_key])
    with pytest.raises(VerificationError):
        open_checkpoint(note, court.verifier(), [witness_key.verifier()])

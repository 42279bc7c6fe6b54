"""Witnesses cosign only consistent growth; a shrinking or forked checkpoint is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ruledsl.core.errors import EvidenceError, MalformedError, RefusedError
from ruledsl.evidence.checkpoint import Checkpoint, open_checkpoint
from ruledsl.evidence.hashing import SHA256
from ruledsl.evidence.merkle import CompactRange, consistency_plan, resolve
from ruledsl.evidence.note import Signer, sign_note
from ruledsl.evidence.witness import Witness


class Tree:
    def __init__(self, prefix: bytes = b"leaf") -> None:
        self.cr, self.stored, self.prefix = CompactRange(SHA256), {}, prefix

    def grow(self, n: int) -> None:
        out: list = []
        for _ in range(n):
            self.cr.append(SHA256.leaf(self.prefix + str(self.cr.size).encode()), out)
        self.stored.update(out)

    def proof(self, m: int) -> list[bytes]:
        return resolve(consistency_plan(m, self.cr.size), lambda i: {k: self.stored[k] for k in i}, SHA256)

    def checkpoint(self, court: Signer) -> str:
        return sign_note(Checkpoint.make(court.name, self.cr.size, self.cr.root()).text(), [court])


@pytest.fixture
def witness(tmp_path: Path, court: Signer, witness_key: Signer) -> Witness:
    return Witness(witness_key, {court.name: court.verifier()}, tmp_path / "w.json")


def test_cosigns_consistent_growth(witness: Witness, court: Signer, witness_key: Signer) -> None:
    t = Tree()
    t.grow(5)
    first = witness.cosign(t.checkpoint(court))
    sc = open_checkpoint(first, court.verifier(), [witness_key.verifier()])
    assert sc.cosigners == [witness_key.name]
    t.grow(7)
    second = witness.cosign(t.checkpoint(court), t.proof(5))
    assert open_checkpoint(second, court.verifier(), [witness_key.verifier()]).checkpoint.size == 12
    assert witness.last(court.name) == (12, t.cr.root())
    # the same checkpoint again is fine (equal size, equal root, empty proof)
    witness.cosign(t.checkpoint(court))


def test_shrink_refused(witness: Witness, court: Signer) -> None:
    t = Tree()
    t.grow(8)
    witness.cosign(t.checkpoint(court))
    small = Tree()
    small.grow(5)
    with pytest.raises(RefusedError, match="shrinks"):
        witness.cosign(small.checkpoint(court))
    assert witness.last(court.name) == (8, t.cr.root())


def test_fork_refused(witness: Witness, court: Signer) -> None:
    t = Tree()
    t.grow(6)
    witness.cosign(t.checkpoint(court))
    fork = Tree(b"other")  # a different history signed by the same court key
    fork.grow(6)
    with pytest.raises(RefusedError, match="not consistent"):
        witness.cosign(fork.checkpoint(court))  # same size, different root
    fork.grow(4)
    with pytest.raises(RefusedError, match="not consistent"):
        witness.cosign(fork.checkpoint(court), fork.proof(6))
    honest = Tree()
    honest.grow(10)
    with pytest.raises(RefusedError):  # right tree, but a truncated proof
        witness.cosign(honest.checkpoint(court), honest.proof(6)[:-1])
    assert witness.last(court.name) == (6, t.cr.root())
    witness.cosign(honest.checkpoint(court), honest.proof(6))


def test_unknown_origin_and_bad_signature(witness: Witness, court: Signer) -> None:
    other = Signer.generate("elsewhere.example/log")
    t = Tree()
    t.grow(3)
    with pytest.raises(RefusedError, match="unknown origin"):
        witness.cosign(sign_note(Checkpoint.make(other.name, 3, t.cr.root()).text(), [other]))
    impostor = Signer.generate(court.name)
    with pytest.raises(EvidenceError):
        witness.cosign(t.checkpoint(impostor))
    with pytest.raises(MalformedError):
        witness.cosign("not a note")


def test_witness_needs_cosignature_key(tmp_path: Path, court: Signer) -> None:
    with pytest.raises(MalformedError):
        Witness(court, {}, tmp_path / "w.json")

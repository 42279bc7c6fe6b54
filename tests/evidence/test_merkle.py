"""RFC 9162 tree hashing and proofs, against the test vectors of transparency-dev/merkle
(proof/verify_test.go, the classic Certificate Transparency vectors)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruledsl.core.errors import EvidenceError, VerificationError
from ruledsl.evidence.hashing import SHA256
from ruledsl.evidence.merkle import (
    CompactRange,
    consistency_plan,
    inclusion_plan,
    mth,
    resolve,
    stored_count,
    stored_index,
    verify_consistency,
    verify_inclusion,
)


def dh(s: str) -> bytes:
    return bytes.fromhex(s)


# transparency-dev/merkle proof/verify_test.go: leaves, roots[i] = root of the first i+1 leaves
LEAVES = [dh(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f")]
ROOTS = [dh(x) for x in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
# (leaf number from 1, tree size, proof)
INCLUSION = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]
EMPTY = dh("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")  # SHA-256("")
SOME = dh("abacaba000000000000000000000000000000000000000000060061e00123456")


def leaf_hashes() -> list[bytes]:
    return [SHA256.leaf(x) for x in LEAVES]


def test_hashing_by_hand() -> None:
    # RFC 9162 §2.1.1 by hand: leaf = SHA-256(0x00 || d), node = SHA-256(0x01 || l || r)
    assert SHA256.leaf(b"") == hashlib.sha256(b"\x00").digest() == ROOTS[0]
    l0, l1 = hashlib.sha256(b"\x00").digest(), hashlib.sha256(b"\x00\x00").digest()
    assert SHA256.node(l0, l1) == hashlib.sha256(b"\x01" + l0 + l1).digest() == ROOTS[1]
    assert SHA256.empty() == EMPTY


@pytest.mark.parametrize("n", range(1, 9))
def test_roots_match_vectors(n: int) -> None:
    assert mth(leaf_hashes()[:n]) == ROOTS[n - 1]
    cr = CompactRange(SHA256)
    for x in leaf_hashes()[:n]:
        cr.append(x, [])
    assert cr.root() == ROOTS[n - 1]


def _stored(n: int) -> dict[int, bytes]:
    cr, out = CompactRange(SHA256), []
    for x in leaf_hashes()[:n]:
        cr.append(x, out)
    assert len(out) == stored_count(n)
    return dict(out)


def _fetch(store: dict[int, bytes]):
    return lambda idx: {i: store[i] for i in idx}


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_vectors(leaf: int, size: int, proof: list[str]) -> None:
    p = [dh(x) for x in proof]
    lh = SHA256.leaf(LEAVES[leaf - 1])
    verify_inclusion(leaf - 1, size, lh, p, ROOTS[size - 1])
    # generation from stored hashes gives exactly the published proof
    assert resolve(inclusion_plan(leaf - 1, size), _fetch(_stored(size)), SHA256) == p


def _inclusion_probes(index: int, size: int, proof: list[bytes], root: bytes, lh: bytes):
    # the corruptions of transparency-dev's corruptInclusionProof
    yield index - 1, size, root, lh, proof
    yield index + 1, size, root, lh, proof
    yield index ^ 2, size, root, lh, proof
    yield index, size * 2, root, lh, proof
    yield index, size // 2, root, lh, proof
    yield index, size, EMPTY, lh, proof
    yield index, size, SOME, lh, proof
    yield index, size, root, lh, [*proof, root]
    yield index, size, root, lh, [root, *proof]
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 8]) + bad[i][1:]
        yield index, size, root, lh, bad
    if proof:
        yield index, size, root, lh, proof[:-1]
    if len(proof) > 1:
        yield index, size, root, lh, [proof[0], SOME, *proof[1:]]


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_corruptions_fail(leaf: int, size: int, proof: list[str]) -> None:
    p = [dh(x) for x in proof]
    for probe in _inclusion_probes(leaf - 1, size, p, ROOTS[size - 1], SHA256.leaf(LEAVES[leaf - 1])):
        if probe[0] < 0:
            continue
        with pytest.raises(EvidenceError):
            verify_inclusion(*probe[:2], probe[3], probe[4], probe[2])


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (1, 1), (8, 8)])
def test_inclusion_index_not_below_size_fails(index: int, size: int) -> None:
    # RFC 9162 §2.1.3.2 step 1
    for root in (EMPTY, SOME):
        with pytest.raises(VerificationError):
            verify_inclusion(index, size, SOME, [], root)


def test_inclusion_single_leaf() -> None:
    h = SHA256.leaf(b"data")
    verify_inclusion(0, 1, h, [], h)  # a one-leaf tree: empty proof, root = leaf hash
    with pytest.raises(VerificationError):
        verify_inclusion(0, 1, h, [], EMPTY)
    with pytest.raises(EvidenceError):
        verify_inclusion(0, 1, b"", [], h)  # wrong hash size


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY)
def test_consistency_vectors(size1: int, size2: int, proof: list[str]) -> None:
    p = [dh(x) for x in proof]
    verify_consistency(size1, size2, p, ROOTS[size1 - 1], ROOTS[size2 - 1])
    assert resolve(consistency_plan(size1, size2), _fetch(_stored(size2)), SHA256) == p


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY)
def test_consistency_corruptions_fail(size1: int, size2: int, proof: list[str]) -> None:
    p = [dh(x) for x in proof]
    r1, r2 = ROOTS[size1 - 1], ROOTS[size2 - 1]
    probes = [
        (size1 - 1, size2, r1, r2, p), (size1 + 1, size2, r1, r2, p), (size1 ^ 2, size2, r1, r2, p),
        (size1, size2 * 2, r1, r2, p), (size1, size2 // 2, r1, r2, p),
        (size1, size2, SOME, r2, p), (size1, size2, r1, SOME, p), (size1, size2, r2, r1, p),
        (size1, size2, r1, r2, []), (size1, size2, r1, r2, [*p, r1]), (size1, size2, r1, r2, [*p, r2]),
        (size1, size2, r1, r2, [r1, *p]), (size1, size2, r1, r2, [r2, *p]), (size1, size2, r1, r2, [p[0], *p]),
        (size1, size2, r1, r2, p[:-1]),
    ]
    for i in range(len(p)):
        bad = list(p)
        bad[i] = bytes([bad[i][0] ^ 16]) + bad[i][1:]
        probes.append((size1, size2, r1, r2, bad))
    for s1, s2, a, b, pp in probes:
        with pytest.raises(EvidenceError):
            verify_consistency(s1, s2, pp, a, b)


def test_consistency_edge_cases() -> None:
    r1, r2 = SOME, ROOTS[0]
    # size1 == size2: empty proof and equal roots only
    verify_consistency(1, 1, [], r2, r2)
    verify_consistency(0, 0, [], EMPTY, EMPTY)
    with pytest.raises(VerificationError):
        verify_consistency(1, 1, [], r1, r2)
    with pytest.raises(VerificationError):
        verify_consistency(1, 1, [EMPTY], r2, r2)
    # size1 == 0: every tree extends the empty tree, with an empty proof; its root is SHA-256("")
    verify_consistency(0, 1, [], EMPTY, r2)
    with pytest.raises(VerificationError):
        verify_consistency(0, 1, [EMPTY], EMPTY, r2)
    with pytest.raises(VerificationError):
        verify_consistency(0, 1, [], SOME, r2)  # a size-0 tree cannot have another root
    # shrinking
    with pytest.raises(VerificationError):
        verify_consistency(2, 1, [], r1, r2)
    # empty proof where one is needed (RFC step 1)
    with pytest.raises(VerificationError):
        verify_consistency(1, 2, [], ROOTS[0], ROOTS[1])


def test_stored_index_order() -> None:
    # By hand: leaves 0,1 then node(1,0); leaf 2; leaf 3, node(1,1), node(2,0); leaf 4 ...
    order = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0), (0, 4)]
    assert [stored_index(*n) for n in order] == list(range(8))
    assert [stored_count(n) for n in range(1, 9)] == [1, 3, 4, 7, 8, 10, 11, 15]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=300), st.data())
def test_generated_proofs_verify_against_reference(n: int, data) -> None:  # type: ignore[no-untyped-def]
    lh = [SHA256.leaf(i.to_bytes(4, "big")) for i in range(n)]
    cr, out = CompactRange(SHA256), []
    for x in lh:
        cr.append(x, out)
    store = dict(out)
    root = mth(lh)
    assert cr.root() == root
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    verify_inclusion(i, n, lh[i], resolve(inclusion_plan(i, n), _fetch(store), SHA256), root)
    m = data.draw(st.integers(min_value=0, max_value=n))
    verify_consistency(m, n, resolve(consistency_plan(m, n), _fetch(store), SHA256), mth(lh[:m]), root)

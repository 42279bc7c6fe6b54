"""Merkle tree proofs of RFC 9162 §2.1: generation plans and verification.

Verification (:func:`verify_inclusion`, :func:`verify_consistency`) needs nothing
but the proof, the leaf hash, the tree sizes and the root hashes; it follows the
algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.  Edge cases:

* inclusion: ``index >= size`` fails (step 1) — so does every proof in an empty
  tree; a tree of size 1 has the empty proof and its root is the leaf hash.
* consistency: the RFC algorithm covers ``0 < size1 < size2``.  Outside it,
  ``size1 > size2`` fails (a tree never shrinks); ``size1 == size2`` holds only
  with an empty proof and equal roots (RFC 9162 §2.1.4.1: SUBPROOF(m, D[m], true)
  is empty); ``size1 == 0`` holds only with an empty proof and ``root1`` equal to
  the empty-tree hash MTH({}) = HASH() of §2.1.1 — every tree extends the empty
  tree, but a checkpoint of size 0 with another root is a false statement.

Generation works on *stored* hashes.  Every perfect subtree of the log (a leaf,
or 2^L leaves starting at a multiple of 2^L) is written once, when it completes,
at a position given by :func:`stored_index`; a proof is a handful of such
hashes, combined where the right edge of the tree is ragged.  Nothing is
recomputed from the leaves, so a proof costs O(log n) hash look-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from ruledsl.core.errors import MalformedError, VerificationError
from ruledsl.evidence.hashing import HASH_SIZE, SHA256, Hasher

Node = tuple[int, int]  # (level, index): the perfect subtree of leaves [index*2^level, (index+1)*2^level)


# --------------------------------------------------------------------------- verification


def _check_hashes(values: Iterable[bytes], what: str) -> None:
    for v in values:
        if not isinstance(v, bytes | bytearray) or len(v) != HASH_SIZE:
            raise MalformedError.of(f"{what} must be {HASH_SIZE}-byte hashes")


def root_from_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], h: Hasher = SHA256
) -> bytes:
    """The root that ``proof`` leads to from ``leaf_hash`` at ``index`` in a tree of ``size``.

    RFC 9162 §2.1.3.2 steps 1-4; raises :class:`VerificationError` where the RFC
    says "fail the proof verification".
    """
    _check_hashes([leaf_hash], "the leaf hash")
    _check_hashes(proof, "inclusion proof entries")
    if index < 0 or size < 0:
        raise MalformedError.of("leaf index and tree size must not be negative")
    # 1. leaf_index >= tree_size fails.
    if index >= size:
        raise VerificationError.of(f"leaf index {index} is not in a tree of size {size}")
    # 2. fn = leaf_index, sn = tree_size - 1;  3. r = hash
    fn, sn, r = index, size - 1, bytes(leaf_hash)
    # 4. for each p in inclusion_path
    for p in proof:
        if sn == 0:  # a.
            raise VerificationError.of("inclusion proof is too long for this tree size")
        if fn & 1 or fn == sn:  # b.
            r = h.node(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = h.node(r, p)
        fn >>= 1  # c.
        sn >>= 1
    # 5. sn must be 0
    if sn != 0:
        raise VerificationError.of("inclusion proof is too short for this tree size")
    return r


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes, h: Hasher = SHA256
) -> None:
    """Raise :class:`VerificationError` unless ``proof`` proves ``leaf_hash`` at ``index`` under ``root``."""
    _check_hashes([root], "the root hash")
    got = root_from_inclusion(index, size, leaf_hash, proof, h)
    if got != root:
        raise VerificationError.of(
            f"inclusion proof leads to root {got.hex()}, not {bytes(root).hex()}",
            hint="the leaf, its index, the proof or the root has changed",
        )


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes, h: Hasher = SHA256
) -> None:
    """Raise :class:`VerificationError` unless the tree (size2, root2) extends (size1, root1)."""
    _check_hashes([root1, root2], "root hashes")
    _check_hashes(proof, "consistency proof entries")
    if size1 < 0 or size2 < 0:
        raise MalformedError.of("tree sizes must not be negative")
    if size1 > size2:
        raise VerificationError.of(f"tree of size {size2} cannot extend a tree of size {size1}: it shrank")
    if size1 == size2:
        if proof:
            raise VerificationError.of("trees of equal size need an empty consistency proof")
        if root1 != root2:
            raise VerificationError.of(
                f"two different roots for tree size {size1}: the log forked",
                hint=f"{bytes(root1).hex()} != {bytes(root2).hex()}",
            )
        return
    if size1 == 0:
        if proof:
            raise VerificationError.of("a tree extends the empty tree with an empty proof only")
        if root1 != h.empty():
            raise VerificationError.of("the root of an empty tree must be the hash of the empty string")
        return
    # RFC 9162 §2.1.4.2, for 0 < first < second.
    # 1. empty consistency_path fails
    if not proof:
        raise VerificationError.of("consistency proof is empty")
    path = list(proof)
    # 2. first an exact power of 2: prepend first_hash
    if size1 & (size1 - 1) == 0:
        path.insert(0, bytes(root1))
    # 3.
    fn, sn = size1 - 1, size2 - 1
    # 4.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:  # a.
            raise VerificationError.of("consistency proof is too long for these tree sizes")
        if fn & 1 or fn == sn:  # b.
            fr = h.node(c, fr)
            sr = h.node(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = h.node(sr, c)
        fn >>= 1  # c.
        sn >>= 1
    # 7.
    if sn != 0:
        raise VerificationError.of("consistency proof is too short for these tree sizes")
    if fr != root1:
        raise VerificationError.of(
            f"consistency proof does not lead to the first root (size {size1})",
            hint="the earlier tree head is not a prefix of the later one: the log forked or the proof changed",
        )
    if sr != root2:
        raise VerificationError.of(
            f"consistency proof does not lead to the second root (size {size2})",
            hint="the later tree head does not extend the earlier one: the log forked or the proof changed",
        )


# --------------------------------------------------------------------------- reference (in memory)


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(leaf_hashes: Sequence[bytes], h: Hasher = SHA256) -> bytes:
    """MTH of RFC 9162 §2.1.1 over already-hashed leaves, straight from the definition."""
    n = len(leaf_hashes)
    if n == 0:
        return h.empty()
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return h.node(mth(leaf_hashes[:k], h), mth(leaf_hashes[k:], h))


# --------------------------------------------------------------------------- generation plans


def _perfect_cover(lo: int, hi: int) -> list[Node]:
    """The perfect subtrees whose hashes make up MTH(D[lo:hi]), left to right.

    ``lo`` is aligned as RFC 9162's recursion guarantees; only the right edge
    can be ragged.
    """
    out: list[Node] = []
    while lo < hi:
        n = hi - lo
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            out.append((level, lo >> level))
            break
        k = _split(n)
        level = k.bit_length() - 1
        out.append((level, lo >> level))
        lo += k
    return out


def inclusion_plan(index: int, size: int) -> list[list[Node]]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, each entry as the perfect subtrees it folds."""
    if not 0 <= index < size:
        raise VerificationError.of(f"leaf index {index} is not in a tree of size {size}")
    out: list[list[Node]] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            out.append(_perfect_cover(lo + k, hi))
            hi = lo + k
        else:
            out.append(_perfect_cover(lo, lo + k))
            lo, m = lo + k, m - k
    out.reverse()  # the recursion emits the leaf's sibling last; the proof lists it first
    return out


def consistency_plan(size1: int, size2: int) -> list[list[Node]]:
    """PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1 as perfect-subtree folds (empty when trivial)."""
    if not 0 <= size1 <= size2:
        raise VerificationError.of(f"no consistency proof from size {size1} to size {size2}")
    if size1 == 0 or size1 == size2:
        return []
    out: list[list[Node]] = []
    lo, hi, m, b = 0, size2, size1, True
    while True:
        n = hi - lo
        if m == n:
            if not b:
                out.append(_perfect_cover(lo, hi))
            break
        k = _split(n)
        if m <= k:
            out.append(_perfect_cover(lo + k, hi))
            hi = lo + k
        else:
            out.append(_perfect_cover(lo, lo + k))
            lo, m, b = lo + k, m - k, False
    out.reverse()
    return out


def root_plan(size: int) -> list[Node]:
    """The perfect subtrees that fold into the root of a tree of ``size``."""
    return _perfect_cover(0, size)


def fold(nodes: Sequence[Node], hashes: Mapping[Node, bytes], h: Hasher) -> bytes:
    """Hash of a ragged subtree from its perfect parts (left to right)."""
    r = hashes[nodes[-1]]
    for node in reversed(nodes[:-1]):
        r = h.node(hashes[node], r)
    return r


def resolve(
    plan: Sequence[Sequence[Node]], fetch: Callable[[list[int]], Mapping[int, bytes]], h: Hasher
) -> list[bytes]:
    """Turn a plan into hashes with one call to ``fetch(stored indexes) -> {index: hash}``."""
    wanted = {node for entry in plan for node in entry}
    index = {node: stored_index(*node) for node in wanted}
    got = fetch(sorted(set(index.values())))
    try:
        hashes = {node: got[i] for node, i in index.items()}
    except KeyError as exc:
        raise MalformedError.of(f"stored hash {exc.args[0]} is missing: the log store is damaged") from None
    return [fold(entry, hashes, h) for entry in plan]


# --------------------------------------------------------------------------- storage order


def stored_index(level: int, index: int) -> int:
    """Position of perfect subtree (level, index) in the append-ordered list of stored hashes.

    Hashes are written as they complete: leaf i's hash, then every subtree that
    leaf i completes, lowest level first.  Before leaf i, 2i - popcount(i)
    hashes exist; the subtree (L, k) is completed by leaf i = (k+1)·2^L - 1 and
    is the L-th hash written after that leaf's own.
    """
    i = ((index + 1) << level) - 1
    return 2 * i - i.bit_count() + level


def stored_count(size: int) -> int:
    """How many hashes a tree of ``size`` leaves stores."""
    return 2 * size - size.bit_count()


class CompactRange:
    """The right edge of a growing tree: the perfect subtrees of the binary decomposition of its size.

    Appending a leaf returns every stored hash it completes (with its stored
    index), which is what a batch writes to the store.
    """

    __slots__ = ("h", "size", "stack")

    def __init__(self, h: Hasher, size: int = 0, edge: Sequence[bytes] = ()) -> None:
        nodes = root_plan(size) if size else []
        if len(nodes) != len(edge):
            raise MalformedError.of("compact range does not match the tree size")
        self.h = h
        self.size = size
        self.stack: list[tuple[int, bytes]] = [(lvl, hsh) for (lvl, _), hsh in zip(nodes, edge, strict=True)]

    def append(self, leaf_hash: bytes, out: list[tuple[int, bytes]]) -> None:
        i = self.size
        base = 2 * i - i.bit_count()
        out.append((base, leaf_hash))
        stack = self.stack
        level, cur = 0, leaf_hash
        node = self.h.node
        while stack and stack[-1][0] == level:
            cur = node(stack.pop()[1], cur)
            level += 1
            out.append((base + level, cur))
        stack.append((level, cur))
        self.size = i + 1

    def root(self) -> bytes:
        if not self.stack:
            return self.h.empty()
        r = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            r = self.h.node(left, r)
        return r

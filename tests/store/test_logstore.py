"""The log store on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import random

import pytest

from ruledsl.core.errors import RefusedError, StoreError
from ruledsl.evidence.hashing import SHA256, SM3
from ruledsl.evidence.merkle import mth, verify_consistency, verify_inclusion
from ruledsl.evidence.note import Signer
from ruledsl.store import LogStore
from ruledsl.store.log import EvidenceLog


def test_appends_and_proofs_match_reference(db_url: str) -> None:
    store = LogStore(db_url)
    info = store.create_log("court.example/a", "sha256", "k")
    rnd = random.Random(7)
    leaves: list[bytes] = []
    heads = []
    for b in range(12):
        recs = [f"r{b}-{j}".encode() for j in range(rnd.randint(1, 40))]
        first, size, root = store.append(info, recs)
        assert first == len(leaves)
        leaves += [SHA256.leaf(r) for r in recs]
        assert size == len(leaves) and root == mth(leaves)
        heads.append((size, root))
    size, root = store.head(info)
    for i in range(0, size, 7):
        verify_inclusion(i, size, leaves[i], store.inclusion_proof(info, i, size), root)
        verify_inclusion(i, size - (size - i) // 2, leaves[i], store.inclusion_proof(info, i, size - (size - i) // 2),
                         mth(leaves[: size - (size - i) // 2]))
    for s1, r1 in heads:
        assert store.root_at(info, s1) == r1
        for s2, r2 in heads:
            if s1 <= s2:
                verify_consistency(s1, s2, store.consistency_proof(info, s1, s2), r1, r2)
    assert store.find(info, leaves[5]) == [5]
    assert store.audit(info) == size
    assert store.tree_heads(info) == heads
    with pytest.raises(RefusedError):
        store.inclusion_proof(info, 0, size + 1)
    store.close()


def test_sm3_log(db_url: str) -> None:
    store = LogStore(db_url)
    info = store.create_log("court.example/sm3", "sm3", "k")
    recs = [b"a", b"b", b"c"]
    _, size, root = store.append(info, recs)
    assert root == SM3.node(SM3.node(SM3.leaf(b"a"), SM3.leaf(b"b")), SM3.leaf(b"c"))
    verify_inclusion(2, 3, SM3.leaf(b"c"), store.inclusion_proof(info, 2, 3), root, SM3)
    store.close()


def test_checkpoints_never_go_back(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    court = Signer.generate("court.example/cp")
    state = tmp_path / "court.state"
    store = LogStore(db_url)
    lg = EvidenceLog.create(store, court.verifier().encode())
    lg.append([b"x"] * 5)
    n5 = lg.sign_checkpoint(court, state)
    lg.append([b"y"] * 3)
    n8 = lg.sign_checkpoint(court, state)
    assert [s for s, _ in store.checkpoints(lg.info)] == [5, 8]
    assert lg.sign_checkpoint(court, state) == n8 != n5
    with pytest.raises(RefusedError):
        store.add_checkpoint(lg.info, 5, n5)
    with pytest.raises(RefusedError):
        store.add_checkpoint(lg.info, 99, n8)
    with pytest.raises(RefusedError, match="not the log's key"):
        lg.sign_checkpoint(Signer.generate("court.example/cp"), state)
    store.close()


def test_duplicate_origin_and_missing_log(db_url: str) -> None:
    store = LogStore(db_url)
    store.create_log("court.example/dup", "sha256", "k")
    with pytest.raises(RefusedError):
        store.create_log("court.example/dup", "sha256", "k")
    with pytest.raises(StoreError):
        store.get_log("nope")
    store.close()


def test_damage_is_detected_on_open(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'e.db'}"
    store = LogStore(url)
    info = store.create_log("court.example/d", "sha256", "k")
    store.append(info, [b"a", b"b", b"c"])
    with store.writer.begin() as conn:
        conn.exec_driver_sql("UPDATE evidence_hashes SET hash = zeroblob(32) WHERE sidx = 2")
    with pytest.raises(StoreError):
        store.quick_check(info)
    with pytest.raises(StoreError):
        store.append(info, [b"d"])
    store.close()


def test_unreachable_database() -> None:
    with pytest.raises(StoreError):
        LogStore("postgresql+psycopg://nobody@/nodb?host=/nonexistent-dir")

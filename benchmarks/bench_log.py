"""Benchmark of the evidence log (not a test): batched appends/s on SQLite, proof times at 10^6 leaves.

    .venv/bin/python benchmarks/bench_log.py [--leaves 1000000] [--batch 10000] [--db URL]

Targets (issue 5): >= 50,000 appends/s batched; inclusion proof < 1 ms at 10^6 leaves.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from ruledsl.evidence.hashing import SHA256
from ruledsl.evidence.merkle import verify_consistency, verify_inclusion
from ruledsl.evidence.record import Digest, EvidenceRecord
from ruledsl.store import LogStore


def records(start: int, n: int) -> list[bytes]:
    base = EvidenceRecord.make(Digest("sha256", "00" * 32), "loan_contract", "LC-0", "lender-1",
                               "2024-05-01T08:00:00Z").canonical()
    return [base.replace(b"00" * 32, SHA256.digest(b"%d" % (start + i)).hex().encode()) for i in range(n)]


def per_op(fn, n: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3, sorted(times)[int(n * 0.99) - 1] * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leaves", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--db", default=None, help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    store = LogStore(url)
    info = store.create_log(f"bench.example/{random.getrandbits(32):08x}", "sha256", "bench")

    gen = 0.0
    t0 = time.perf_counter()
    done = 0
    while done < args.leaves:
        n = min(args.batch, args.leaves - done)
        g = time.perf_counter()
        recs = records(done, n)
        gen += time.perf_counter() - g
        store.append(info, recs)
        done += n
    total = time.perf_counter() - t0 - gen
    print(f"store: {url.split('://')[0]}  leaves: {done:,}  batch: {args.batch:,}")
    print(f"batched appends: {done / total:,.0f} appends/s  ({total:.1f} s, record generation excluded)")

    size, root = store.head(info)
    rnd = random.Random(1)
    idx = [rnd.randrange(size) for _ in range(2000)]
    leaf_hashes = {i: store.leaf(info, i)[0] for i in idx}
    proofs: dict[int, list[bytes]] = {}

    def gen_incl(k: int) -> None:
        proofs[k] = store.inclusion_proof(info, idx[k], size)

    med, p99 = per_op(gen_incl, len(idx))
    print(f"inclusion proof generation at {size:,} leaves: median {med:.3f} ms, p99 {p99:.3f} ms")
    med, p99 = per_op(lambda k: verify_inclusion(idx[k], size, leaf_hashes[idx[k]], proofs[k], root), len(idx))
    print(f"inclusion proof verification: median {med:.3f} ms, p99 {p99:.3f} ms")

    olds = [rnd.randrange(1, size) for _ in range(500)]
    roots = {m: store.root_at(info, m) for m in olds}
    cproofs: dict[int, list[bytes]] = {}

    def gen_cons(k: int) -> None:
        cproofs[k] = store.consistency_proof(info, olds[k], size)

    med, p99 = per_op(gen_cons, len(olds))
    print(f"consistency proof generation (random m -> {size:,}): median {med:.3f} ms, p99 {p99:.3f} ms")
    med, p99 = per_op(lambda k: verify_consistency(olds[k], size, cproofs[k], roots[olds[k]], root), len(olds))
    print(f"consistency proof verification: median {med:.3f} ms, p99 {p99:.3f} ms")
    store.close()


if __name__ == "__main__":
    main()

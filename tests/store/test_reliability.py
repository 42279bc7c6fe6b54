"""Crash and concurrency: kill -9 an appender at random moments; two appenders at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ruledsl.evidence.checkpoint import open_checkpoint
from ruledsl.evidence.hashing import SHA256
from ruledsl.evidence.merkle import verify_consistency, verify_inclusion
from ruledsl.evidence.note import Signer
from ruledsl.store import LogStore
from ruledsl.store.log import EvidenceLog

APPENDER = str(Path(__file__).with_name("appender.py"))
KILL_RUNS = 50


def _records(tag: str, batch: int, count: int) -> list[bytes]:
    return [f"{tag}-{batch}-{j}".encode() for j in range(count)]


def _setup(url: str, tmp_path: Path, origin: str) -> tuple[Signer, Path]:
    court = Signer.generate(origin)
    keyfile = tmp_path / "court.key"
    keyfile.write_text(court.encode())
    store = LogStore(url)
    EvidenceLog.create(store, court.verifier().encode())
    store.close()
    return court, keyfile


def _spawn(url: str, origin: str, keyfile: Path, tag: str, batches: int, maxbatch: int, ckpt: int, seed: int):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return subprocess.Popen(
        [sys.executable, APPENDER, url, origin, str(keyfile), tag, str(batches), str(maxbatch), str(ckpt), str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


class _Reader(threading.Thread):
    def __init__(self, proc: subprocess.Popen) -> None:
        super().__init__(daemon=True)
        self.proc, self.lines = proc, []
        self.first_ack = threading.Event()

    def run(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.split())
            if line.startswith("ACK"):
                self.first_ack.set()


def _check_log(url: str, origin: str, court: Signer, acks: list[list[str]], ckpts: list[int], tag: str) -> int:
    store = LogStore(url)
    lg = EvidenceLog.open(store, origin)  # quick consistency check on reopen
    size, root = lg.head()
    for a in acks:
        batch, first, count, asize, aroot = int(a[1]), int(a[2]), int(a[3]), int(a[4]), bytes.fromhex(a[5])
        assert asize <= size, "the tree shrank below an acknowledged size"
        assert store.root_at(lg.info, asize) == aroot, "an acknowledged tree head changed"
        verify_consistency(asize, size, store.consistency_proof(lg.info, asize, size), aroot, root)
        for j, rec in enumerate(_records(tag, batch, count)):
            i = first + j
            verify_inclusion(i, size, SHA256.leaf(rec), store.inclusion_proof(lg.info, i, size), root)
    stored = {s: note for s, note in store.checkpoints(lg.info)}
    for s in ckpts:
        assert s in stored, "a published checkpoint was lost"
    for note in stored.values():
        cp = open_checkpoint(note, court.verifier()).checkpoint
        verify_consistency(cp.size, size, store.consistency_proof(lg.info, cp.size, size), cp.root, root)
    assert store.audit(lg.info) == size
    store.close()
    return size


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(KILL_RUNS))
def test_kill_minus_9_while_appending(tmp_path: Path, seed: int) -> None:
    url = f"sqlite:///{tmp_path / 'evidence.db'}"
    origin = "court.example/crash"
    court, keyfile = _setup(url, tmp_path, origin)
    rnd = random.Random(seed)
    proc = _spawn(url, origin, keyfile, "k", -1, rnd.choice([5, 50, 300, 1000]), rnd.choice([0, 1, 3]), seed)
    reader = _Reader(proc)
    reader.start()
    assert reader.first_ack.wait(60), proc.stderr.read() if proc.stderr else "no output"
    time.sleep(rnd.uniform(0, 0.2))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(10)
    acks = [x for x in reader.lines if x and x[0] == "ACK"]
    ckpts = [int(x[1]) for x in reader.lines if x and x[0] == "CKPT"]
    size = _check_log(url, origin, court, acks, ckpts, "k")
    assert size >= int(acks[-1][4])
    # the log goes on after the crash
    store = LogStore(url)
    lg = EvidenceLog.open(store, origin)
    first, new_size, _ = lg.append([b"after the crash"])
    assert first == size and new_size == size + 1
    lg.sign_checkpoint(court, tmp_path / "court.state")  # the appender's record, beside court.key
    store.close()


def _concurrent(url: str, tmp_path: Path) -> None:
    origin = "court.example/concurrent"
    court, keyfile = _setup(url, tmp_path, origin)
    procs = [_spawn(url, origin, keyfile, tag, 25, 80, 0, i) for i, tag in enumerate("AB")]
    readers = [_Reader(p) for p in procs]
    for r in readers:
        r.start()
    for p in procs:
        assert p.wait(120) == 0, p.stderr.read() if p.stderr else ""
    for r in readers:
        r.join(10)
    acks = {tag: [x for x in r.lines if x and x[0] == "ACK"] for tag, r in zip("AB", readers, strict=True)}
    assert all(len(a) == 25 for a in acks.values())
    total = sum(int(a[3]) for lst in acks.values() for a in lst)
    size = 0
    for tag in "AB":
        size = _check_log(url, origin, court, acks[tag], [], tag)
    assert size == total
    # every batch is contiguous and no two batches overlap
    spans = sorted((int(a[2]), int(a[2]) + int(a[3])) for lst in acks.values() for a in lst)
    assert spans[0][0] == 0 and all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    store = LogStore(url)
    lg = EvidenceLog.open(store, origin)
    got = sorted(rec for _, _, rec in store.iter_leaves(lg.info))
    want = sorted(r for tag in "AB" for a in acks[tag] for r in _records(tag, int(a[1]), int(a[3])))
    assert got == want
    store.close()


def test_two_concurrent_appenders_sqlite(tmp_path: Path) -> None:
    _concurrent(f"sqlite:///{tmp_path / 'evidence.db'}", tmp_path)


@pytest.mark.postgres
def test_two_concurrent_appenders_postgres(tmp_path: Path, pg_url: str) -> None:
    _concurrent(pg_url, tmp_path)

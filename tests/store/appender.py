"""A separate appending process for the crash and concurrency tests (not a test module).

usage: appender.py URL ORIGIN KEYFILE TAG BATCHES MAXBATCH CKPT_EVERY SEED
Checkpoints are signed with the signer's state beside KEYFILE (court.key → court.state).  Prints, after each committed batch, ``ACK <batch> <first> <count> <size> <root hex>``
and, after each stored checkpoint, ``CKPT <size>``.  BATCHES < 0 means forever.
Records are ``<TAG>-<batch>-<j>`` so the parent can recompute every leaf.
"""

from __future__ import annotations

import random
import sys

from ruledsl.evidence.note import Signer
from ruledsl.evidence.signerstate import default_state_path
from ruledsl.store import LogStore
from ruledsl.store.log import EvidenceLog


def records(tag: str, batch: int, count: int) -> list[bytes]:
    return [f"{tag}-{batch}-{j}".encode() for j in range(count)]


def main() -> None:
    url, origin, keyfile, tag, batches, maxbatch, ckpt_every, seed = sys.argv[1:]
    lg = EvidenceLog.open(LogStore(url), origin)
    signer = Signer.parse(open(keyfile).read())
    rnd = random.Random(seed)
    b = 0
    while int(batches) < 0 or b < int(batches):
        k = rnd.randint(1, int(maxbatch))
        first, size, root = lg.append(records(tag, b, k))
        print(f"ACK {b} {first} {k} {size} {root.hex()}", flush=True)
        if int(ckpt_every) and b % int(ckpt_every) == 0:
            note = lg.sign_checkpoint(signer, default_state_path(keyfile))
            print(f"CKPT {note.split(chr(10))[1]}", flush=True)
        b += 1


if __name__ == "__main__":
    main()

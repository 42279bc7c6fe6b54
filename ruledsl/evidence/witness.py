"""Witnesses: parties (lenders, mediation bodies, notaries) that cosign the court's checkpoints.

A witness keeps, per log origin, the last checkpoint it cosigned.  It cosigns a
new checkpoint only if the log's signature verifies and the new tree is
consistent with that last one (RFC 9162 consistency proof); a smaller tree
(shrink) or a different root for the same or a later tree (fork) is refused,
and the witness's state does not move.  Cosignatures are C2SP
tlog-cosignature/v1 Ed25519 signatures (key algorithm 0x04) added to the note.

State lives in a small JSON file, replaced atomically (write, fsync, rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruledsl.core.errors import EvidenceError, MalformedError, RefusedError
from ruledsl.evidence.checkpoint import open_checkpoint
from ruledsl.evidence.hashing import hasher
from ruledsl.evidence.merkle import verify_consistency
from ruledsl.evidence.note import ALG_COSIGNATURE_V1, Signer, Verifier, b64decode, b64encode, sign_note


@dataclass
class Witness:
    signer: Signer
    logs: dict[str, Verifier]  # origin -> the log's verifier key
    state_path: Path
    hash_alg: dict[str, str] | None = None  # origin -> hash algorithm (default sha256)

    def __post_init__(self) -> None:
        if self.signer.alg != ALG_COSIGNATURE_V1:
            raise MalformedError.of(
                "a witness key must be a cosignature/v1 key", hint="create one with `ruledsl log keygen --witness`"
            )
        self.state_path = Path(self.state_path)

    def _load(self) -> dict[str, dict[str, object]]:
        if not self.state_path.exists():
            return {}
        try:
            return json.loads(self.state_path.read_text("utf-8"))
        except (OSError, ValueError):
            raise MalformedError.of(f"witness state {self.state_path} is unreadable") from None

    def _save(self, state: dict[str, dict[str, object]]) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state_path.parent, prefix=".witness-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f, sort_keys=True, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_path)

    def last(self, origin: str) -> tuple[int, bytes] | None:
        entry = self._load().get(origin)
        if entry is None:
            return None
        return int(entry["size"]), b64decode(str(entry["root"]), "witness state root")

    def cosign(self, signed_checkpoint: str, proof: Sequence[bytes] = (), timestamp: int | None = None) -> str:
        """Check and cosign; returns the note with this witness's cosignature added."""
        from ruledsl.evidence.checkpoint import Checkpoint
        from ruledsl.evidence.note import parse_note

        origin = Checkpoint.parse(parse_note(signed_checkpoint).text).origin
        log_key = self.logs.get(origin)
        if log_key is None:
            raise RefusedError.of(f"unknown origin {origin!r}", hint="this witness does not follow that log")
        sc = open_checkpoint(signed_checkpoint, log_key)
        cp = sc.checkpoint
        h = hasher((self.hash_alg or {}).get(origin, "sha256"))
        state = self._load()
        prev = state.get(origin)
        if prev is not None:
            size0, root0 = int(prev["size"]), b64decode(str(prev["root"]), "witness state root")
            if cp.size < size0:
                raise RefusedError.of(
                    f"checkpoint shrinks the tree from {size0} to {cp.size} leaves",
                    hint="a transparency log only grows; this checkpoint is refused",
                )
            try:
                verify_consistency(size0, cp.size, proof, root0, cp.root, h)
            except EvidenceError as exc:
                raise RefusedError.of(
                    f"checkpoint of size {cp.size} is not consistent with the last one cosigned (size {size0}):"
                    f" {exc.diagnostics[0].message}",
                    hint="the log may have forked; this checkpoint is refused",
                ) from None
        elif proof:
            raise MalformedError.of("no earlier checkpoint to prove consistency with; send no proof")
        out = sign_note(sc.note.text, [self.signer], [*sc.note.sigs, *sc.note.unverified], timestamp)
        state[origin] = {"size": cp.size, "root": b64encode(cp.root)}
        self._save(state)
        return out

"""The court's evidence log: records in, signed checkpoints and bundles out.

Ties together the store (ruledsl.store), the tree (merkle), records, notes and
checkpoints.  The court's signing key never enters the database: it is passed
in when a checkpoint is signed, with the signer's own record of the last
checkpoint it signed (ruledsl.evidence.signerstate), kept beside the key, so
that a log whose database lost its newest leaves (and their checkpoint rows)
is never signed again: the signer refuses a tree that does not extend its record.
``prove_extends`` checks the log against a checkpoint published earlier.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ruledsl.core.errors import EvidenceError, MalformedError, RefusedError, VerificationError
from ruledsl.evidence.bundle import build_bundle
from ruledsl.evidence.checkpoint import Checkpoint, SignedCheckpoint, open_checkpoint
from ruledsl.evidence.hashing import hasher
from ruledsl.evidence.merkle import verify_consistency
from ruledsl.evidence.note import ALG_ED25519, Signer, Verifier, sign_note
from ruledsl.evidence.record import Digest, EvidenceRecord
from ruledsl.evidence.signerstate import SignerState, checkpoint_text, require_extension
from ruledsl.store import LogInfo, LogStore


class EvidenceLog:
    def __init__(self, store: LogStore, info: LogInfo) -> None:
        self.store = store
        self.info = info
        self.hasher = hasher(info.hash_alg)
        self.verifier = Verifier.parse(info.verifier_key)

    @classmethod
    def create(cls, store: LogStore, verifier_key: str, hash_alg: str = "sha256") -> EvidenceLog:
        v = Verifier.parse(verifier_key)
        if v.alg != ALG_ED25519:
            raise MalformedError.of("the log key must be an Ed25519 note key (algorithm 1)")
        return cls(store, store.create_log(v.name, hasher(hash_alg).name, v.encode()))

    @classmethod
    def open(cls, store: LogStore, origin: str | None = None) -> EvidenceLog:
        info = store.get_log(origin)
        return cls(store, store.quick_check(info))

    @property
    def origin(self) -> str:
        return self.info.origin

    def head(self) -> tuple[int, bytes]:
        return self.store.head(self.info)

    def audit(self) -> tuple[int, int, bytes]:
        """Recompute every leaf, stored hash and tree head, and check every signed checkpoint is
        consistent with the head: ``(leaves recomputed, checkpoints checked, root)``; raises otherwise."""
        n = self.store.audit(self.info)
        checkpoints = self.store.checkpoints(self.info)
        size, root = self.head()
        for s, note in checkpoints:
            cp = open_checkpoint(note, self.verifier).checkpoint
            if cp.size != s:
                raise MalformedError.of(f"stored checkpoint {s} says size {cp.size}")
            verify_consistency(cp.size, size, self.store.consistency_proof(self.info, cp.size, size), cp.root, root,
                               self.hasher)
        return n, len(checkpoints), root

    def append(self, records: Sequence[EvidenceRecord | bytes]) -> tuple[int, int, bytes]:
        raw = [r.canonical() if isinstance(r, EvidenceRecord) else bytes(r) for r in records]
        return self.store.append(self.info, raw)

    def record_for_file(
        self, path: Path, kind: str, case: str, submitter: str, time: datetime | None = None,
        tst: bytes | None = None,
    ) -> EvidenceRecord:
        try:
            digest = self.hasher.file(path)
        except OSError as exc:
            raise MalformedError.of(f"cannot read evidence file {path}: {exc.strerror}") from None
        tst_digest = None if tst is None else Digest(self.hasher.name, self.hasher.digest(tst).hex())
        return EvidenceRecord.make(
            Digest(self.hasher.name, digest.hex()), kind, case, submitter, time or datetime.now(UTC), tst_digest
        )

    # ------------------------------------------------------------------ checkpoints

    def sign_checkpoint(self, signer: Signer, state: SignerState | str | os.PathLike,
                        since: Sequence[str] = ()) -> str:
        """Sign the current tree head — only if it extends every checkpoint signed before.

        ``state`` is the signer's own record of the last checkpoint it signed, kept outside the
        database (:mod:`ruledsl.evidence.signerstate`); the new tree must extend it, the latest
        checkpoint in the database, and each of ``since`` (checkpoints published before, e.g. to
        start a missing record from).  The new checkpoint is recorded in ``state`` before it is
        published in the database.  A tree that is smaller, or has another root at the same size,
        or has no valid consistency proof, is refused (:class:`RefusedError` naming both sizes).
        """
        if signer.verifier() != self.verifier:
            raise RefusedError.of(
                "this key is not the log's key", hint=f"the log is signed by {self.verifier.encode()}"
            )
        state = state if isinstance(state, SignerState) else SignerState(state)
        given = [open_checkpoint(checkpoint_text(raw, "--since checkpoint"), self.verifier) for raw in since]
        with state.locked():
            size, root = self.head()
            recorded = state.load(self.verifier)
            latest = self.latest_checkpoint()
            if recorded is None and not given and latest is not None:
                raise RefusedError.of(
                    f"no record of the last checkpoint signed with this key ({state.path} is missing),"
                    f" but the log has published checkpoints (the latest of size {latest[0]})",
                    hint="restore the state file from its backup, or start it from the last checkpoint the"
                         " court published (`ruledsl log checkpoint --since CHECKPOINT`)",
                )
            # (checkpoint signed before, where it was found, whether it is this signer's own note to reuse)
            before: list[tuple[SignedCheckpoint, str, bool]] = []
            if recorded is not None:
                before.append((recorded, f"recorded in {state.path}", True))
            before += [(sc, "given as published", False) for sc in given]
            if latest is not None:
                before.append((open_checkpoint(latest[1], self.verifier), "published in the log's database", True))
            for sc, where, _ in before:
                cp0 = sc.checkpoint
                proof = self.store.consistency_proof(self.info, cp0.size, size) if cp0.size < size else []
                require_extension(cp0, size, root, proof, self.hasher, where)
            same = [sc.raw for sc, _, own in before if own and sc.checkpoint.size == size]
            note = same[0] if same else sign_note(Checkpoint.make(self.origin, size, root).text(), [signer])
            if recorded is None or recorded.checkpoint.size != size:
                state.save(note, self.verifier)  # recorded first: the record is never behind what is published
            self.store.add_checkpoint(self.info, size, note)
        return note

    def prove_extends(self, checkpoint: str | bytes, name: str = "the checkpoint") -> Checkpoint:
        """Prove that the log as it is now extends ``checkpoint`` — a checkpoint published before (as the
        court signed it, or as witnesses cosigned it) or a signer's state file; raise
        :class:`VerificationError` when the log is smaller than it (truncated) or not consistent with it."""
        cp = open_checkpoint(checkpoint_text(checkpoint, name), self.verifier).checkpoint
        size, root = self.head()
        if cp.size > size:
            raise VerificationError.of(
                f"the log has {size} leaves, fewer than the {cp.size} of {name}, which was signed and published:"
                " the log was truncated",
                hint="leaves were deleted, or the database was restored from an old backup",
            )
        proof = self.store.consistency_proof(self.info, cp.size, size)
        try:
            verify_consistency(cp.size, size, proof, cp.root, root, self.hasher)
        except EvidenceError as exc:
            raise VerificationError.of(
                f"the log (size {size}) does not extend {name} (size {cp.size}): {exc.diagnostics[0].message}",
                hint="the log forked or was rewritten after that checkpoint was published",
            ) from None
        return cp

    def latest_checkpoint(self) -> tuple[int, str] | None:
        cps = self.store.checkpoints(self.info)
        return cps[-1] if cps else None

    def checkpoint_covering(self, index: int) -> tuple[int, str]:
        """The latest signed checkpoint, if it covers leaf ``index``."""
        latest = self.latest_checkpoint()
        if latest is None or latest[0] <= index:
            raise RefusedError.of(
                f"no signed checkpoint covers leaf {index} yet", hint="run `ruledsl log checkpoint` first"
            )
        return latest

    # ------------------------------------------------------------------ proofs and bundles

    def bundle(self, index: int, evidence: bytes | None = None, tst: bytes | None = None,
               checkpoint: str | None = None) -> bytes:
        """A bundle proving leaf ``index`` against the latest signed checkpoint — or against ``checkpoint``,
        the same checkpoint as cosigned by witnesses (it must verify with the log's key)."""
        size, note = self.checkpoint_covering(index)
        if checkpoint is not None:
            cp = open_checkpoint(checkpoint, self.verifier).checkpoint
            if cp.size <= index or cp.root != self.store.root_at(self.info, cp.size):
                raise RefusedError.of("the given checkpoint does not cover this leaf or is not this log's tree")
            size, note = cp.size, checkpoint
        _, record = self.store.leaf(self.info, index)
        proof = self.store.inclusion_proof(self.info, index, size)
        return build_bundle(record, self.hasher.name, index, size, proof, note, evidence, tst)

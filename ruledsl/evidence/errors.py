"""Errors of the evidence log: malformed notes, keys, proofs, bundles, refused checkpoints.

Every failure a user can provoke with bad input is an :class:`EvidenceError`
carrying a :class:`~ruledsl.lang.errors.Diagnostic` (message and, where one helps,
a hint) — the CLI prints it and exits 1; nothing here ends in a traceback.
"""

from __future__ import annotations

from ruledsl.lang.errors import Diagnostic, RulesError


class EvidenceError(RulesError):
    """Anything wrong with evidence-log input: a note, key, proof, checkpoint, bundle or record."""

    kind = "evidence error"

    @classmethod
    def of(cls, message: str, hint: str | None = None) -> EvidenceError:
        return cls(Diagnostic(message, None, hint))


class MalformedError(EvidenceError):
    """Input that does not parse: a note, key, checkpoint, proof or record in the wrong format."""

    kind = "malformed input"


class VerificationError(EvidenceError):
    """Input that parses but does not verify: bad signature, proof that does not lead to the root."""

    kind = "verification failed"


class RefusedError(EvidenceError):
    """A request the log or a witness refuses: a shrinking or forked tree, an unknown origin."""

    kind = "refused"


class StoreError(EvidenceError):
    """The log's storage is missing, inconsistent or cannot be reached."""

    kind = "storage error"

"""Evidence anchoring: a court-signed, append-only transparency log (RFC 9162, C2SP checkpoints and notes).

* :mod:`~ruledsl.evidence.merkle` — tree hashing, proof plans, RFC 9162 verification
* :mod:`~ruledsl.evidence.record` — the evidence record and its canonical bytes
* :mod:`~ruledsl.evidence.note` / :mod:`~ruledsl.evidence.checkpoint` — signed notes and checkpoints
* :mod:`~ruledsl.evidence.witness` — cosigning witnesses that refuse shrinking or forked trees
* :mod:`~ruledsl.evidence.bundle` — offline-verifiable bundles
* :mod:`~ruledsl.evidence.log` — the log itself, on :mod:`ruledsl.store`
"""

from ruledsl.evidence.errors import EvidenceError, MalformedError, RefusedError, StoreError, VerificationError

__all__ = ["EvidenceError", "MalformedError", "RefusedError", "StoreError", "VerificationError"]

"""Evidence: the cryptography and verification of anchored evidence (RFC 9162, C2SP notes and checkpoints).

* :mod:`~ruledsl.evidence.merkle` — tree hashing, proof plans, RFC 9162 verification
* :mod:`~ruledsl.evidence.record` — the evidence record and its canonical bytes
* :mod:`~ruledsl.evidence.note` / :mod:`~ruledsl.evidence.checkpoint` — signed notes and checkpoints
* :mod:`~ruledsl.evidence.witness` — cosigning witnesses that refuse shrinking or forked trees
* :mod:`~ruledsl.evidence.signerstate` — the log signer's own record of its last checkpoint: it never signs a
  shrunken or forked log
* :mod:`~ruledsl.evidence.bundle` — offline-verifiable bundles (read within fixed bounds: no zip bombs)
* :mod:`~ruledsl.evidence.pki` — trust stores, and the LOCAL TEST CA / TEST TSA (TEST — NOT FOR PRODUCTION)
* :mod:`~ruledsl.evidence.tsa` — RFC 3161 timestamps: issue (test TSA) and verify
* :mod:`~ruledsl.evidence.signing` / :mod:`~ruledsl.evidence.signatures` — sign / verify PDFs and detached CMS
* :mod:`~ruledsl.evidence.verify` — the complete offline check of one piece of evidence (report findings)
* :mod:`~ruledsl.evidence.facts` — ``evidence_items``: declared evidence files → items for the ``evidence:`` rules

The log that stores leaves is :mod:`ruledsl.store.log`.  Imports: core only.
"""

from ruledsl.core.errors import EvidenceError, MalformedError, RefusedError, StoreError, VerificationError

__all__ = ["EvidenceError", "MalformedError", "RefusedError", "StoreError", "VerificationError"]

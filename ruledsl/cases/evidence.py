"""A case's declared evidence files → the ``evidence`` items its ruleset's ``evidence:`` rules judge.

A case file may declare the files it relies on beside its inputs (see
:mod:`ruledsl.evidence.facts` for the keys)::

    {"principal": "15000.00", "evidence_files": [{"kind": "loan_contract", "file": "contract.pdf",
                                                  "bundle": "contract.pdf.bundle.zip", "signed_at": "…"}]}

Each file is verified offline against the court's public key (its bundle's inclusion
proof and signed checkpoint, the file's digest, its signature and timestamp against the
trust store) and becomes an item with ``integrity``, ``anchored_at``, ``signed`` … so the
rules judge what was *verified*, not what a party asserts: items the case file lists
itself under ``evidence`` stay *declared* and never meet a requirement.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ruledsl.core.errors import Diagnostic, EvidenceError, InputError

#: keys a case file may carry that are about the case, not inputs of the ruleset
META_KEYS = ("case", "case_id", "title", "ruleset")
DECLARATIONS = "evidence_files"


def court_key_from_env() -> str | None:
    return os.environ.get("RULEDSL_COURT_KEY") or None


def attach_evidence(data: dict[str, Any], base_dir: Path, court_key: str | os.PathLike | None,
                    trust: list[str] | None = None,
                    inputs: frozenset[str] = frozenset()) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Drop case metadata and verify the declared evidence files: ``(inputs, verified items)``.

    The verified items go to :meth:`ruledsl.ruleset.Ruleset.evaluate` (``verified=…``), apart from
    the data: an ``evidence`` list the case file types in itself stays *declared*.
    """
    data = {k: v for k, v in data.items() if k not in META_KEYS or k in inputs}
    declarations = data.pop(DECLARATIONS, None)
    if declarations is None:
        return data, []
    if not isinstance(declarations, list):
        raise InputError(Diagnostic(f"`{DECLARATIONS}` is a list of {{kind, file, bundle, …}} records"))
    key = court_key or court_key_from_env()
    if key is None:
        raise InputError(Diagnostic(
            f"the case declares {len(declarations)} evidence files, but no court key was given to verify them",
            hint="pass --court-key court.pub (or set RULEDSL_COURT_KEY)"))
    # the verification stack (cryptography, X.509, CMS) loads only for a case that declares files
    from ruledsl.evidence.facts import evidence_items

    try:
        items = evidence_items(declarations, base_dir, key, trust=trust or None)
    except EvidenceError as exc:
        raise InputError(exc.diagnostics) from None
    return data, items

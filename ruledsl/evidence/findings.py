"""Findings: one checked fact about a piece of evidence, in plain words.

Every verifier here (document signatures, timestamps, bundles) reports what it
checked as a list of :class:`Finding` — ``ok`` (checked and good), ``warning``
(could not be checked, or good with a caveat a judge should know) or
``failed`` (checked and bad).  Reports and the command line print them as they
are; nothing downstream has to interpret library status objects.
"""

from __future__ import annotations

from dataclasses import dataclass

OK = "ok"
WARNING = "warning"
FAILED = "failed"
_RANK = {OK: 0, WARNING: 1, FAILED: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    status: str  # ok | warning | failed
    text: str  # one sentence, plain English

    def as_dict(self) -> dict[str, str]:
        return {"status": self.status, "text": self.text}


def ok(text: str) -> Finding:
    return Finding(OK, text)


def warning(text: str) -> Finding:
    return Finding(WARNING, text)


def failed(text: str) -> Finding:
    return Finding(FAILED, text)


def worst(findings: list[Finding] | tuple[Finding, ...]) -> str:
    """The most serious status among ``findings`` (``ok`` when there are none)."""
    return max((f.status for f in findings), key=_RANK.__getitem__, default=OK)

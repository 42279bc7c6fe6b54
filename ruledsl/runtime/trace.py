"""The one trace format: every value a ruleset produces, with its rule, inputs and law."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ruledsl.core.errors import Span


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One produced value: which rule, where it is written, what it read, what it cites."""

    rule: str
    kind: str  # input | compute | award | cap | route | evidence
    value: object
    span: Span | None
    inputs: dict[str, object] = field(default_factory=dict)
    citations: tuple[str, ...] = ()
    label: str | None = None
    note: str = ""
    #: a cap's limit (a claim limit's: the amount claimed), for the pages that say what the cap removed
    limit: Decimal | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "label": self.label,
            "value": self.value,
            "inputs": self.inputs,
            "citations": list(self.citations),
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "col": self.span.col if self.span else None,
            "note": self.note,
        }

"""The batch pre-check: every row of a filing table through the published ruleset.

A row is *ready* when its inputs fit the ruleset and its evidence meets every required
rule; *incomplete* when it would be decided but evidence is missing (the court would ask
for it: 补正证据); *refused* when it cannot be decided at all (a bad value, a rule that
fails on it).  Each refused row says why, with its row number; the other rows go on.
Decided rows are computed with the compiled rules in one batch (:meth:`Ruleset.call_batch`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruledsl.cases.inputs import parse_case
from ruledsl.core.errors import RulesError
from ruledsl.core.money import Money, yuan
from ruledsl.precheck.table import Table
from ruledsl.ruleset import Ruleset

READY, INCOMPLETE, REFUSED = "ready", "incomplete", "refused"
STATUS_ZH = {READY: "可立案 ready", INCOMPLETE: "证据不齐 incomplete", REFUSED: "不予受理 refused"}


@dataclass
class RowResult:
    number: int
    status: str
    award: dict[str, Money] = field(default_factory=dict)
    route: str | None = None
    problems: list[str] = field(default_factory=list)   # why refused, or which evidence is missing


@dataclass
class Precheck:
    ruleset: str
    version: str
    lines: list[str]              # the ruleset's award lines, in its order
    results: list[RowResult]
    ignored_columns: list[str]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def rows(self) -> list[dict[str, Any]]:
        """One flat record per row, for a sheet: row, status, each award line, route, problems."""
        return [{"row": r.number, "status": STATUS_ZH[r.status],
                 **{name: yuan(r.award[name]) if name in r.award else "" for name in self.lines},
                 "route": r.route or "", "problems": "\n".join(r.problems)}
                for r in self.results]


def precheck(ruleset: Ruleset, table: Table) -> Precheck:
    """Check every row of ``table`` against ``ruleset``; no row stops the others."""
    results: dict[int, RowResult] = {}
    typed: list[tuple[int, dict[str, Any], list[str], bool]] = []
    for row in table.rows:
        if row.problems:
            results[row.number] = RowResult(row.number, REFUSED, problems=list(row.problems))
            continue
        try:
            values = parse_case(ruleset.checked, row.inputs, f"row {row.number}")
            findings = ruleset.judge_evidence(values)
        except RulesError as exc:
            results[row.number] = RowResult(row.number, REFUSED, problems=_messages(exc, f"row {row.number}: "))
            continue
        missing = [f"{r.kind}: {r.explanation}" for r in findings if r.severity == "error" and not r.satisfied]
        typed.append((row.number, values, missing, not missing))
    checked = ruleset.checked
    for complete in (True, False):  # the compiled rules take evidence completeness per batch
        batch = [t for t in typed if t[3] is complete]
        failures: dict[int, RulesError] = {}
        rows = ruleset.call_batch([t[1] for t in batch], complete, failures)
        for k, (number, _, missing, _) in enumerate(batch):
            if k in failures:
                results[number] = RowResult(number, REFUSED, problems=_messages(failures[k]))
                continue
            values, route = rows[k]
            try:
                award = ruleset.award_of(values)
            except RulesError as exc:
                results[number] = RowResult(number, REFUSED, problems=_messages(exc))
                continue
            stage = checked.routes[route].stage if route is not None else None
            results[number] = RowResult(number, READY if complete else INCOMPLETE, award, stage, missing)
    return Precheck(checked.name, checked.version, list(checked.awards), [results[n] for n in sorted(results)],
                    table.ignored)


def write_results(result: Precheck, path: Path) -> Path:
    """The results as a sheet (.xlsx) or CSV, one line per row of the filing table."""
    import pandas as pd

    frame = pd.DataFrame(result.rows())
    try:
        if path.suffix.lower() == ".csv":
            frame.to_csv(path, index=False, encoding="utf-8-sig")
        else:
            frame.to_excel(path, index=False, sheet_name="预审结果 precheck")
    except OSError as exc:
        raise RulesError.at(f"cannot write {path}: {exc.strerror}") from None
    return path


def _messages(exc: RulesError, origin: str = "") -> list[str]:
    """Each diagnostic's message (without the row prefix the result already carries), with its rule line."""
    return [d.message.removeprefix(origin) + (f" ({d.span.file}:{d.span.line})" if d.span and d.span.source else "")
            for d in exc.diagnostics]

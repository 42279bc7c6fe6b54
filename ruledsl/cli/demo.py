"""A terminal walk through the shipped example cases (``python -m ruledsl.cli.demo``).

``make demo`` starts the judge assistant (assistant_ui/) on the same cases; this prints
what it shows: every case in ``examples/cases/`` decided and explained with the law
behind each figure, then the evidence demo (``examples/evidence/``), four consumer-loan
cases whose declared evidence files are verified against the demo court log (SQLite)
and judged by its evidence rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ruledsl.cases.files import read_case_file
from ruledsl.cli.console import out, report
from ruledsl.cli.rules import print_explanation
from ruledsl.core.errors import RulesError
from ruledsl.review import DEMO_EVIDENCE, decide_case, example_cases


def main(argv: list[str] | None = None) -> int:
    ok = True
    try:
        cases = [read_case_file(p) for p in sorted(Path(argv[0]).glob("*.json"))] if argv else example_cases()
    except RulesError as exc:
        report(exc)
        return 1
    for case in cases:
        try:
            ruleset, decision = decide_case(case, DEMO_EVIDENCE)
        except RulesError as exc:
            report(exc)
            ok = False
            continue
        out.rule(case.title)
        print_explanation(ruleset, decision, title=f"{case.path.name} — {decision.ruleset} {decision.version}")
    return 0 if ok else 1


def demo_cmd() -> None:
    """Print the shipped example cases decided and explained (what the judge assistant shows)."""
    raise typer.Exit(main())


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

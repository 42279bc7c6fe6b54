"""A terminal walk through the shipped example cases (``python -m ruledsl.demo``).

``make demo`` starts the judge assistant (assistant_ui/) on the same cases; this prints
what it shows: every case in ``examples/cases/`` decided and explained with the law
behind each figure, then the evidence demo (``examples/evidence/``), four consumer-loan
cases whose declared evidence files are verified against the demo court log (SQLite)
and judged by its evidence rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .cases.review import DEMO_EVIDENCE, decide_case, example_cases, read_case_file
from .lang.commands import out, print_explanation, report
from .lang.errors import RulesError


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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`make demo` until the judge assistant lands: decide and explain the shipped example cases.

Each file in ``examples/cases/`` names its ruleset and holds the case inputs::

    {"title": "…", "ruleset": "rulesets/cn/court_fees.rules", "case": {"claim_amount": "48650.32"}}
"""

from __future__ import annotations

import sys
from pathlib import Path

from .cases.inputs import load_case_json
from .lang.commands import out, print_explanation, report
from .lang.errors import RulesError
from .lang.loader import load

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    folder = Path(argv[0]) if argv else ROOT / "examples" / "cases"
    files = sorted(folder.glob("*.json"))
    if not files:
        out.print(f"no example cases in {folder}")
        return 1
    failures = 0
    for path in files:
        try:
            spec = load_case_json(path.read_text(encoding="utf-8-sig"), str(path))
            ruleset = load(ROOT / spec["ruleset"])
            decision = ruleset.evaluate(spec.get("case", {}), str(path))
        except (RulesError, KeyError) as exc:
            report(exc) if isinstance(exc, RulesError) else out.print(f"{path}: missing key {exc}")
            failures += 1
            continue
        out.rule(spec.get("title", path.stem))
        print_explanation(ruleset, decision, title=f"{path.name} — {decision.ruleset} {decision.version}")
        total = sum((m.amount for m in decision.award.values()), start=0)
        out.print(f"[bold]total of award lines: {total:,.2f} 元[/]\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`make demo` until the judge assistant lands: decide and explain the shipped example cases.

Each file in ``examples/cases/`` names its ruleset and holds the case inputs::

    {"title": "…", "ruleset": "rulesets/cn/court_fees.rules", "case": {"claim_amount": "48650.32"}}

Then the evidence demo (``examples/evidence/``): four consumer-loan cases whose declared
evidence files are verified against the demo court log and judged by its evidence rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .cases.evidence import attach_evidence
from .cases.inputs import load_case_json
from .lang.commands import out, print_explanation, report
from .lang.errors import RulesError
from .lang.loader import load

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "examples" / "evidence"


def show(title: str, ruleset_path: Path, data: dict, origin: str, base: Path) -> bool:
    try:
        ruleset = load(ruleset_path)
        data = attach_evidence(data, base, EVIDENCE / "court.pub", [str(EVIDENCE / "trust" / "root-ca.pem")],
                               frozenset(ruleset.checked.input_types))
        decision = ruleset.evaluate(data, origin)
    except RulesError as exc:
        report(exc)
        return False
    out.rule(title)
    print_explanation(ruleset, decision, title=f"{Path(origin).name} — {decision.ruleset} {decision.version}")
    return True


def main(argv: list[str] | None = None) -> int:
    folder = Path(argv[0]) if argv else ROOT / "examples" / "cases"
    ok = True
    for path in sorted(folder.glob("*.json")):
        try:
            spec = load_case_json(path.read_text(encoding="utf-8-sig"), str(path))
        except RulesError as exc:
            report(exc)
            ok = False
            continue
        ok &= show(spec.get("title", path.stem), ROOT / spec["ruleset"], spec.get("case", {}), str(path),
                   path.parent)
    if not argv:
        for path in sorted(EVIDENCE.glob("cases/*/evidence.json")):
            data = load_case_json(path.read_text(encoding="utf-8-sig"), str(path))
            ok &= show(f"证据核验 evidence check — {path.parent.name}", EVIDENCE / "demo.rules", data, str(path),
                       path.parent)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Benchmark of a long loan through the CLI (not a test): time, output size and peak memory.

    .venv/bin/python benchmarks/bench_long_loan.py [--instalments 360] [--write DIR]

A 30-year monthly consumer loan (issue 11 item 5): 500,000.00 at 6%, equal instalments
(:func:`ruledsl.calc.schedules.equal_instalment`, 360 of them), decided under
``rulesets/cn/consumer_loan.rules``, in two variants:

* ``overdue_100``: five repayments (the first three instalments in full, then two partial
  payments), filed 15 days after the 100th instalment fell due — about 100 instalments overdue;
* ``all_due``: the same repayments, filed 15 days after the last instalment fell due — all
  360 overdue.

For each variant it runs, each in a fresh process (so the peak RSS is the run's own):

* ``ruledsl eval RULES --case CASE --json``: wall time of the whole process (interpreter start,
  imports and loading the ruleset included), bytes written, peak RSS;
* in a child Python, after loading the ruleset: ``Ruleset.evaluate(case)`` with the trace, then
  ``json.dumps(decision.as_json())`` as the CLI writes it — the time of those alone, the size;
* likewise ``Ruleset.evaluate(case, trace=False)``, the untraced figures.

Every run's award lines are compared with the CLI's.  A first row runs the CLI on a 4-instalment case: the
fixed cost of a CLI process (interpreter start, imports, loading the ruleset), for comparison.

``--write DIR`` writes the case files (``long_loan_overdue_100.json``, ``long_loan_all_due.json``)
to DIR and exits.  :func:`case_inputs` is what ``tests/calc/test_long_loan.py`` decides too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ruledsl.calc.schedules import add_months, equal_instalment  # noqa: E402

RULES = ROOT / "rulesets" / "cn" / "consumer_loan.rules"
PRINCIPAL = Decimal("500000.00")
RATE = Decimal("0.06")
DISBURSED = date(2020, 1, 15)


def case_inputs(instalments: int = 360, overdue: int | None = 100) -> dict[str, object]:
    """The case as ``consumer_loan.rules`` inputs (JSON values); filed 15 days after instalment
    ``overdue`` fell due (``None``: after the last)."""
    schedule = equal_instalment(PRINCIPAL, RATE, add_months(DISBURSED, 1), instalments)
    last = schedule[min(overdue or instalments, instalments) - 1].due_on
    payment = schedule[0].principal + schedule[0].interest
    repayments = [{"paid_on": schedule[k].due_on.isoformat(), "amount": str(payment)} for k in range(3)]
    repayments += [{"paid_on": add_months(schedule[3].due_on, 5).isoformat(), "amount": "1000.00"},
                   {"paid_on": add_months(schedule[3].due_on, 40).isoformat(), "amount": "25000.00"}]
    filed_on = date.fromordinal(last.toordinal() + 15)
    return {
        "principal": str(PRINCIPAL),
        "contract_rate": "6%",
        "disbursed_on": DISBURSED.isoformat(),
        "instalments": [{"due_on": i.due_on.isoformat(), "principal": str(i.principal), "interest": str(i.interest)}
                        for i in schedule],
        "repayments": [r for r in repayments if r["paid_on"] <= filed_on.isoformat()],
        "filed_on": filed_on.isoformat(),
    }


VARIANTS = {"overdue_100": 100, "all_due": None}

_CHILD = """
import json, sys, time
from ruledsl.ruleset import load
rs = load(sys.argv[1])
data = json.loads(open(sys.argv[2], encoding="utf-8").read())
traced = sys.argv[3] == "traced"
t = time.perf_counter()
decision = rs.evaluate(data, trace=traced)
size = len(json.dumps(decision.as_json(), ensure_ascii=False, indent=2)) if traced else 0
print(time.perf_counter() - t, size)
print(json.dumps({k: str(v) for k, v in decision.award.items()}))
"""


def _peak_rss(argv: list[str]) -> tuple[float, bytes, int]:
    """Run ``argv``: its wall time, stdout and peak RSS in bytes (``wait4``: the child's own)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as sink, tempfile.TemporaryFile() as errs:
        proc = subprocess.Popen(argv, stdout=sink, stderr=errs)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - t
        sink.seek(0)
        out = sink.read()
        if proc.returncode:
            errs.seek(0)
            sys.exit(f"{' '.join(map(str, argv))} failed:\n{errs.read().decode()}")
    return elapsed, out, usage.ru_maxrss * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instalments", type=int, default=360, help="at least 4 (the repayments need them)")
    ap.add_argument("--write", type=Path, help="write the case files to this directory and exit")
    args = ap.parse_args()
    if args.instalments < 4:
        ap.error("--instalments: at least 4")
    small = 4
    with tempfile.TemporaryDirectory() as tmp:
        where = args.write or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        files = {}
        for name, overdue in VARIANTS.items():
            files[name] = where / f"long_loan_{name}.json"
            files[name].write_text(json.dumps(case_inputs(args.instalments, overdue), indent=1), encoding="utf-8")
        if args.write:
            print("\n".join(map(str, files.values())))
            return
        cli = str(Path(sys.executable).with_name("ruledsl"))
        print(f"{args.instalments} instalments, {RULES.relative_to(ROOT)}")
        print(f"{'variant':<12} {'run':<28} {'time s':>7} {'output MB':>10} {'peak RSS MB':>12}  award total")
        baseline = where / "long_loan_baseline.json"  # the CLI's fixed cost: start, imports, loading the ruleset
        baseline.write_text(json.dumps(case_inputs(small, None)), encoding="utf-8")
        wall, out, rss = _peak_rss([cli, "eval", str(RULES), "--case", str(baseline), "--json"])
        print(f"{f'{small} inst.':<12} {'CLI eval --json (process)':<28} {wall:>7.2f} {len(out) / 1e6:>10.2f} "
              f"{rss / 1e6:>12.1f}  {json.loads(out)['award']['total']}  (the fixed cost of a CLI run)")
        for name, path in files.items():
            wall, out, rss = _peak_rss([cli, "eval", str(RULES), "--case", str(path), "--json"])
            cli_out = json.loads(out)
            rows = len(cli_out["values"]["loan"]["calculation"]["segments"])
            print(f"{name:<12} {'CLI eval --json (process)':<28} {wall:>7.2f} {len(out) / 1e6:>10.2f} "
                  f"{rss / 1e6:>12.1f}  {cli_out['award']['total']}  ({rows} segment rows)")
            for mode in ("traced", "untraced"):
                _, out, rss = _peak_rss([sys.executable, "-c", _CHILD, str(RULES), str(path), mode])
                timing, figures = out.decode().splitlines()[:2]
                seconds, size = timing.split()
                award = json.loads(figures)
                same = "same figures" if award == cli_out["award"] else f"DIFFERENT: {award}"
                what = "evaluate + as_json + dumps" if mode == "traced" else "evaluate(trace=False)"
                mb = f"{int(size) / 1e6:>10.2f}" if mode == "traced" else f"{'':>10}"
                print(f"{name:<12} {what:<28} {float(seconds):>7.2f} {mb} {rss / 1e6:>12.1f}  "
                      f"{award['total']}  ({same})")

if __name__ == "__main__":
    main()

"""This tree against an earlier revision, in instructions (not a test): did a change cost speed?

    .venv/bin/python benchmarks/bench_revisions.py [REV] [--cases 2000] [--seeds 3] [--tasks compile,fees,loan]

Wall-clock figures on a shared VM vary by ±30 % from run to run, far more than the changes a
refactoring makes; instructions counted by valgrind (``callgrind``) vary by well under 1 %.
This script checks out ``REV`` (default ``d95534a``, the tree before issue 9's consolidation)
in a temporary git worktree and runs, for both trees, under callgrind and on the same data:

* **compile** — parse → check → compile of every ruleset of ``REV``'s ``rulesets/cn`` (cold:
  no compile cache, no parse cache), per pass over them;
* **court fees** — ``court_fees.rules`` of ``REV`` by ``Ruleset.call_batch`` on the cases
  ``benchmarks/bench_lang.py`` of ``REV`` generates, per case;
* **consumer loan** — ``consumer_loan.rules`` of ``REV`` by ``Ruleset.call_batch`` on the cases
  ``benchmarks/bench_calc.py`` of ``REV`` generates (typed by ``parse_case``), per case.

Both trees run the *same* ruleset texts (``REV``'s), so the figures compare the code, not what
the rulesets have since learnt to do.  Each figure is the difference between a run with the
work and one without it (same start-up, same data prepared), divided by the count, as the median
over a few hash seeds (``PYTHONHASHSEED``: the order of sets and dicts moves some costs by up to 20 %).  Every
run's results are summed to whole fen and the two trees must agree.  Both trees are byte-compiled
before the first run (a module edited since its last import would otherwise be compiled inside the
first, "with the work", run only: some ten million instructions, thousands per case).  Needs ``valgrind``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in REV's tree, once: the cases, from REV's own benchmark generators, pickled for both trees.
DATA = r'''
import importlib.util, pickle, sys
from pathlib import Path
old, n, out = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, str(old))

def bench(name):
    spec = importlib.util.spec_from_file_location(name, old / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

bc = bench("bench_calc")
raws, _ = bc.ruleset_cases(bc.generate(n, 1))
with open(out, "wb") as f:
    pickle.dump({"fees": bench("bench_lang").generate(n, 7), "loan": raws}, f)
'''

# Run inside each tree (its own ``ruledsl`` first on the path); argv: tree, REV's tree, data, task, count.
HARNESS = r'''
import gc, pickle, sys
from pathlib import Path
tree, old, data, task, n = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
sys.path.insert(0, tree)
try:
    from ruledsl.ruleset import load_text
except ImportError:                       # the layout before issue 9
    from ruledsl.lang.loader import load_text
from ruledsl.cases.inputs import parse_case
from ruledsl.lang import compiler

rules = old / "rulesets" / "cn"
def ruleset(name):
    path = rules / name
    return load_text(path.read_text(encoding="utf-8"), str(path), rules)

def fen(rows):  # a check that both trees decided alike; over a few rows, so its cost stays out of the figure
    return sum(int(v * 100) for row, _ in rows[:20] for v in row if hasattr(v, "as_tuple"))

total = 0
if task.startswith("compile"):
    texts = [(p, p.read_text(encoding="utf-8")) for p in sorted(rules.glob("*.rules"))]
    ruleset("court_fees.rules")                               # warm: imports, parser tables
    for _ in range(n if task == "compile" else 0):
        for path, text in texts:
            compiler._CACHE.clear()
            total += len(load_text(text, str(path), rules).columns)
else:
    kind = task.split("-")[0]
    rs = ruleset("court_fees.rules" if kind == "fees" else "consumer_loan.rules")
    with open(data, "rb") as f:
        cases = pickle.load(f)[kind][:n]
    if kind == "loan":
        cases = [parse_case(rs.checked, raw) for raw in cases]
    rs.call_batch(cases[:1])
    gc.collect(); gc.freeze()
    total = fen(rs.call_batch(cases if task == kind else []))
print("TOTAL", total)
'''

TASKS = [("compile", "compile, per pass over the rulesets", 2),
         ("fees", "court_fees call_batch, per case", None),
         ("loan", "consumer_loan call_batch, per case", None)]


ENV = {"PATH": "/usr/bin:/bin", "RULEDSL_NO_CACHE": "1"}


def instructions(tree: Path, old: Path, data: Path, task: str, n: int, seed: int) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                              "-c", HARNESS, str(tree), str(old), str(data), task, str(n)],
                             capture_output=True, text=True, env={**ENV, "PYTHONHASHSEED": str(seed)})
    if run.returncode != 0:
        raise SystemExit(f"{tree} {task}: {run.stderr[-2000:]}")
    refs = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    total = re.search(r"TOTAL (\d+)", run.stdout)
    assert refs and total, run.stderr[-2000:]
    return int(refs.group(1).replace(",", "")), total.group(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rev", nargs="?", default="d95534a")
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seeds", type=int, default=3,
                    help="hash seeds (PYTHONHASHSEED) to run each figure with; the median is shown")
    ap.add_argument("--tasks", default=",".join(t for t, _, _ in TASKS),
                    help="which figures to measure, comma-separated (each takes minutes per seed under callgrind)")
    args = ap.parse_args()
    chosen = args.tasks.split(",")
    unknown = set(chosen) - {t for t, _, _ in TASKS}
    if unknown:
        raise SystemExit(f"unknown task {', '.join(sorted(unknown))}: the tasks are {', '.join(t for t, _, _ in TASKS)}")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old), args.rev], check=True)
        try:
            data = Path(tmp) / "cases.pickle"
            subprocess.run([sys.executable, "-c", DATA, str(old), str(args.cases), str(data)], check=True, env=ENV)
            for tree in (ROOT, old):  # byte-compiled first: else the first run alone compiles what was edited
                subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "ruledsl")], check=True,
                               env=ENV, stdout=subprocess.DEVNULL)
            print(f"this tree against {args.rev}, both on {args.rev}'s rulesets; instructions (callgrind)")
            print(f"{'':40} {'this tree':>14} {args.rev:>14}   ratio")
            for task, label, count in TASKS:
                if task not in chosen:
                    continue
                n = count or args.cases
                figures = []
                for tree in (ROOT, old):
                    per_seed, totals = [], set()
                    for seed in range(args.seeds):
                        work, total = instructions(tree, old, data, task, n, seed)
                        base, _ = instructions(tree, old, data, task + "-none", n, seed)
                        per_seed.append((work - base) / n)
                        totals.add(total)
                    assert len(totals) == 1, f"{tree} {task}: results differ between hash seeds"
                    figures.append((statistics.median(per_seed), totals.pop()))
                (new, new_total), (was, was_total) = figures
                same = "" if new_total == was_total else f"   RESULTS DIFFER: {new_total} vs {was_total}"
                ratio = f"{new / was:5.3f}" if new > 0 and was > 0 else "  n/a"
                # the work cannot cost less than nothing: a run without it that counted more is a measuring fault
                unsound = "" if new > 0 and was > 0 else "   UNSOUND: a run without the work counted more; rerun"
                print(f"{label:40} {new:14,.0f} {was:14,.0f}   {ratio}{same}{unsound}")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)


if __name__ == "__main__":
    main()

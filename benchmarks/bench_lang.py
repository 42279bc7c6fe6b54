"""Language benchmark: compile time of every shipped ruleset, and compiled code vs the tree-walking
interpreter on the same generated court-fee cases, in one process.

    .venv/bin/python benchmarks/bench_lang.py [--cases 100000] [--seed 7]

Targets (issue "Foundation"): compiled ≥ 10× the interpreter; compile < 50 ms per ruleset.
Both paths get the same already-typed inputs, so only rule evaluation is measured; their
outputs are compared on every case.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ruledsl.core.text import read_text  # noqa: E402
from ruledsl.lang import compiler  # noqa: E402
from ruledsl.lang.interpreter import Interpreter  # noqa: E402
from ruledsl.ruleset import load, load_text  # noqa: E402


def compile_times(repeat: int = 5) -> list[tuple[str, float, float]]:
    rows = []
    for path in sorted((ROOT / "rulesets" / "cn").glob("*.rules")):
        samples = []
        for _ in range(repeat):
            compiler._CACHE.clear()  # measure a cold compile, not a cache hit
            text = read_text(path)
            start = time.perf_counter()
            load_text(text, str(path), path.parent)  # a fresh parse too, not one from the file cache
            samples.append(time.perf_counter() - start)
        rows.append((path.name, statistics.median(samples) * 1000, min(samples) * 1000))
    return rows


def generate(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        claim = Decimal(rng.randint(0, 3_000_000_000)).scaleb(-2)  # 0 – 30,000,000.00
        case = {"claim_amount": claim, "procedure": rng.choice(["ordinary", "simple"]),
                "preservation_amount": None, "execution_amount": None, "evidence": []}
        if rng.random() < 0.3:
            case["preservation_amount"] = Decimal(rng.randint(0, 300_000_000)).scaleb(-2)
        if rng.random() < 0.2:
            case["execution_amount"] = Decimal(rng.randint(0, 3_000_000_000)).scaleb(-2)
        cases.append(case)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    print("compile time (parse → check → compile, cold cache), median of 5:")
    for name, median, best in compile_times():
        flag = "ok" if median < 50 else "OVER 50 ms"
        print(f"  {name:<28} {median:7.2f} ms  (best {best:.2f} ms)  {flag}")

    ruleset = load(ROOT / "rulesets" / "cn" / "court_fees.rules")
    cases = generate(args.cases, args.seed)
    interp = Interpreter(ruleset.checked)

    n = len(cases)
    print(f"\ncourt_fees.rules on {n:,} generated cases (same inputs, outputs compared on every case):")

    def timed(fn, repeat: int = 3):
        """Best of ``repeat`` runs, with the cyclic GC paused while timing (both paths alike)."""
        best = float("inf")
        for _ in range(repeat):
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                result = fn()
                best = min(best, time.perf_counter() - start)
            finally:
                gc.enable()
        return result, best

    compiled_one, c1 = timed(lambda: [ruleset.call(case) for case in cases])
    interp_one, i1 = timed(lambda: [interp.run(case) for case in cases])
    compiled_batch, cb = timed(lambda: ruleset.call_batch(cases))
    interp_batch, ib = timed(lambda: interp.run_batch(cases))

    print("  one call per case (each call switches the decimal context):")
    print(f"    compiled     {n / c1:12,.0f} cases/s")
    print(f"    interpreter  {n / i1:12,.0f} cases/s     ratio {i1 / c1:.1f}×")
    print("  batch (one decimal context for the whole batch, as the pre-check runs):")
    print(f"    compiled     {n / cb:12,.0f} cases/s")
    print(f"    interpreter  {n / ib:12,.0f} cases/s     ratio {ib / cb:.1f}×  (target ≥ 10×)  "
          f"{'ok' if ib / cb >= 10 else 'BELOW TARGET'}")
    # one call gives (values by name, route); a batch gives (row in ruleset.columns order, route)
    columns = ruleset.columns
    mismatches = sum(1 for one, other, row, irow in zip(compiled_one, interp_one, compiled_batch, interp_batch,
                                                          strict=True)
                     if one != other or row != irow or (dict(zip(columns, row[0], strict=True)), row[1]) != one)
    print(f"  disagreements: {mismatches}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()

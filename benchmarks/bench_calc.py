"""Benchmark of the loan calculation engine (not a test; prints throughput and ratios).

    python benchmarks/bench_calc.py [--n 100000] [--seed 1] [--no-zen]

On ``n`` generated consumer-loan cases (single maturity, one or two repayments, fixed
rates, penalty and compound interest) it measures, in one process on the same data:

* the exact per-case engine (:func:`ruledsl.calc.compute`, with its full trace);
* the vectorized integer-fen path (:func:`ruledsl.calc.vectorized.compute_batch`),
  checked to agree with the engine to the fen on every case;
* a plain Python ``Decimal`` loop of the same ledger formula (no trace), as a peer;
* optionally the ``zen-engine`` expression evaluator (bench-only extra) on the simple
  term-interest formula ``principal × rate × days / basis`` — a much smaller formula,
  shown for scale only.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ruledsl.calc import LoanCase, Repayment, compute, schedules  # noqa: E402
from ruledsl.calc.vectorized import compute_batch, frame_from_cases  # noqa: E402

LINES = ("principal_outstanding", "interest", "penalty_interest", "compound_interest", "total")
FEN = Decimal("0.01")


def generate(n: int, seed: int) -> list[LoanCase]:
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1800))
        due = start + timedelta(days=rng.choice((30, 90, 180, 365)))
        end = due + timedelta(days=rng.randint(0, 540))
        principal = Decimal(rng.randint(50_000, 20_000_000)) / 100
        pays = sorted((Repayment(start + timedelta(days=rng.randint(0, (end - start).days)),
                                 Decimal(rng.randint(100, int(principal * 60))) / 100)
                       for _ in range(rng.randint(1, 2))), key=lambda r: r.paid_on)
        rate = Decimal(2 * rng.randint(150, 1200)) / 10000  # even bp, so 1.5 × rate stays in bp
        cases.append(LoanCase(
            principal=principal, disbursed_on=start, contract_rate=rate, penalty_rate=rate * Decimal("1.5"),
            calc_until=end, instalments=schedules.bullet(principal, due), repayments=tuple(pays),
        ))
    return cases


def decimal_loop(case: LoanCase) -> tuple[Decimal, ...]:
    """The same ledger in a plain Decimal loop: segments between events, no trace, high precision."""
    with localcontext() as ctx:
        ctx.prec = 50
        basis = case.day_count.basis
        due = case.instalments[0].due_on
        rc = case.contract_rate
        rp = case.penalty_rate if case.penalty_rate is not None else rc
        rk = case.compound_rate if case.compound_rate is not None else rp
        p, pool, i, pen, comp = case.principal, Decimal(0), Decimal(0), Decimal(0), Decimal(0)
        t, is_due = case.disbursed_on, False
        events = sorted({due, case.calc_until, *(r.paid_on for r in case.repayments)})
        for when in events:
            if when > case.calc_until:
                break
            days = (when - t).days
            if not is_due:
                pool += p * rc * days / basis
            else:
                pen += p * rp * days / basis
                if case.compound:
                    comp += i * rk * days / basis
            t = when
            if when == due:
                is_due, i, pool = True, pool, Decimal(0)
            for r in case.repayments:
                if r.paid_on == when:
                    left = r.amount
                    for name in ("i", "pen", "comp", "pool", "p"):
                        bal = locals()[name]
                        take = min(left, bal)
                        left -= take
                        if name == "i":
                            i -= take
                        elif name == "pen":
                            pen -= take
                        elif name == "comp":
                            comp -= take
                        elif name == "pool":
                            pool -= take
                        else:
                            p -= take
        lines = [v.quantize(FEN, rounding=ROUND_HALF_UP) for v in (p, i + pool, pen, comp)]
        return (*lines, sum(lines))


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-zen", action="store_true")
    args = ap.parse_args()

    cases = generate(args.n, args.seed)
    print(f"{args.n:,} generated single-maturity cases (1–2 repayments), seed {args.seed}")

    t0 = time.perf_counter()
    awards = [compute(c, validate=True) for c in cases]
    t_engine = time.perf_counter() - t0

    t0 = time.perf_counter()
    frame = frame_from_cases(cases)
    t_frame = time.perf_counter() - t0
    t0 = time.perf_counter()
    batch = compute_batch(frame)
    t_vec = time.perf_counter() - t0

    mismatches = 0
    cols = {line: batch[line].to_numpy() for line in LINES}
    for pos, award in enumerate(awards):
        for line in LINES:
            if int(award[line] * 100) != cols[line][pos]:
                mismatches += 1
                break
    fallbacks = int(batch["fallback"].sum())

    t0 = time.perf_counter()
    loop = [decimal_loop(c) for c in cases]
    t_loop = time.perf_counter() - t0
    loop_diff = sum(1 for award, row in zip(awards, loop, strict=True)
                    if tuple(award[line] for line in LINES) != row)

    results = [
        ("engine per case (exact, full trace)", rate(args.n, t_engine)),
        ("vectorized integer fen (numpy)", rate(args.n, t_vec)),
        ("vectorized incl. building the frame", rate(args.n, t_vec + t_frame)),
        ("plain Decimal loop (peer, no trace)", rate(args.n, t_loop)),
    ]
    zen_rate = None
    if not args.no_zen:
        try:
            import zen  # bench-only extra: pip install zen-engine
        except ImportError:
            print("zen-engine not installed (pip install zen-engine); skipping that peer")
        else:
            expr = zen.compile_expression("principal_fen * rate_e4 * days / (basis * 1000000)")
            rows = [{"principal_fen": int(c.principal * 100), "rate_e4": int(c.contract_rate * 10000),
                     "days": (c.instalments[0].due_on - c.disbursed_on).days, "basis": c.day_count.basis}
                    for c in cases]
            t0 = time.perf_counter()
            for row in rows:
                expr.evaluate(row)
            zen_rate = rate(args.n, time.perf_counter() - t0)
            results.append(("zen-engine, simple interest formula only", zen_rate))

    width = max(len(name) for name, _ in results)
    for name, r in results:
        print(f"  {name:<{width}}  {r:>14,.0f} cases/s")
    print(f"agreement: vectorized vs engine — {mismatches} of {args.n:,} cases differ "
          f"({fallbacks} rows near a half fen recomputed exactly)")
    print(f"agreement: Decimal loop vs engine — {loop_diff} of {args.n:,} cases differ")
    e, v, d = results[0][1], results[1][1], results[3][1]
    print(f"ratios: vectorized/engine {v / e:,.1f}×, vectorized/Decimal loop {v / d:,.1f}×, "
          f"engine/Decimal loop {e / d:.2f}×" + (f", engine/zen {e / zen_rate:.2f}×" if zen_rate else ""))
    if mismatches:
        raise SystemExit("vectorized path disagrees with the engine")


if __name__ == "__main__":
    main()

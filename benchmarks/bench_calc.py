"""Benchmark of the loan calculation engine (not a test; prints throughput and ratios).

    python benchmarks/bench_calc.py [--n 100000] [--seed 1] [--no-zen]

On ``n`` generated consumer-loan cases (single maturity, one or two repayments, fixed
rates, penalty and compound interest) it measures, in one process on the same data
(single-threaded, so the figures are per core):

* the exact per-case engine, :func:`ruledsl.calc.compute` — with its full trace (the
  default) and with ``trace=False`` (the integer kernel of :mod:`ruledsl.calc.kernel`, where the
  shape dispatcher :mod:`ruledsl.calc.shape` sends these cases), the latter also including
  reading the six figures out as Decimals;
* the compiled ruleset ``rulesets/cn/consumer_loan.rules`` per case
  (:meth:`ruledsl.ruleset.Ruleset.call_batch`, the batch pre-check's loop) on the same
  cases written as that ruleset's inputs: one instalment whose stated interest is the
  day-count interest of the term (rounded to the fen), the same repayments, penalty and
  compound rates by the ruleset's defaults (contract rate × 150%), no reduction asked.
  Typed inputs (:func:`ruledsl.cases.inputs.parse_case`) are prepared outside the timed
  loop; every figure is checked against the traced engine on the equivalent ``LoanCase``;
* the vectorized integer-fen path of the pre-check (:func:`ruledsl.precheck.vectorized.compute_batch`);
* a plain Python ``Decimal`` loop of the same ledger formula (no trace), as a peer;
* the ``zen-engine`` decision engine (bench-only extra, ``pip install zen-engine``)
  evaluating the same ledger formula as one expression node of a decision graph
  (:func:`zen_ledger`), as a peer.

Every path is checked against the traced engine on every case (fen-exact lines);
the peers' agreement is reported, not required.  Peers get their inputs prepared as
plain dicts / ints outside the timed loop; the engine takes the ``LoanCase`` objects.
The generated data is moved out of the garbage collector's young generations
(``gc.freeze``) before timing, every run starts after a full collection, and each path's
results are reduced to whole fen as soon as it is timed and then dropped, so that no path
runs beside another's 100,000 results (the traced awards alone take gigabytes).
``call_batch`` pauses the cyclic collector for its batch (the product does so, see its
docstring); the other paths run with it on.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ruledsl.calc import Instalment, LoanCase, Repayment, compute, schedules  # noqa: E402
from ruledsl.precheck.vectorized import compute_batch, frame_from_cases  # noqa: E402

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


RULESET = Path(__file__).resolve().parents[1] / "rulesets" / "cn" / "consumer_loan.rules"
RULESET_LINES = ("principal_outstanding", "interest", "penalty_interest", "compound_interest", "fees", "total")


def ruleset_cases(cases: list[LoanCase]) -> tuple[list[dict], list[LoanCase]]:
    """The cases as ``consumer_loan.rules`` inputs (raw JSON-like values) and the equivalent engine cases.

    The instalment states the day-count interest of its term, rounded half-up to the fen."""
    raws, stated_cases = [], []
    for c in cases:
        due = c.instalments[0].due_on
        interest = (c.principal * c.contract_rate * (due - c.disbursed_on).days / 365).quantize(
            FEN, rounding=ROUND_HALF_UP)
        raws.append({
            "principal": str(c.principal), "contract_rate": str(c.contract_rate),
            "disbursed_on": c.disbursed_on.isoformat(),
            "instalments": [{"due_on": due.isoformat(), "principal": str(c.principal), "interest": str(interest)}],
            "repayments": [{"paid_on": r.paid_on.isoformat(), "amount": str(r.amount)} for r in c.repayments],
            "filed_on": c.calc_until.isoformat(),
        })
        stated_cases.append(LoanCase(
            principal=c.principal, disbursed_on=c.disbursed_on, contract_rate=c.contract_rate,
            penalty_rate=c.contract_rate * Decimal("1.5"), calc_until=c.calc_until,
            instalments=(Instalment(due, c.principal, interest),), repayments=c.repayments))
    return raws, stated_cases


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


def zen_ledger() -> dict:
    """The bench ledger as a zen-engine decision graph: input → one expression node → output.

    Inputs are integers: ``p`` (principal in fen), ``rc``/``rp``/``rk`` (rates in
    units of 0.01%), ``k`` (1 = compound interest on), ``basis``, and days after
    disbursement of ``due``, ``end``, ``on1``/``on2`` (repayment dates; 10⁶ when
    absent) with amounts ``a1``/``a2`` in fen.  The steps are those of the engine:
    the three events in date order (due date first on a tie), accrual between them,
    each repayment to interest → penalty → compound → principal; lines are rounded
    half-up to the fen at the end.  Decimal arithmetic is zen's (28 digits).
    """
    ex: list[tuple[str, str]] = [
        ("df", "due <= on1"), ("d2", "due <= on2"),
        ("e0", "$.df ? due : on1"), ("u0", "$.df"), ("m0", "$.df ? 0 : a1"),
        ("e1", "$.d2 ? ($.df ? on1 : due) : on2"), ("u1", "$.d2 and not $.df"),
        ("m1", "$.df ? a1 : ($.d2 ? 0 : a2)"),
        ("e2", "$.d2 ? on2 : due"), ("u2", "not $.d2"), ("m2", "$.d2 ? a2 : 0"),
        ("den", "10000 * basis"),
        ("t", "0"), ("P", "p"), ("I", "0"), ("pen", "0"), ("comp", "0"), ("over", "0"), ("due_", "false"),
    ]
    for j in range(4):
        when = f"$.e{j}" if j < 3 else "end"
        ex += [
            (f"t{j}", f"min([{when}, end])"),
            (f"days{j}", f"$.t{j} - $.t" if j == 0 else f"$.t{j} - $.t{j - 1}"),
        ]
        last = {"P": "$.P", "I": "$.I", "pen": "$.pen", "comp": "$.comp", "over": "$.over", "due": "$.due_"}
        if j:
            last = {k: f"$.{k}{j - 1}" for k in ("P", "I", "pen", "comp", "over")} | {"due": f"$.due{j - 1}"}
        ex += [
            (f"acc{j}", f"{last['P']} * ({last['due']} ? rp : rc) * $.days{j} / $.den"),
            (f"ci{j}", f"{last['due']} and k == 1 ? {last['I']} * rk * $.days{j} / $.den : 0"),
            (f"Ia{j}", f"{last['I']} + ({last['due']} ? 0 : $.acc{j})"),
            (f"pa{j}", f"{last['pen']} + ({last['due']} ? $.acc{j} : 0)"),
            (f"ca{j}", f"{last['comp']} + $.ci{j}"),
        ]
        if j == 3:
            ex += [(f"P{j}", last["P"]), (f"I{j}", f"$.Ia{j}"), (f"pen{j}", f"$.pa{j}"), (f"comp{j}", f"$.ca{j}"),
                   (f"over{j}", last["over"])]
            break
        ex += [
            (f"on{j}", f"$.e{j} <= end"),
            (f"due{j}", f"{last['due']} or ($.u{j} and $.on{j})"),
            (f"l{j}", f"$.on{j} ? $.m{j} : 0"),
            (f"ti{j}", f"min([$.l{j}, $.Ia{j}])"), (f"I{j}", f"$.Ia{j} - $.ti{j}"),
            (f"lb{j}", f"$.l{j} - $.ti{j}"),
            (f"tp{j}", f"min([$.lb{j}, $.pa{j}])"), (f"pen{j}", f"$.pa{j} - $.tp{j}"),
            (f"lc{j}", f"$.lb{j} - $.tp{j}"),
            (f"tc{j}", f"min([$.lc{j}, $.ca{j}])"), (f"comp{j}", f"$.ca{j} - $.tc{j}"),
            (f"ld{j}", f"$.lc{j} - $.tc{j}"),
            (f"tq{j}", f"min([$.ld{j}, {last['P']}])"), (f"P{j}", f"{last['P']} - $.tq{j}"),
            (f"over{j}", f"{last['over']} + $.ld{j} - $.tq{j}"),
        ]
    ex += [
        ("principal_outstanding", "floor($.P3 + 0.5)"), ("interest", "floor($.I3 + 0.5)"),
        ("penalty_interest", "floor($.pen3 + 0.5)"), ("compound_interest", "floor($.comp3 + 0.5)"),
        ("total", "$.principal_outstanding + $.interest + $.penalty_interest + $.compound_interest"),
    ]
    node = {"id": "ledger", "type": "expressionNode", "name": "ledger", "position": {"x": 0, "y": 0},
            "content": {"expressions": [{"id": str(n), "key": k, "value": v} for n, (k, v) in enumerate(ex)]}}
    return {
        "nodes": [{"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}}, node,
                  {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 0, "y": 0}}],
        "edges": [{"id": "a", "sourceId": "in", "targetId": "ledger", "type": "edge"},
                  {"id": "b", "sourceId": "ledger", "targetId": "out", "type": "edge"}],
    }


def zen_input(case: LoanCase) -> dict[str, int]:
    pays = sorted(case.repayments, key=lambda r: r.paid_on)
    start = case.disbursed_on

    def days(d: date) -> int:
        return (d - start).days

    rp = case.penalty_rate if case.penalty_rate is not None else case.contract_rate
    rk = case.compound_rate if case.compound_rate is not None else rp
    row = {"p": int(case.principal * 100), "rc": int(case.contract_rate * 10000), "rp": int(rp * 10000),
           "rk": int(rk * 10000), "k": int(case.compound), "basis": case.day_count.basis,
           "due": days(case.instalments[0].due_on), "end": days(case.calc_until),
           "on1": 10**6, "a1": 0, "on2": 10**6, "a2": 0}
    for n, r in enumerate(pays, start=1):
        row[f"on{n}"], row[f"a{n}"] = days(r.paid_on), int(r.amount * 100)
    return row


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def timed(fn, repeat: int = 1):
    """(result, best seconds) of ``fn()`` over ``repeat`` runs, each started after a full collection."""
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def fen(values) -> tuple[int, ...]:
    """Amounts in yuan as whole fen (each is already rounded to the fen)."""
    return tuple(int(v * 100) for v in values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-zen", action="store_true")
    ap.add_argument("--zen-n", type=int, default=20_000,
                    help="cases for the zen-engine peer (the first ones; it runs ≈ 2,000 cases/s)")
    args = ap.parse_args()
    n = args.n

    cases = generate(n, args.seed)
    print(f"{n:,} generated single-maturity cases (1–2 repayments), seed {args.seed}")
    frame = frame_from_cases(cases)
    from ruledsl.cases.inputs import parse_case
    from ruledsl.ruleset import load

    ruleset = load(str(RULESET))
    raws, stated_cases = ruleset_cases(cases)
    typed = [parse_case(ruleset.checked, raw) for raw in raws]
    gc.collect()
    gc.freeze()

    # Each path is timed, its results are reduced to whole fen at once and dropped, so that no path
    # runs on a heap swollen by another's (100,000 traced awards take gigabytes).
    awards, t_engine = timed(lambda: [compute(c) for c in cases])
    exact = [(fen(a[line] for line in LINES), a.overpaid) for a in awards]
    del awards
    fast, t_fast = timed(lambda: [compute(c, trace=False) for c in cases], 3)
    fast_diff = sum(1 for f, want in zip(fast, exact, strict=True)
                    if (fen(f[line] for line in LINES), f.overpaid) != want)
    del fast
    _, t_fast_dec = timed(lambda: [compute(c, trace=False).figures() for c in cases], 3)
    t0 = time.perf_counter()
    frame_from_cases(cases)
    t_frame = time.perf_counter() - t0
    batch, t_vec = timed(lambda: compute_batch(frame), 5)
    cols = [batch[line].to_numpy() for line in LINES]
    vec_diff = sum(1 for pos, (want, _) in enumerate(exact) if tuple(int(c[pos]) for c in cols) != want)
    fallbacks = int(batch["fallback"].sum())
    del batch, cols
    rs_out, t_rs = timed(lambda: ruleset.call_batch(typed), 3)
    at = [ruleset.columns.index(line) for line in RULESET_LINES]  # a batch row's columns of the award lines
    # fen and exponent (two places) of every award line
    rs_lines = [tuple((row[k], str(row[k])) for k in at) for row, _ in rs_out]
    del rs_out
    rs_traced = [compute(c) for c in stated_cases]
    rs_diff = sum(1 for got, a in zip(rs_lines, rs_traced, strict=True)
                  if got != tuple((a[line], str(a[line])) for line in RULESET_LINES))
    del rs_traced, rs_lines
    loop, t_loop = timed(lambda: [decimal_loop(c) for c in cases])
    loop_diff = sum(1 for (want, _), row in zip(exact, loop, strict=True) if fen(row) != want)
    del loop

    results = [
        ("engine per case, full trace (compute(case))", rate(n, t_engine)),
        ("engine per case, no trace (compute(case, trace=False))", rate(n, t_fast)),
        ("  … and reading the figures as Decimals", rate(n, t_fast_dec)),
        ("compiled consumer_loan.rules per case (call_batch)", rate(n, t_rs)),
        ("vectorized integer fen (compute_batch)", rate(n, t_vec)),
        ("vectorized incl. building the frame", rate(n, t_vec + t_frame)),
        ("plain Decimal loop (peer, no trace)", rate(n, t_loop)),
    ]
    zen_rate = zen_diff = None
    if not args.no_zen:
        try:
            import zen  # bench-only extra: pip install zen-engine
        except ImportError:
            print("zen-engine not installed (pip install zen-engine); skipping that peer")
        else:
            zn = min(n, args.zen_n)
            decision = zen.ZenEngine().create_decision(json.dumps(zen_ledger()))
            rows = [zen_input(c) for c in cases[:zn]]
            outs, t_zen = timed(lambda: [decision.evaluate(row)["result"] for row in rows])
            zen_rate = rate(zn, t_zen)
            zen_diff = sum(1 for (want, _), out in zip(exact, outs, strict=False)
                           if tuple(int(out[line]) for line in LINES) != want)
            results.append((f"zen-engine decision, same ledger formula (peer, {zn:,} cases)", zen_rate))
            simple = zen.compile_expression("p * rc * (due) / (basis * 10000)")
            _, t_simple = timed(lambda: [simple.evaluate(row) for row in rows])
            results.append(("zen-engine, term interest p×r×days/basis only (scale)", rate(zn, t_simple)))

    width = max(len(name) for name, _ in results)
    for name, r in results:
        print(f"  {name:<{width}}  {r:>14,.0f} cases/s")
    print(f"agreement with the traced engine (fen, every line) on {n:,} cases:")
    print(f"  no-trace fast path: {fast_diff} differ")
    print(f"  compiled consumer_loan.rules (stated interest, vs the traced engine on the same facts): "
          f"{rs_diff} differ")
    print(f"  vectorized: {vec_diff} differ ({fallbacks} rows near a half fen recomputed exactly)")
    print(f"  Decimal loop (peer): {loop_diff} differ")
    if zen_diff is not None:
        print(f"  zen-engine (peer): {zen_diff} of {min(n, args.zen_n):,} differ")
    e, f, rs, v, d = results[0][1], results[1][1], results[3][1], results[4][1], results[6][1]
    ratios = [f"no-trace/full trace {f / e:,.1f}×", f"no-trace/Decimal loop {f / d:.2f}×",
              f"vectorized/no-trace {v / f:,.1f}×", f"vectorized/Decimal loop {v / d:,.1f}×"]
    rs_ratios = [f"/Decimal loop {rs / d:.2f}×", f"/engine no-trace {rs / f:.2f}×",
                 f"/engine full trace {rs / e:,.1f}×", f"/vectorized {rs / v:.4f}×"]
    if zen_rate:
        ratios += [f"no-trace/zen {f / zen_rate:,.1f}×", f"full trace/zen {e / zen_rate:.2f}×",
                   f"vectorized/zen {v / zen_rate:,.0f}×"]
        rs_ratios.insert(0, f"/zen {rs / zen_rate:,.1f}×")
    print("ratios: " + ", ".join(ratios))
    print("compiled ruleset ratios: " + ", ".join(rs_ratios))
    print(f"targets: per case ≥ 100,000 cases/s and ≥ 5× zen — compiled ruleset {rs:,.0f} cases/s"
          + (f", {rs / zen_rate:.1f}× zen" if zen_rate else "") + f" (engine no-trace {f:,.0f})"
          + f"; vectorized ≥ 5,000,000 cases/s — {v:,.0f}")
    if fast_diff or vec_diff or rs_diff:
        raise SystemExit("a fast path disagrees with the traced engine")


if __name__ == "__main__":
    main()

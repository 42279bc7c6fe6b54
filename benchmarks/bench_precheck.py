"""The lenders' batch pre-check end to end (not a test; prints throughput, memory and ratios).

    .venv/bin/python benchmarks/bench_precheck.py [--rows 1000000] [--xlsx-rows 100000] [--engines local,dask,spark]

Generates a consumer-loan filing (``rulesets/cn/consumer_loan.rules``) of mixed shapes — single
maturity with and without repayments, twelve equal instalments, a stated claim on some rows, 1 % bad
rows (unreadable amounts, impossible dates, bare rates, duplicate case ids) — as CSV and Parquet
(``--rows``) and as an Excel workbook (``--xlsx-rows``).  Each run is the real command,
``ruledsl precheck RULESET INPUT -o OUTPUT.csv --engine E``, in a fresh process: its wall time, its rows
per second, and its peak memory (the largest resident set of the command and its worker processes
together, sampled every 50 ms).  The reference, in this process on the same file, is a bare
``pandas.read_csv`` of it (every column as text): the ratio says how many bare reads one pre-check
costs.  Targets (issue 12, 2 cores): 1,000,000 CSV rows in ≤ 30 s and ≤ 2 GiB; 100,000 xlsx rows in
≤ 15 s; Dask with 2 workers ≥ 1.6 × its 1-worker speed.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets" / "cn" / "consumer_loan.rules"
HEAD = ["借据号", "借款本金", "借款年利率", "放款日", "还款计划", "还款记录", "起诉日", "贷款人诉请金额"]
FEN = Decimal("0.01")


def generate(n: int, seed: int = 1):
    """The filing's rows (text cells, as a lender's system exports them)."""
    rng = random.Random(seed)
    for k in range(n):
        start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500))
        principal = Decimal(rng.randint(50_000, 20_000_000)) / 100
        rate = Decimal(2 * rng.randint(150, 1200)) / 10000
        shape = rng.random()
        if shape < 0.2:  # twelve equal instalments, interest by the month
            part = (principal / 12).quantize(FEN)
            schedule = [{"due_on": (start + timedelta(days=30 * (m + 1))).isoformat(),
                         "principal": str(part if m < 11 else principal - 11 * part),
                         "interest": str((principal * rate / 12).quantize(FEN))} for m in range(12)]
            end = start + timedelta(days=360 + rng.randint(0, 300))
        else:
            due = start + timedelta(days=rng.choice((90, 180, 365)))
            interest = (principal * rate * (due - start).days / 365).quantize(FEN, ROUND_HALF_UP)
            schedule = [{"due_on": due.isoformat(), "principal": str(principal), "interest": str(interest)}]
            end = due + timedelta(days=rng.randint(0, 540))
        pays = [] if shape < 0.6 else [
            {"paid_on": (start + timedelta(days=rng.randint(0, (end - start).days))).isoformat(),
             "amount": str(Decimal(rng.randint(100, int(principal * 60))) / 100)} for _ in range(rng.randint(1, 2))]
        claim = "" if rng.random() < 0.7 else json.dumps({
            "principal_outstanding": str(principal), "interest": "0", "penalty_interest": "99999",
            "compound_interest": "0", "fees": "0"})
        row = [f"L{k:08d}", str(principal), f"{rate * 100:f}%", start.isoformat(), json.dumps(schedule),
               json.dumps(pays) if pays else "", end.isoformat(), claim]
        bad = rng.random()
        if bad < 0.01:  # 1 % bad rows, each kind a court's clerk meets
            which = rng.randrange(4)
            if which == 0:
                row[1] = "十万元"
            elif which == 1:
                row[6] = "2024-02-30"
            elif which == 2:
                row[2] = "24"
            else:
                row[0] = "L00000001"
        yield row


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEAD)
        w.writerows(generate(n))


def write_parquet(path: Path, csv_path: Path) -> None:
    import pandas as pd

    pd.read_csv(csv_path, dtype=str, keep_default_na=False).to_parquet(path, index=False)


def write_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("案件 cases")
    sheet.append(HEAD)
    for row in generate(n):
        sheet.append(row)
    book.save(path)


def run(input_path: Path, out: Path, engine: str, workers: int) -> tuple[float, int, int]:
    """(wall seconds, peak resident bytes of the command and its children, exit status)."""
    import psutil

    cmd = [str(Path(sys.executable).parent / "ruledsl"), "precheck", str(RULESET), str(input_path), "-o", str(out),
           "--engine", engine, "--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    top, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            tree = [top, *top.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    return time.perf_counter() - started, peak, proc.returncode


def bare_read(path: Path) -> float:
    import pandas as pd

    started = time.perf_counter()
    pd.read_csv(path, dtype=str, keep_default_na=False)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    ap.add_argument("--engines", default="local,dask,spark")
    args = ap.parse_args()
    engines = args.engines.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        print(f"generating {args.rows:,} rows (CSV, Parquet) and {args.xlsx_rows:,} rows (xlsx) …", flush=True)
        write_csv(d / "filing.csv", args.rows)
        write_parquet(d / "filing.parquet", d / "filing.csv")
        write_xlsx(d / "filing.xlsx", args.xlsx_rows)
        reference = bare_read(d / "filing.csv")
        print(f"reference: pandas.read_csv of {args.rows:,} rows: {reference:.1f} s "
              f"({args.rows / reference:,.0f} rows/s)")
        print(f"{'input':10} {'engine':14} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'peak RSS':>9} {'× read':>7}")
        runs = [("csv", args.rows, e) for e in engines] + [("parquet", args.rows, "local"), ("xlsx", args.xlsx_rows,
                                                                                            "local")]
        if "dask" in engines:
            runs.append(("csv", args.rows, "dask-1"))
        timings = {}
        for fmt, n, engine in runs:
            name, workers = (engine.split("-") + ["2"])[:2]
            seconds, peak, status = run(d / f"filing.{fmt}", d / f"out-{fmt}-{engine}.csv", name, int(workers))
            if status not in (0, 1):
                print(f"{fmt:10} {engine:14} failed (exit {status})")
                continue
            timings[(fmt, engine)] = seconds
            ratio = f"{seconds / reference:7.1f}" if fmt == "csv" else "       "
            print(f"{fmt:10} {engine + ('' if '-' in engine or name == 'local' else '-2'):14} {n:>10,} "
                  f"{seconds:8.1f} {n / seconds:9,.0f} {peak / 2**30:7.2f} G {ratio}")
        if ("csv", "dask") in timings and ("csv", "dask-1") in timings:
            print(f"dask, 2 workers against 1: {timings[('csv', 'dask-1')] / timings[('csv', 'dask')]:.2f} ×")


if __name__ == "__main__":
    main()

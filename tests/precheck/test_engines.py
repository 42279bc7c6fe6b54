"""One hostile filing through the three engines (local, a Dask cluster, Spark): the same output rows,
one per input row, `row` and `case_id` unchanged. Spark runs on the JVM of the machine (scripts/sysdeps.sh)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.precheck.batch import PART_ROWS

ROOT = Path(__file__).resolve().parents[2]
LOAN = ROOT / "rulesets" / "cn" / "consumer_loan.rules"


def hostile_filing(path: Path, n: int, seed: int = 7) -> list[tuple[int, str]]:
    """``n`` generated rows of every kind a batch meets, written as a CSV; returns each case row's
    (sheet row, case id) in order (blank rows are not cases)."""
    rng = random.Random(seed)
    cases, rows = [], []
    number = 1
    for k in range(n):
        number += 1
        case_id = f"L{k:06d}"
        kind = rng.random()
        if kind < 0.01:
            rows.append([""] * 7)  # a blank row: skipped and counted
            continue
        principal, rate = f"{rng.randint(1000, 500000)}.{rng.randint(0, 99):02d}", f"{rng.choice((9, 12, 18, 24))}%"
        schedule = json.dumps([{"due_on": "2024-01-01", "principal": principal, "interest": "100.00"}])
        filed = "2024-07-01"
        if kind < 0.03:
            principal = rng.choice(["abc", "1,000.000.00", "-5", "12.345", "１２３"])  # refused or read as written
        elif kind < 0.05:
            case_id = rng.choice(["=1+1", "+86", "@x", "-1"]) + str(k)  # would start a formula
        elif kind < 0.06:
            case_id = "L000001"  # a duplicate
        elif kind < 0.08:
            schedule = json.dumps([{"due_on": "2024-01-01", "principal": principal, "interest": "100.00"}],
                                  indent=2)  # a multi-line cell
        elif kind < 0.09:
            schedule = "[" * 100 + "]" * 100  # nested too deep
        elif kind < 0.10:
            filed = "2024-02-30"
        elif kind < 0.12:
            rate = "24"  # a bare number for a rate
        rows.append([case_id, principal, rate, "2023-01-01", schedule, filed, rng.choice(["是", "否", ""])])
        cases.append((number, case_id))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["借据号", "借款本金", "借款年利率", "放款日", "还款计划", "起诉日", "本院有管辖权"])
        w.writerows(rows)
    return cases


@pytest.fixture(scope="module")
def filing(tmp_path_factory) -> tuple[Path, list[tuple[int, str]]]:
    path = tmp_path_factory.mktemp("engines") / "hostile.csv"
    return path, hostile_filing(path, 2 * PART_ROWS + 700)  # three parts


def run(filing: Path, out: Path, *engine: str) -> list[dict]:
    r = CliRunner().invoke(app, ["precheck", str(LOAN), str(filing), "-o", str(out), *engine])
    assert r.exit_code == 1, r.output  # no evidence anywhere: nothing is ready
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_every_engine_gives_the_same_rows(filing, tmp_path: Path) -> None:
    path, cases = filing
    local = run(path, tmp_path / "local.jsonl")
    assert [(x["row"], x["case_id"]) for x in local] == cases  # one output row per case row, unchanged
    summary = json.loads((tmp_path / "local.summary.json").read_text(encoding="utf-8"))
    assert summary["rows_read"] == summary["rows_written"] == len(cases) and summary["blank_rows_skipped"] > 0
    verdicts = {x["verdict"] for x in local}
    assert verdicts == {"needs_correction", "not_admissible"}
    dup = [x for x in local if x["case_id"] == "L000001"]
    assert len(dup) > 1 and all("重复" in x["reasons"] for x in dup)
    for engine in (["--engine", "dask", "--workers", "2"], ["--engine", "spark", "--workers", "2"]):
        got = run(path, tmp_path / f"{engine[1]}.jsonl", *engine)
        assert got == local, engine[1]
        assert json.loads((tmp_path / f"{engine[1]}.summary.json").read_text(encoding="utf-8"))["verdicts"] == \
            summary["verdicts"]


def test_every_engine_writes_the_same_csv(filing, tmp_path: Path) -> None:
    """On a cluster each worker writes its parts' CSV rows and the caller appends them: the same bytes."""
    path, cases = filing
    local = tmp_path / "local.csv"
    run_csv(path, local)
    assert local.read_bytes().count(b"\r\n") >= len(cases) + 1  # the header and a line per case at least
    for engine in (["--engine", "dask", "--workers", "2"], ["--engine", "spark", "--workers", "2"]):
        out = tmp_path / f"{engine[1]}.csv"
        run_csv(path, out, *engine)
        assert out.read_bytes() == local.read_bytes(), engine[1]


def run_csv(filing: Path, out: Path, *engine: str) -> None:
    r = CliRunner().invoke(app, ["precheck", str(LOAN), str(filing), "-o", str(out), *engine])
    assert r.exit_code == 1, r.output

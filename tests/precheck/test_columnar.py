"""The columnar pre-check (ruledsl/precheck/columnar.py and its readers) against the per-row path.

Generated batches that mix every shape a filing has — one instalment or twelve, repayments (up to five:
more than the vectorized ledger takes), claims as JSON or one column per amount, every optional input —
with every kind of bad cell, through ``run_batch(columnar=False)`` (each row through the case reader and
the compiled rules, the path the pre-check had) and ``run_batch(columnar=True)``: the output files are
the same bytes and the summaries the same figures, on CSV, Parquet and Excel input.  And the columnar
path does take the common rows (else the comparison would prove nothing).
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest

from ruledsl.precheck import columnar
from ruledsl.precheck.batch import run_batch
from ruledsl.precheck.output import summary_path

ROOT = Path(__file__).resolve().parents[2]
LOAN = ROOT / "rulesets" / "cn" / "consumer_loan.rules"
FEN = Decimal("0.01")
HEAD = ["借据号", "借款本金", "借款年利率", "罚息年利率（约定；缺省为借款利率上浮50%）", "复利年利率（缺省为罚息利率）",
        "合同约定对未付利息计收复利", "放款日", "还款计划", "还款记录", "起诉日", "计算截止日", "借款人请求调减",
        "诉前调解不成或者当事人拒绝调解", "本院有管辖权", "贷款人诉请金额", "宣布提前到期日", "实现债权的有关费用",
        "合同约定的清偿顺序", "借款利率为一年期LPR加点、随LPR调整的：加点（可为负）", "备注",
        "双方订有书面仲裁协议（合同中的仲裁条款有效）", "同一纠纷已有发生法律效力的判决、裁定或者调解书"]


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high)) / 100


def _row(rng: random.Random, k: int) -> list[str]:
    start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500))
    principal = _amount(rng, 1, 30_000_000)
    rate = Decimal(2 * rng.randint(0, 1800)) / 10000
    n = rng.choice((1, 1, 1, 2, 3, 12, 12, 24))
    part = (principal / n).quantize(FEN)
    gap = rng.choice((30, 31, 90, 180, 365))
    schedule = []
    for m in range(n):
        due = start + timedelta(days=gap * (m + 1))
        p = part if m < n - 1 else principal - part * (n - 1)
        schedule.append({"due_on": due.isoformat(), "principal": str(p),
                         "interest": str((principal * rate * gap / 365).quantize(FEN, ROUND_HALF_UP))})
    last = date.fromisoformat(schedule[-1]["due_on"])
    end = last + timedelta(days=rng.randint(-400, 700))
    end = max(end, start)
    pays = [{"paid_on": (start + timedelta(days=rng.randint(0, max((end - start).days, 0)))).isoformat(),
             "amount": str(_amount(rng, 1, int(principal * 80) + 1))} for _ in range(rng.choice((0, 0, 1, 2, 3, 5)))]
    claim = "" if rng.random() < 0.6 else json.dumps({
        "principal_outstanding": str(principal), "interest": str(_amount(rng, 0, 100_000)),
        "penalty_interest": rng.choice(("99999", "0", str(_amount(rng, 0, 500_000)))),
        "compound_interest": "0", "fees": rng.choice(("0", "12.5"))})
    row = [f"L{k:06d}", str(principal), f"{rate * 100:f}%", "", "", "", start.isoformat(), json.dumps(schedule),
           json.dumps(pays) if pays else "", end.isoformat(), "", "", rng.choice(("", "", "是", "否", "TRUE")),
           rng.choice(("", "", "", "是", "否")), claim, "", "", "", "", rng.choice(("", "备注")),
           rng.choice(("", "", "", "", "否", "是")), rng.choice(("", "", "", "", "", "是"))]  # grounds of admissibility
    if rng.random() < 0.1:
        row[3] = f"{rate * 150:f}%"  # the penalty rate agreed
    if rng.random() < 0.05:
        row[4] = rng.choice(("18%", "0.18", "18.005%"))
    if rng.random() < 0.05:
        row[5] = rng.choice(("否", "false", "是"))
    if rng.random() < 0.05:
        row[10] = (end - timedelta(days=rng.randint(0, 30))).isoformat()  # a cut-off before the filing
    return row


#: each kind of trouble a clerk meets, as (column, value) — or a function of the row
HOSTILE = [
    (1, "十万元"), (1, "50,518.00"), (1, "¥50518"), (1, "５０５１８.００"), (1, "-5"), (1, "12.345"), (1, "0"),
    (1, " 100.00"), (1, "1e5"), (1, "99999999999999999.99"), (1, "2000000.00"), (2, "24"), (2, "24 %"),
    (2, "240%"), (2, "5.557%"), (2, "0.185"), (2, "1.5"), (2, "１８％"), (2, ""), (6, "2024/3/1"), (6, "2024年3月1日"),
    (6, "2024-02-30"), (6, "1899-12-31"), (6, ""), (9, "2024-02-30"), (9, "20240701"), (12, "也许"), (13, "否"),
    (13, "FALSE"), (13, "0"), (7, "[]"), (7, "not json"), (7, "[" * 100 + "]" * 100), (8, "[]"),
    (8, '[{"amount": "5.00", "paid_on": "2024-01-01"}]'), (8, '[{"paid_on": "2024-01-01", "amount": 5}]'),
    (8, '[{"paid_on": "2024-01-01", "amount": "5.00", "amount": "6.00"}]'), (11, "是"), (11, "true"),
    (14, '{"principal_outstanding": "1", "interest": "-1", "penalty_interest": "0", "compound_interest": "0", '
         '"fees": "0"}'), (14, '{"interest": "1"}'), (15, "2024-01-01"),
    (16, '[{"incurred_on": "2021-01-01", "amount": "500.00"}]'), (17, "penalty_first"), (17, "other"),
    (18, "1%"), (0, "=1+1"), (0, "+86"), (0, "@x"), (0, "-1"), (0, " L000007 "), (0, ""), (0, "L000001"),
    (0, "L000002"), (0, "\u3000"), (19, "=HYPERLINK()"),
]


def _hostile(rng: random.Random, row: list[str]) -> list[str]:
    col, value = rng.choice(HOSTILE)
    row[col] = value
    if rng.random() < 0.2:  # pretty-printed JSON: a multi-line cell
        row[7] = json.dumps(json.loads(row[7]), indent=2) if row[7].startswith("[{") else row[7]
    if rng.random() < 0.1:  # JSON spaced otherwise
        row[7] = row[7].replace(", ", ",").replace(": ", ":")
    return row


def filing(n: int, seed: int, hostile: float = 0.3) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        if rng.random() < 0.01:
            rows.append([""] * len(HEAD))  # a blank row
            continue
        row = _row(rng, k)
        rows.append(_hostile(rng, row) if rng.random() < hostile else row)
    return rows


def write_csv(path: Path, rows: list[list[str]], head: list[str] = HEAD) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)
    return path


def both(tmp_path: Path, source: Path, out_suffix: str = ".csv") -> tuple[bytes, dict]:
    """The output of the per-row path and of the columnar path; asserts they are the same."""
    outs = []
    for flag in (False, True):
        out = tmp_path / f"out-{flag}{out_suffix}"
        result = run_batch(LOAN, source, out, columnar=flag)
        summary = json.loads(summary_path(out).read_text(encoding="utf-8")) if out_suffix != ".xlsx" else None
        if summary is not None:
            summary.pop("seconds")
        outs.append((out.read_bytes(), summary, result.summary.by_verdict, result.summary.blank_rows,
                     result.flagged))
    (a, sa, ba, blank_a, flag_a), (b, sb, bb, blank_b, flag_b) = outs
    if a != b:
        lines_a, lines_b = a.decode("utf-8-sig").split("\r\n"), b.decode("utf-8-sig").split("\r\n")
        for x, y in zip(lines_a, lines_b, strict=False):
            assert x == y
    assert a == b
    assert sa == sb and ba == bb and blank_a == blank_b and flag_a == flag_b
    return b, sb


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_csv_batches_agree_row_by_row(tmp_path, seed):
    source = write_csv(tmp_path / "filing.csv", filing(1500, seed))
    both(tmp_path, source)


def test_clean_rows_are_taken_by_the_columnar_path(tmp_path, monkeypatch):
    taken = []
    evaluate = columnar.evaluate

    def spy(*args, **kwargs):
        out = evaluate(*args, **kwargs)
        taken.append(out.taken)
        return out

    monkeypatch.setattr(columnar, "evaluate", spy)
    rows = filing(2000, 11, hostile=0.0)
    source = write_csv(tmp_path / "clean.csv", rows)
    both(tmp_path, source)
    share = np.concatenate(taken).mean()
    # the rows the columnar path leaves: a compound rate not in whole 0.01 %, a loan of 24 years whose
    # balances could leave int64, a line within a hair of a half fen — far from most
    assert share > 0.9, share


def test_parquet_and_excel_inputs_agree(tmp_path):
    import pandas as pd
    from openpyxl import Workbook

    rows = filing(600, 5)
    frame = pd.DataFrame(rows, columns=HEAD)
    frame.to_parquet(tmp_path / "filing.parquet", index=False)
    both(tmp_path, tmp_path / "filing.parquet")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(HEAD)
    for r in rows:
        # numbers and dates as a workbook holds them, some of them
        cells: list = list(r)
        try:
            cells[1] = float(r[1]) if random.Random(r[0]).random() < 0.5 else r[1]
        except ValueError:
            pass
        try:
            cells[6] = date.fromisoformat(r[6]) if random.Random(r[0] + "d").random() < 0.5 else r[6]
        except ValueError:
            pass
        sheet.append(cells)
    book.save(tmp_path / "filing.xlsx")
    both(tmp_path, tmp_path / "filing.xlsx", ".jsonl")


def test_irregular_csv_quoting_takes_the_per_row_reader(tmp_path):
    rows = filing(300, 7)
    path = write_csv(tmp_path / "odd.csv", rows)
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    lines[5] = lines[5].replace("L00", 'L"00', 1)  # a quote inside an unquoted cell
    lines[9] = lines[9] + "\r"  # a lone CR
    lines.insert(12, "")  # an empty line
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    assert columnar_scan_of(path) is None  # not regular: the per-row reader reads it
    both(tmp_path, path)


def test_empty_lines_and_multiline_cells_keep_their_row_numbers(tmp_path):
    rows = filing(200, 8, hostile=0.0)
    path = write_csv(tmp_path / "gaps.csv", rows)
    text = path.read_bytes().decode("utf-8").split("\r\n")
    for at in (3, 50, 51, 120):
        text.insert(at, "")
    path.write_bytes("\r\n".join(text).encode("utf-8"))
    assert columnar_scan_of(path) is not None  # empty lines are blank rows to both readers
    out, _ = both(tmp_path, path)
    numbers = [int(line.split(",", 1)[0]) for line in out.decode("utf-8-sig").split("\r\n")[1:]
               if line and line[0].isdigit()]
    assert numbers == sorted(numbers) and len(numbers) == len(set(numbers))


def columnar_scan_of(path: Path):
    from ruledsl.precheck.parts import columnar_scan
    from ruledsl.precheck.table import open_table
    from ruledsl.ruleset import load

    return columnar_scan(open_table(path, load(LOAN).checked))


def test_other_output_formats_agree(tmp_path):
    source = write_csv(tmp_path / "filing.csv", filing(400, 9))
    for suffix in (".jsonl", ".parquet", ".xlsx"):
        outs = []
        for flag in (False, True):
            out = tmp_path / f"o-{flag}{suffix}"
            run_batch(LOAN, source, out, columnar=flag)
            if suffix == ".parquet":
                import pyarrow.parquet as pq
                outs.append(pq.read_table(out).to_pylist())
            elif suffix == ".xlsx":
                from openpyxl import load_workbook
                outs.append([tuple(r) for r in load_workbook(out).worksheets[0].iter_rows(values_only=True)])
            else:
                outs.append(out.read_bytes())
        assert outs[0] == outs[1], suffix


# (bytes, the record ends a reader of the excel dialect finds — None: quoting not regular, Python's csv reads it)
SCANS = [
    (b'a,"b""c",d\r\n', [12]),                       # a doubled quote inside a quoted cell
    (b'"a",b\r\n"c",d\r\n', [7, 14]),                  # a quote opening the file and a record
    (b'a,"b"', [5]),                                  # the file ends on a closing quote
    (b'a,"b\nc"\r\nx,y\r\n', [9, 14]),                 # a line break inside quotes is no record end
    (b'a,"b\rc"\r\n', [9]),                           # nor is a CR inside quotes
    (b'a,""\r\n', [6]),                               # an empty quoted cell
    (b'a,b"c,d\r\n', None),                           # a quote inside an unquoted cell
    (b'a,"b"c,d\r\n', None),                          # text after a closing quote
    (b'a,"b\r\n', None),                              # a quote never closed
    (b'a,b\rc\r\n', None),                            # a lone CR outside quotes
    (b'a,b\x00\r\n', None),                           # a NUL byte
]


@pytest.mark.parametrize("chunk", [1, 2, 3, 1 << 20])  # quotes and line ends falling on the pieces' edges
@pytest.mark.parametrize(("data", "ends"), SCANS)
def test_scan_finds_record_ends_of_regular_csv_only(tmp_path, monkeypatch, data, ends, chunk):
    from ruledsl.precheck import parts

    monkeypatch.setattr(parts, "SCAN_CHUNK", chunk)
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    found = parts.scan_csv(path)
    if ends is None:
        assert found is None
    else:
        assert found is not None and found.ends.tolist() == ends
        assert len(found.odd_lf) == data.count(b"\n") - len(ends) + (not data.endswith(b"\n"))

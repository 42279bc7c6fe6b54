"""A sheet as long as Excel allows (1,048,576 rows): every row is present (a whole column formatted, as
banks' templates are), three of them hold cases.  The pre-check reads it to the last row, numbers the cases
as the sheet does, counts the blank rows, and holds no more than a few hundred MiB while doing it."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
FEES = ROOT / "rulesets" / "cn" / "court_fees.rules"
LAST = 1_048_576  # Excel's last row
CASES = {2: 100000, 524_288: 12000, LAST: 100000}


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def longest_sheet(path: Path) -> Path:
    book = Workbook()
    book.active.append(["诉讼请求金额", "procedure"])
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:B{LAST}"/><sheetData>',
             f'<row r="1">{inline("A1", "诉讼请求金额")}{inline("B1", "procedure")}</row>']
    for r in range(2, LAST + 1):
        if r in CASES:
            parts.append(f'<row r="{r}"><c r="A{r}"><v>{CASES[r]}</v></c>{inline(f"B{r}", "ordinary")}</row>')
        else:
            parts.append(f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/></row>')  # formatted, empty
    parts.append("</sheetData></worksheet>")
    members["xl/worksheets/sheet1.xml"] = "".join(parts).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_a_sheet_of_a_million_rows_is_read_to_its_last_row(tmp_path: Path) -> None:
    sheet = longest_sheet(tmp_path / "longest.xlsx")
    out = tmp_path / "out.jsonl"
    # the real command in its own process, which reports its own peak memory when done: VmHWM (KiB) of
    # /proc/self/status, which starts afresh with the program (ru_maxrss would carry over the peak of the
    # test process it was forked from)
    script = ("import re, sys\nfrom ruledsl.cli import main\nsys.argv = ['ruledsl', *sys.argv[1:]]\n"
              "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
              "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
              "print('peak', hwm, 'exit', code)\n")
    done = subprocess.run([sys.executable, "-c", script, "precheck", str(FEES), str(sheet), "-o", str(out), "--json"],
                          capture_output=True, text=True, timeout=600)
    summary = json.loads(done.stdout.splitlines()[0])
    _, peak_kib, _, code = done.stdout.splitlines()[-1].split()
    assert code == "0", done.stdout + done.stderr  # every case is ready
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in rows] == sorted(CASES)
    assert summary["rows_read"] == summary["rows_written"] == 3
    assert summary["blank_rows_skipped"] == LAST - 1 - len(CASES)  # every other row, the header aside
    # 诉讼费用交纳办法 art.13(1): 50 up to 10,000, then 2.5% to 100,000
    #   100,000: 50 + 90,000 × 2.5% = 2,300.00;  12,000: 50 + 2,000 × 2.5% = 100.00
    assert [r["acceptance_fee_claimable"] for r in rows] == ["2300.00", "100.00", "2300.00"]
    assert int(peak_kib) < 768 * 1024, f"peak {int(peak_kib) >> 10} MiB"

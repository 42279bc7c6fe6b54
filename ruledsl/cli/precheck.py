"""`ruledsl precheck RULESET INPUT [-o results.xlsx] [--json]` — the lenders' batch pre-check.

Exit status: 0 every row ready to file, 1 some row not ready (or the input cannot be read at
all: the message says why), 2 usage.  ``--json`` prints the summary as one JSON object on stdout
(everything else goes to stderr).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from ruledsl.cli.console import err, out, report
from ruledsl.cli.rules import KeyOpt, TrustOpt
from ruledsl.core.errors import RulesError
from ruledsl.core.money import yuan
from ruledsl.precheck import READY, REFUSED, VERDICT_LABELS, VERDICTS, precheck, read_table, write_results
from ruledsl.precheck.output import summary_path
from ruledsl.ruleset import load

SHOWN = 20  # rows whose reasons are printed; the output file has them all
_COLOUR = {READY: "green", REFUSED: "red"}


def precheck_cmd(
    ruleset: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the published ruleset")],
    table: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                          help="filings: .xlsx, .csv, .jsonl or .json")],
    out_path: Annotated[Path | None, typer.Option("-o", "--out", dir_okay=False,
                                                  help="every row's result: .xlsx, .csv, .jsonl or .parquet")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as one JSON object on stdout")] = False,
    lists: Annotated[Path | None, typer.Option("--lists", exists=True, file_okay=False,
                                               help="a folder of list inputs as CSV, one file each "
                                                    "(instalments.csv …), keyed by case_id")] = None,
    court_key: KeyOpt = None,
    trust: TrustOpt = None,
) -> None:
    """Check every filing against the ruleset: ready, exceeds the legal limit, needs correction or not admissible."""
    try:
        rs = load(ruleset)
        data = table.read_bytes()
        result = precheck(rs, read_table(table, rs.checked, lists), ruleset_text=ruleset.read_bytes(), input_bytes=data,
                          input_name=table.name, evidence_dir=table.parent, court_key=court_key,
                          trust=[str(t) for t in trust or ()])
        if out_path is not None:
            write_results(result, out_path)
    except OSError as exc:
        report(RulesError.at(f"cannot read {exc.filename}: {exc.strerror}"))
        raise typer.Exit(1) from None
    except RulesError as exc:
        report(exc)
        raise typer.Exit(1) from None
    summary = result.summary
    console = err if as_json else out
    grid = RichTable(title=f"{table.name} — {summary.rows_read} 行 rows（{result.ruleset} {result.version}）",
                     title_justify="left")
    for heading in ("预审结论 verdict", "行数", "诉请", "依法可主张", "超出"):
        grid.add_column(heading, justify="left" if heading.startswith("预审") else "right", no_wrap=True)
    for verdict in VERDICTS:
        d = summary.by_verdict[verdict]
        grid.add_row(f"[{_COLOUR.get(verdict, 'yellow')}]{VERDICT_LABELS[verdict]}[/] {verdict}", str(d["rows"]),
                     yuan(d["claimed"]), yuan(d["claimable"]), yuan(d["excess"]))
    console.print(grid)
    if summary.blank_rows:
        console.print(f"空行 blank rows skipped: {summary.blank_rows}", markup=False)
    if summary.ignored_columns:
        console.print("未使用的列 columns the ruleset does not use: " + "、".join(summary.ignored_columns),
                      markup=False)
    for stray in summary.stray_list_rows[:SHOWN]:
        console.print(f"列表行未对应案件 list row without its case: {stray}", markup=False)
    flagged = [r for r in result.results if r.verdict != READY]
    for r in flagged[:SHOWN]:
        colour = _COLOUR.get(r.verdict, "yellow")
        console.print(f"  row {r.row} ({escape(r.case_id)}): [{colour}]{r.label} {r.verdict}[/] — "
                      + escape("; ".join(x.text() for x in r.reasons)))
    if len(flagged) > SHOWN:
        console.print(f"  … and {len(flagged) - SHOWN} more" + (f" (all in {out_path})" if out_path else
                                                                " (-o writes them all)"), markup=False)
    if out_path is not None:
        where = out_path if out_path.suffix.lower() == ".xlsx" else f"{out_path}, {summary_path(out_path)}"
        console.print(f"results: {where}", markup=False)
    if as_json:
        out.print(json.dumps(summary.as_json(), ensure_ascii=False), markup=False, soft_wrap=True)
    if flagged:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("precheck")(precheck_cmd)

"""`ruledsl precheck RULESET INPUT -o OUTPUT [--json] [--engine local|dask|spark] [--workers N]` —
the lenders' batch pre-check.

Exit status: 0 every row ready to file, 1 some row not ready (or the input cannot be read at
all: the message says why), 2 usage.  ``--json`` prints the summary as one JSON object on stdout
(everything else goes to stderr).  On a terminal a progress bar shows the rows checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable

from ruledsl.cli.console import err, out, report
from ruledsl.cli.rules import KeyOpt, TrustOpt
from ruledsl.core.errors import RulesError
from ruledsl.core.money import yuan
from ruledsl.precheck import READY, REFUSED, VERDICT_LABELS, VERDICTS
from ruledsl.precheck.batch import ENGINES, run_batch
from ruledsl.precheck.output import summary_path

_COLOUR = {READY: "green", REFUSED: "red"}


def precheck_cmd(
    ruleset: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the published ruleset")],
    table: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                          help="filings: .xlsx, .csv, .parquet, .jsonl or .json")],
    out_path: Annotated[Path | None, typer.Option("-o", "--out", dir_okay=False,
                                                  help="every row's result: .xlsx, .csv, .jsonl or .parquet")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as one JSON object on stdout")] = False,
    engine: Annotated[str, typer.Option("--engine", help="local (this process), dask (a local cluster of "
                                                         "--workers processes) or spark (PySpark)")] = "local",
    workers: Annotated[int, typer.Option("--workers", min=1, help="worker processes for dask or spark")] = 2,
    master: Annotated[str | None, typer.Option("--master", help="a Spark master URL (default local[WORKERS]), "
                                                                "e.g. spark://host:7077")] = None,
    lists: Annotated[Path | None, typer.Option("--lists", exists=True, file_okay=False,
                                               help="a folder of list inputs as CSV, one file each "
                                                    "(instalments.csv …), keyed by case_id")] = None,
    court_key: KeyOpt = None,
    trust: TrustOpt = None,
) -> None:
    """Check every filing against the ruleset: ready, exceeds the legal limit, needs correction or not admissible."""
    if engine not in ENGINES:
        err.print(f"--engine is local, dask or spark, not {engine!r}", markup=False)
        raise typer.Exit(2)
    console = err if as_json else out
    try:
        with Progress(TextColumn("预审 checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("rows", total=None)
            result = run_batch(ruleset, table, out_path, engine=engine, workers=workers, lists_dir=lists,
                               evidence_dir=table.parent, court_key=str(court_key) if court_key else None,
                               trust=tuple(str(t) for t in trust or ()), master=master,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
    except OSError as exc:
        report(RulesError.at(f"cannot read {exc.filename}: {exc.strerror}"))
        raise typer.Exit(1) from None
    except RulesError as exc:
        report(exc)
        raise typer.Exit(1) from None
    summary = result.summary
    grid = RichTable(title=f"{table.name} — {summary.rows_read} 行 rows（{summary.ruleset} {summary.version}）",
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
        console.print("未使用的列 columns the ruleset does not use: " + "、".join(summary.ignored_columns)
                      + "；本规则集的列 the ruleset's columns: " + "、".join(result.expected), markup=False)
    for stray in summary.stray_list_rows[:20]:
        console.print(f"列表行未对应案件 list row without its case: {stray}", markup=False)
    not_ready = summary.rows_read - summary.by_verdict[READY]["rows"]
    for rec in result.flagged:
        colour = _COLOUR.get(rec[2], "yellow")
        console.print(f"  row {rec[0]} ({escape(rec[1])}): [{colour}]{rec[3]} {rec[2]}[/] — "
                      + escape(rec[4].replace("\n", "; ")))
    if not_ready > len(result.flagged):
        console.print(f"  … and {not_ready - len(result.flagged)} more" + (
            f" (all in {out_path})" if out_path else " (-o writes them all)"), markup=False)
    if out_path is not None:
        where = out_path if out_path.suffix.lower() == ".xlsx" else f"{out_path}, {summary_path(out_path)}"
        console.print(f"results: {where}", markup=False)
    if as_json:
        out.print(json.dumps(summary.as_json(), ensure_ascii=False), markup=False, soft_wrap=True)
    if not_ready:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("precheck")(precheck_cmd)

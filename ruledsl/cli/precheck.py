"""`ruledsl precheck RULESET TABLE [--out results.xlsx]` — the lenders' batch pre-check.

Exit status: 0 every row ready to file, 1 some row incomplete or refused (or the table
cannot be read at all), 2 usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ruledsl.cli.console import out, report
from ruledsl.core.errors import RulesError
from ruledsl.precheck.run import INCOMPLETE, READY, REFUSED, precheck, write_results
from ruledsl.precheck.table import read_table
from ruledsl.ruleset import load

SHOWN = 20  # rows whose problems are printed; the --out sheet has them all


def precheck_cmd(
    ruleset: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the published ruleset")],
    table: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="filings: .xlsx, .csv or .jsonl")],
    out_path: Annotated[Path | None, typer.Option("--out", dir_okay=False,
                                                  help="write every row's result (.xlsx or .csv)")] = None,
) -> None:
    """Check every filing of a table against the ruleset: ready, incomplete (evidence) or refused, by row."""
    try:
        rs = load(ruleset)
        result = precheck(rs, read_table(table, rs.checked))
        if out_path is not None:
            write_results(result, out_path)
    except RulesError as exc:
        report(exc)
        raise typer.Exit(1) from None
    n = len(result.results)
    out.print(f"{table.name}: {n} rows — {result.count(READY)} ready, {result.count(INCOMPLETE)} incomplete, "
              f"{result.count(REFUSED)} refused ({result.ruleset} {result.version})", markup=False)
    if result.ignored_columns:
        out.print("columns the ruleset does not use (ignored): " + ", ".join(result.ignored_columns), markup=False)
    flagged = [r for r in result.results if r.status != READY]
    for r in flagged[:SHOWN]:
        colour = "red" if r.status == REFUSED else "yellow"
        out.print(f"  row {r.number}: [{colour}]{r.status}[/] — {escape('; '.join(r.problems))}")
    if len(flagged) > SHOWN:
        out.print(f"  … and {len(flagged) - SHOWN} more" + (f" (all in {out_path})" if out_path else
                                                            " (--out writes them all)"), markup=False)
    if out_path is not None:
        out.print(f"results: {out_path}", markup=False)
    if flagged:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("precheck")(precheck_cmd)

"""`ruledsl cases import RULESET INPUT --user USERNAME [--lender ORG] …` — 批量立案: a pre-check's ready
rows filed into the case store (:func:`ruledsl.service.filing.import_rows`).

The password comes from ``RULEDSL_PASSWORD`` or a hidden prompt, never from the command line.  The case
store is ``--db URL``, else ``RULEDSL_DB_URL``, else ``cases.db`` in the data dir.

Exit status: 0 every row was filed (or had been filed before), 1 some row was not ready or failed (or the
sign-in, the ruleset or the table failed: the message says why), 2 usage.  ``--json`` prints the report
as one JSON object on stdout (everything else goes to stderr).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable

from ruledsl.cli.console import err, out, report
from ruledsl.cli.rules import KeyOpt, TrustOpt
from ruledsl.core.errors import RulesError
from ruledsl.precheck import VERDICT_LABELS

cases_app = typer.Typer(help="The case store: 批量立案 (import a pre-check's ready rows).", no_args_is_help=True)

#: by outcome (service.filing's FILED, SKIPPED, NOT_READY, FAILED)
_COLOUR = {"filed": "green", "skipped": "cyan", "not_ready": "yellow", "failed": "red"}
#: rows shown in the terminal; every row is in --report
SHOWN = 200


@cases_app.command("import")
def import_cmd(
    ruleset: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the published ruleset")],
    table: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                          help="filings: .xlsx, .csv, .parquet, .jsonl or .json")],
    user: Annotated[str, typer.Option("--user", help="who files: a clerk, a judge or a lender's user")],
    db: Annotated[str | None, typer.Option("--db", help="the case store's URL (default: RULEDSL_DB_URL, "
                                                        "else cases.db in the data dir)")] = None,
    lender: Annotated[str | None, typer.Option("--lender", help="the lender whose batch this is (the plaintiff); "
                                                                "a lender's user files its own lender's")] = None,
    include: Annotated[str, typer.Option("--include", help="the verdicts to file, comma-separated: ready, "
                                                           "exceeds_limit (awarded what the law allows)")] = "ready",
    evidence_dir: Annotated[Path | None, typer.Option("--evidence-dir", exists=True, file_okay=False,
                                                      help="where the rows' evidence files are "
                                                           "(default: the table's folder)")] = None,
    court_key: KeyOpt = None,
    trust: TrustOpt = None,
    court_code: Annotated[str, typer.Option("--court-code", help="the court's code in the 案号")] = "浙0192",
    report_path: Annotated[Path | None, typer.Option("--report", dir_okay=False,
                                                     help="every row's outcome as CSV (UTF-8 with BOM)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as one JSON object on stdout")] = False,
) -> None:
    """批量立案: file the rows of a filing table that pass the pre-check, with their verified evidence."""
    # the case store (SQLAlchemy) is imported by this command only: every other command starts without it
    from sqlalchemy.exc import SQLAlchemyError

    from ruledsl.service.auth import sign_in, sign_out
    from ruledsl.service.evidence import EvidenceKeys
    from ruledsl.service.filing import MAY_INCLUDE, import_rows, write_report
    from ruledsl.store.cases import migrate, open_store

    chosen = tuple(v.strip() for v in include.split(",") if v.strip())
    if not chosen or any(v not in MAY_INCLUDE for v in chosen):
        err.print(f"--include is {' and/or '.join(MAY_INCLUDE)} (comma-separated), not {include!r}", markup=False)
        raise typer.Exit(2)
    password = os.environ.get("RULEDSL_PASSWORD") or typer.prompt("密码 password", hide_input=True, err=True)
    keys = EvidenceKeys(str(court_key), tuple(str(t) for t in trust or ())) if court_key else None
    console = err if as_json else out
    try:
        engine = open_store(db)
        migrate(engine)
    except (SQLAlchemyError, RulesError, OSError) as exc:
        err.print(f"cannot open the case store: {exc}", markup=False)
        raise typer.Exit(1) from None
    try:
        try:
            session = sign_in(engine, user, password)
        except RulesError as exc:
            report(exc)
            raise typer.Exit(1) from None
        try:
            if session.role != "lender" and not (lender or "").strip():
                err.print(f"--lender is required: {user} is a {session.role}, who files for a lender "
                          "(the plaintiff) that the command must name", markup=False)
                raise typer.Exit(2)
            with Progress(TextColumn("立案 filing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          console=err, transient=True, disable=not err.is_terminal) as bar:
                task = bar.add_task("rows", total=None)
                result = import_rows(engine, session, ruleset, table, lender=lender, keys=keys,
                                     evidence_dir=evidence_dir, include=chosen, court_code=court_code,
                                     progress=lambda done, total: bar.update(task, completed=done, total=total))
        except OSError as exc:
            report(RulesError.at(f"cannot read {exc.filename}: {exc.strerror}"))
            raise typer.Exit(1) from None
        except RulesError as exc:
            report(exc)
            raise typer.Exit(1) from None
        finally:
            sign_out(engine, session.token)
    finally:
        engine.dispose()
    _print(console, result, table)
    if report_path is not None:
        try:
            write_report(result, report_path)
        except OSError as exc:
            report(RulesError.at(f"cannot write {report_path}: {exc.strerror}"))
            raise typer.Exit(1) from None
        console.print(f"report: {report_path}", markup=False)
    if as_json:
        out.print(json.dumps(result.as_json(), ensure_ascii=False), markup=False, soft_wrap=True)
    if not result.ok:
        raise typer.Exit(1)


def _print(console, result, table: Path) -> None:  # type: ignore[no-untyped-def]
    """The rows as a table (their reasons below it, one line each, as the pre-check prints them), then the counts."""
    from ruledsl.service.filing import FILED, OUTCOME_LABELS, OUTCOMES

    grid = RichTable(title=f"{escape(table.name)} — {len(result.rows)} 行 rows（{result.ruleset} {result.version}）"
                           f" → {escape(result.lender)}", title_justify="left")
    for heading in ("行 row", "借据号 case_id", "预审结论 verdict", "案号 case number", "结果 outcome"):
        grid.add_column(heading, no_wrap=heading in ("行 row", "案号 case number"),
                        justify="right" if heading == "行 row" else "left")
    rows = result.rows if len(result.rows) <= SHOWN else [r for r in result.rows if r.outcome != FILED][:SHOWN]
    for r in rows:
        grid.add_row(str(r.row), escape(r.case_id), f"{VERDICT_LABELS[r.verdict]} {r.verdict}",
                     escape(r.case_number or "—"), f"[{_COLOUR[r.outcome]}]{OUTCOME_LABELS[r.outcome]} {r.outcome}[/]")
    console.print(grid)
    for r in rows:
        if r.outcome != FILED:
            console.print(f"  row {r.row} ({escape(r.case_id)}): [{_COLOUR[r.outcome]}]{OUTCOME_LABELS[r.outcome]} "
                          f"{r.outcome}[/] — {escape(r.reason)}")
    if len(rows) < len(result.rows):
        console.print(f"  … {len(result.rows) - len(rows)} more rows not shown (--report writes every row)",
                      markup=False)
    counts = result.counts
    console.print("  ".join(f"{OUTCOME_LABELS[o]} {o}: {counts[o]}" for o in OUTCOMES), markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")

"""The ruleset commands: check, test, fmt, eval, explain, schema.

Exit status: 0 ok, 1 errors in rules or input, 2 usage (typer's own).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ruledsl.cases.files import CaseFile, read_case_file
from ruledsl.cases.inputs import json_schema, parse_assignment
from ruledsl.cli.console import err, out, report
from ruledsl.core.errors import RulesError
from ruledsl.core.money import yuan
from ruledsl.core.text import read_text
from ruledsl.lang.fmt import LANGUAGES, format_text, language_of
from ruledsl.reports.sheet import (
    CLAIM_AMOUNTS,
    CLAIM_COLUMNS,
    LedgerSheet,
    ValueTable,
    case_sheet,
    claim_rows,
    evidence_rows,
    heading,
    words,
)
from ruledsl.review import Evidence, decide_case
from ruledsl.ruleset import Decision, Ruleset, check_text, load
from ruledsl.ruleset.examples import run_examples
from ruledsl.runtime.ledger import LedgerResult

#: a table cell that is an amount (right-aligned)
MONEY_CELL = re.compile(r"-?[0-9][0-9,]*\.[0-9]{2}")

Files = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True, help="ruleset files")]
RulesetArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="ruleset file")]
CaseOpt = Annotated[Path | None, typer.Option("--case", exists=True, dir_okay=False,
                                              help="case JSON file (input names → values)")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="name=value, repeatable; overrides --case")]
KeyOpt = Annotated[Path | None, typer.Option("--court-key", exists=True, dir_okay=False, envvar="RULEDSL_COURT_KEY",
                                             help="the court's public key, to verify the case's evidence files")]
TrustOpt = Annotated[list[Path] | None, typer.Option("--trust", exists=True,
                                                     help="trusted root certificates (PEM) for signatures and "
                                                          "timestamps, repeatable")]


MessagesOpt = Annotated[str | None, typer.Option("--lang", help="messages in en (English) or zh (中文); "
                                                                "default: the language of the file's keywords")]


def _messages_lang(lang: str | None, path: Path) -> str:
    """The language a file's messages are written in: ``--lang``, else its keywords' (规则集 … → zh)."""
    if lang is not None:
        if lang not in LANGUAGES:
            err.print(f"--lang is en or zh, not {lang!r}", markup=False)
            raise typer.Exit(2)
        return lang
    try:
        return language_of(read_text(path))
    except RulesError:  # not text, or not a ruleset at all: the reader's message says so, in English
        return "en"


def check_cmd(files: Files,
              strict: Annotated[bool, typer.Option("--strict", help="warnings are errors (an award line that "
                                                                     "cites no law, a source no rule cites)")]
              = False, lang: MessagesOpt = None) -> None:
    """Parse and check ruleset files; print every error with its location."""
    failed = 0
    for path in files:
        words = _messages_lang(lang, path)
        try:
            checked = check_text(read_text(path), str(path), path.parent, cached=True)
        except RulesError as exc:
            report(exc, words)
            failed += 1
            continue
        if strict and checked.warnings:
            report(RulesError([replace(w, severity="error") for w in checked.warnings]), words)
            failed += 1
            continue
        for warning in checked.warnings:
            err.print(warning.render(words), markup=False)
        out.print(f"{path}: ok ({checked.summary()})", markup=False)
    if failed:
        err.print(f"{failed} of {len(files)} files have errors")
        raise typer.Exit(1)


def test_cmd(files: Files, lang: MessagesOpt = None) -> None:
    """Run the example blocks of ruleset files; ends with `N passed, M failed`."""
    passed = failed = 0
    for path in files:
        try:
            ruleset = load(path)
        except RulesError as exc:
            report(exc, _messages_lang(lang, path))
            failed += 1
            continue
        out.print(str(path), markup=False)
        for result in run_examples(ruleset):
            where = f"{path}:{result.span.line}"
            if result.passed:
                passed += 1
                out.print(f"  [green]✓[/] {escape(result.title)}")
                continue
            failed += 1
            out.print(f"  [red]✗[/] {escape(result.title)}  [dim]({escape(where)})[/]")
            for line in ([result.error] if result.error else result.failures):
                out.print(f"      {line}", markup=False)
    out.print(f"{passed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


def fmt_cmd(files: Files,
            check: Annotated[bool, typer.Option("--check", help="report files that would change; write nothing")]
            = False,
            lang: Annotated[str | None, typer.Option("--lang", help="the keywords in en (English) or zh (中文); "
                                                                   "default: the file's own")] = None) -> None:
    """Rewrite ruleset files in the canonical layout (comments kept), the keywords in English or Chinese."""
    if lang is not None and lang not in LANGUAGES:
        err.print(f"--lang is en or zh, not {lang!r}", markup=False)
        raise typer.Exit(2)
    changed = 0
    errors = 0
    for path in files:
        try:
            text = read_text(path)
            formatted = format_text(text, str(path), lang)
        except RulesError as exc:
            report(exc)
            errors += 1
            continue
        if formatted == text:
            continue
        changed += 1
        if check:
            out.print(f"would reformat {path}", markup=False)
        else:
            path.write_text(formatted, encoding="utf-8")
            out.print(f"reformatted {path}", markup=False)
    if errors or (check and changed):
        raise typer.Exit(1)


def decide(ruleset_path: Path, case: Path | None, sets: list[str] | None,
           court_key: Path | None = None, trust: list[Path] | None = None) -> tuple[Ruleset, Decision]:
    """Read the case (file, then ``--set`` overrides), verify the evidence files it declares, decide it."""
    try:
        ruleset = load(ruleset_path)
        named = read_case_file(case, ruleset_path) if case is not None else CaseFile(Path("--set"), "--set",
                                                                                    ruleset_path, {})
        inputs = dict(named.inputs)  # plain inputs, or a wrapped {"title", "ruleset", "case"}
        for item in sets or []:
            name, value = parse_assignment(item)
            inputs[name] = value
        files = case.parent if case is not None else Path.cwd()
        return decide_case(replace(named, inputs=inputs), Evidence(court_key, tuple(trust or ())), ruleset,
                           files=files)
    except RulesError as exc:
        report(exc)
        raise typer.Exit(1) from None


def eval_cmd(ruleset: RulesetArg, case: CaseOpt = None, set_: SetOpt = None, court_key: KeyOpt = None,
             trust: TrustOpt = None,
             as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
             emit_python: Annotated[bool, typer.Option("--emit-python", help="print the generated Python, with its constants and rule lines as comments")]
             = False) -> None:
    """Decide a case: award lines, evidence findings and route."""
    if emit_python:
        try:
            out.print(load(ruleset).annotated_python, markup=False)
        except RulesError as exc:
            report(exc)
            raise typer.Exit(1) from None
        return
    rs, decision = decide(ruleset, case, set_, court_key, trust)
    if as_json:
        sys.stdout.write(json.dumps(decision.as_json(), ensure_ascii=False, indent=2) + "\n")
        return
    labels = {name: rs.checked.definitions[name].label for name in rs.checked.awards}
    table = Table(title=escape(f"{decision.ruleset} {decision.version}"), show_lines=False)
    table.add_column("award line")
    table.add_column("项目")
    table.add_column("amount (元)", justify="right")
    for name, money in decision.award.items():
        table.add_row(escape(name), escape(labels.get(name) or ""), yuan(money))
    out.print(table)
    for name, value in decision.values.items():  # what a ledger notes (acceleration, a repayment beyond the debt)
        if isinstance(value, LedgerResult):
            for note in value.award.notes:
                out.print(f"注 note ({name}): {note}", markup=False)
    print_claim(claim_rows(decision, {n: d.label for n, d in rs.checked.definitions.items()}))
    print_evidence(evidence_rows(decision))
    for refusal in decision.refusals:
        law = "；".join(refusal.citations)
        out.print(f"不予受理 not admissible: {refusal.message}" + (f"（{law}）" if law else ""), markup=False)
    if decision.route:
        out.print(f"route: {decision.route}", markup=False)


def print_claim(rows: list[dict], lang: str = "zh") -> None:
    """Claimed against allowed by law, line by line (a case that states a claim)."""
    if not rows:
        return
    table = Table(title=escape(words("claim", lang)))
    for key in CLAIM_COLUMNS:
        table.add_column(escape(heading(key, lang)), justify="right" if key in CLAIM_AMOUNTS else "left")
    for r in rows:
        table.add_row(*(escape(r[k]) for k in CLAIM_COLUMNS))
    out.print(table)


def print_evidence(rows: list[dict], lang: str = "zh") -> None:
    """The evidence findings of a case sheet, coloured by state."""
    if not rows:
        return
    table = Table(title=escape(words("evidence", lang)))
    for col in ("kind", "status", "reason", "law"):
        table.add_column(escape(heading(col, lang)))
    for r in rows:
        colour = "green" if r["satisfied"] else ("yellow" if r["severity"] == "warning" or r["status"] == "declared"
                                                 else "red")
        table.add_row(escape(r["kind"]), f"[{colour}]{escape(r['status'])}[/]", escape(r["reason"]), escape(r["law"]))
    out.print(table)


def explain_cmd(ruleset: RulesetArg, case: CaseOpt = None, set_: SetOpt = None, court_key: KeyOpt = None,
                trust: TrustOpt = None,
                pdf: Annotated[Path | None, typer.Option("--pdf", dir_okay=False,
                                                         help="also write the calculation sheet (裁判金额计算书) "
                                                              "as a PDF")] = None) -> None:
    """Show how every figure was reached: rule, line, inputs, value, law."""
    rs, decision = decide(ruleset, case, set_, court_key, trust)
    print_explanation(rs, decision)
    if pdf is not None:
        from ruledsl.reports.calculation import write_calculation_sheet

        try:
            named = read_case_file(case) if case is not None else None
            write_calculation_sheet(case_sheet(rs, decision, named and named.title, named.parties if named else ()),
                                    pdf)
        except RulesError as exc:
            report(exc)
            raise typer.Exit(1) from None
        out.print(f"calculation sheet: {pdf}", markup=False)


def print_explanation(rs: Ruleset, decision: Decision, title: str | None = None) -> None:
    """How every figure was reached, in the ruleset's language (``language "zh"``: Chinese headings,
    the English beside): the inputs, each once (a list as a table of its own); the rule steps, each
    naming what it read; for each loan ledger its calculation (segments, caps, repayments); the award,
    with what any cap removed in words; the claim and the evidence.  Rows from
    :func:`ruledsl.reports.sheet.case_sheet`, which the judge assistant shows too."""
    sheet = case_sheet(rs, decision)
    lang = sheet.language
    name = title or f"{decision.ruleset} {decision.version} — {words('explanation', lang)}"
    out.print(name, markup=False)
    if sheet.refusals:
        print_rows(f"{words('admissibility', lang)}: {'不予受理' if lang == 'zh' else 'not admissible (不予受理)'}",
                   sheet.refusals, ("message", "law"), lang=lang)
    elif sheet.grounds:
        out.print(f"{words('admissibility', lang)}: "
                  + ("未见不予受理的情形" if lang == "zh" else "no ground refuses the case"), markup=False)
    print_rows(words("inputs", lang), sheet.facts, ("label", "name", "value") if lang == "zh" else ("name", "label", "value"),
               lang=lang, headers={"value": heading("given", lang), "name": heading("input", lang)})
    for table in sheet.tables:
        if not table.computed:
            print_table(table, lang)
    print_rows(words("steps", lang), sheet.steps, ("rule", "line", "from", "value", "law"), lang=lang,
               show_lines=True)
    for table in sheet.tables:
        if table.computed:
            print_table(table, lang)
    for ledger in sheet.ledgers:
        print_calculation(ledger, lang)
    awards = [{**a, "item": a["label"] or a["name"], "what": a["cap"]} for a in sheet.awards]
    print_rows(words("award", lang), awards, ("item", "figure", "what"), lang=lang, right=("figure",))
    if sheet.claim:
        print_claim(sheet.claim, lang)
    print_evidence(sheet.evidence, lang)
    if sheet.route:
        out.print(f"{words('route', lang)}: {sheet.route}", markup=False)


def print_table(table: ValueTable, lang: str = "en") -> None:
    """A list value (the repayments, a schedule the rules build), once."""
    title = f"{table.label} {table.name}" if lang == "zh" and table.label else \
        f"{table.name} {table.label}".strip()
    rich = Table(title=escape(title))
    for key, head in table.columns:
        money = any(MONEY_CELL.fullmatch(r[key]) for r in table.rows)
        rich.add_column(escape(head), justify="right" if money or key == "#" else "left")
    for row in table.rows:
        rich.add_row(*(escape(row[k]) for k, _ in table.columns))
    out.print(rich)


def print_calculation(ledger: LedgerSheet, lang: str = "en") -> None:
    """A judge's calculation sheet for one ledger (计算明细): every segment, cut and allocation."""
    bases = {r["basis"] for r in ledger.segments} - {"—"}
    columns = ("component", "#", "start", "end", "days", "base", "rate", "basis", "amount", "rule", "law")
    if len(bases) <= 1:  # one basis throughout: the note under the table says it
        columns = tuple(c for c in columns if c != "basis")
    print_rows(f"{ledger.name} — {words('calculation', lang)}: {words('segments', lang)}", ledger.segments, columns,
               right=("days", "base", "amount"), lang=lang, headers={"rule": heading("what", lang)})
    print_rows(words("cuts", lang), ledger.cuts,
               ("cap", "start", "end", "days", "accrued", "allowed", "removed", "law"), lang=lang,
               right=("days", "accrued", "allowed", "removed"))
    print_rows(words("allocations", lang), ledger.allocations, ("paid_on", "amount", "applied_to", "law"),
               lang=lang, right=("amount",))
    for note in ledger.notes:
        out.print(f"{words('note', lang)}: {note}", markup=False)


def print_rows(title: str, rows: list[dict], columns: tuple[str, ...], headers: dict[str, str] | None = None,
               right: tuple[str, ...] = (), show_lines: bool = False, lang: str = "zh") -> None:
    """One table of a case sheet (nothing when it has no rows): each column headed by
    :func:`~ruledsl.reports.sheet.heading` in ``lang``, or as ``headers`` names it."""
    if not rows:
        return
    table = Table(title=escape(title), show_lines=show_lines)
    for col in columns:
        table.add_column(escape((headers or {}).get(col) or heading(col, lang)), overflow="fold",
                         justify="right" if col in right else "left")
    for row in rows:
        table.add_row(*(escape(row[col]) for col in columns))
    out.print(table)


def schema_cmd(
    ruleset: RulesetArg,
    fmt: Annotated[str, typer.Option("--format", help="json (the JSON Schema), xlsx or csv (a filing template)")] = "json",
    out_path: Annotated[Path | None, typer.Option("-o", "--out", dir_okay=False, help="write it here")] = None,
) -> None:
    """The ruleset's case inputs: a JSON Schema, or a filing template a risk team fills in (xlsx, csv)."""
    if fmt not in ("json", "xlsx", "csv"):
        err.print(f"--format is json, xlsx or csv, not {fmt!r}", markup=False)
        raise typer.Exit(2)
    if fmt != "json" and out_path is None:
        err.print(f"a {fmt} template is a file: give -o template.{fmt}", markup=False)
        raise typer.Exit(2)
    try:
        rs = load(ruleset)
        if fmt == "json":
            text = json.dumps(json_schema(rs.checked), ensure_ascii=False, indent=2) + "\n"
            if out_path is None:
                sys.stdout.write(text)
            else:
                out_path.write_text(text, encoding="utf-8")
            return
        from ruledsl.precheck.template import write_csv, write_workbook

        (write_workbook if fmt == "xlsx" else write_csv)(rs, out_path)
    except RulesError as exc:
        report(exc)
        raise typer.Exit(1) from None
    out.print(f"template: {out_path} ({rs.checked.name} {rs.checked.version})", markup=False)


def register(app: typer.Typer) -> None:
    app.command("check")(check_cmd)
    app.command("test")(test_cmd)
    app.command("fmt")(fmt_cmd)
    app.command("eval")(eval_cmd)
    app.command("explain")(explain_cmd)
    app.command("schema")(schema_cmd)

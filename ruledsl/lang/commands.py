"""The language commands of the CLI: check, test, fmt, eval, explain, schema.

Exit status: 0 ok, 1 errors in rules or input, 2 usage (typer's own).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..cases.evidence import attach_evidence
from ..cases.inputs import json_schema, load_case_json, parse_assignment
from ..runtime.ledger import LedgerResult
from ..runtime.rates import format_rate
from ..runtime.values import display
from .errors import RulesError
from .examples import run_examples
from .fmt import format_text
from .loader import Decision, Ruleset, check_text, load

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

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


def report(exc: RulesError) -> None:
    """Print every diagnostic of an error to stderr, exactly as rendered."""
    err.print(str(exc), markup=False)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # files saved by Notepad start with a BOM
    except UnicodeDecodeError as exc:
        raise RulesError.at(f"{path}: not UTF-8 text (byte {exc.start})") from None


def check_cmd(files: Files) -> None:
    """Parse and check ruleset files; print every error with its location."""
    failed = 0
    for path in files:
        try:
            checked = check_text(read_text(path), str(path), path.parent)
        except RulesError as exc:
            report(exc)
            failed += 1
            continue
        for warning in checked.warnings:
            err.print(warning.render(), markup=False)
        out.print(f"{path}: ok ({len(checked.definitions)} rules, {len(checked.examples)} examples)", markup=False)
    if failed:
        err.print(f"{failed} of {len(files)} files have errors")
        raise typer.Exit(1)


def test_cmd(files: Files) -> None:
    """Run the example blocks of ruleset files; ends with `N passed, M failed`."""
    passed = failed = 0
    for path in files:
        try:
            ruleset = load(path)
        except RulesError as exc:
            report(exc)
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
            = False) -> None:
    """Rewrite ruleset files in the canonical layout (comments kept)."""
    changed = 0
    errors = 0
    for path in files:
        text = read_text(path)
        try:
            formatted = format_text(text, str(path))
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


def gather_case(ruleset_path: Path, case: Path | None, sets: list[str] | None,
                court_key: Path | None = None, trust: list[Path] | None = None) -> tuple[Ruleset, dict, str]:
    """Read the case (file, then ``--set`` overrides) and verify the evidence files it declares."""
    ruleset = load(ruleset_path)
    data: dict[str, Any] = {}
    origin = "--set"
    if case is not None:
        data = load_case_json(read_text(case), str(case))
        origin = str(case)
    for item in sets or []:
        name, value = parse_assignment(item)
        data[name] = value
    base = case.parent if case is not None else Path.cwd()
    data = attach_evidence(data, base, court_key, [str(t) for t in trust or []],
                           frozenset(ruleset.checked.input_types))
    return ruleset, data, origin


def decide(ruleset_path: Path, case: Path | None, sets: list[str] | None,
           court_key: Path | None = None, trust: list[Path] | None = None) -> tuple[Ruleset, Decision]:
    try:
        ruleset, data, origin = gather_case(ruleset_path, case, sets, court_key, trust)
        return ruleset, ruleset.evaluate(data, origin)
    except RulesError as exc:
        report(exc)
        raise typer.Exit(1) from None


def eval_cmd(ruleset: RulesetArg, case: CaseOpt = None, set_: SetOpt = None, court_key: KeyOpt = None,
             trust: TrustOpt = None,
             as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
             emit_python: Annotated[bool, typer.Option("--emit-python", help="print the generated Python")]
             = False) -> None:
    """Decide a case: award lines, evidence findings and route."""
    if emit_python:
        try:
            out.print(load(ruleset).python_source, markup=False)
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
        table.add_row(escape(name), escape(labels.get(name) or ""), f"{money.amount:,.2f}")
    out.print(table)
    print_evidence(decision)
    if decision.route:
        out.print(f"route: {decision.route}", markup=False)


def print_evidence(decision: Decision) -> None:
    if not decision.evidence:
        return
    table = Table(title="evidence 证据")
    for col in ("kind", "status", "reason", "law"):
        table.add_column(col)
    for r in decision.evidence:
        colour = "green" if r.satisfied else ("yellow" if r.severity == "warning" else "red")
        reason = r.reason + (f" — {r.message}" if r.message else "")
        table.add_row(escape(r.kind), f"[{colour}]{r.status}[/]", escape(reason), escape("; ".join(r.citations)))
    out.print(table)


def explain_cmd(ruleset: RulesetArg, case: CaseOpt = None, set_: SetOpt = None, court_key: KeyOpt = None,
                trust: TrustOpt = None) -> None:
    """Show how every figure was reached: rule, line, inputs, value, law."""
    rs, decision = decide(ruleset, case, set_, court_key, trust)
    print_explanation(rs, decision)


def print_explanation(rs: Ruleset, decision: Decision, title: str | None = None) -> None:
    """The trace as a table — one row per rule that produced a value, with its law — then, for
    each loan ledger, its calculation sheet: segments, caps and allocations."""
    table = Table(title=escape(title or f"{decision.ruleset} {decision.version} — explanation"), show_lines=True)
    for col in ("rule", "line", "from", "value", "law"):
        table.add_column(col, overflow="fold")
    ledgers: list[tuple[str, LedgerResult]] = []
    for e in decision.trace:
        if e.kind == "input":
            continue
        if isinstance(e.value, LedgerResult):
            ledgers.append((e.rule, e.value))
        name = e.rule + (f"\n{e.label}" if e.label else "")
        inputs = "\n".join(
            f"{k} = ledger (calculation below)" if isinstance(v, LedgerResult) else f"{k} = {display(v, rs.types.get(k))}"
            for k, v in e.inputs.items())
        if e.note:
            inputs = (inputs + "\n" if inputs else "") + e.note
        value = display(e.value, rs.types.get(e.rule)) if e.kind != "route" else str(e.value)
        if isinstance(e.value, LedgerResult):
            value = value.replace(", ", "\n")
        table.add_row(escape(name), str(e.span.line if e.span else ""), escape(inputs), escape(value),
                      escape("\n".join(e.citations)))
    out.print(table)
    for name, ledger in ledgers:
        print_calculation(name, ledger)
    print_evidence(decision)
    if decision.route:
        out.print(f"route: {decision.route}", markup=False)


def print_calculation(name: str, ledger: LedgerResult) -> None:
    """A judge's calculation sheet for one ledger (计算明细): every segment, cut and allocation."""
    award = ledger.award
    seg = Table(title=escape(f"{name} — 计算明细 segments"), show_lines=False)
    for col in ("line", "#", "from", "to", "days", "base", "rate", "basis", "amount", "rule", "law"):
        seg.add_column(col, overflow="fold", justify="right" if col in ("days", "base", "amount") else "left")
    for s in award.segments:
        seg.add_row(s.component, str(s.instalment or ""), str(s.start), str(s.end), str(s.days), f"{s.base:,}",
                    escape(f"{format_rate(s.rate)} ({s.rate_source})"), str(s.basis), f"{s.amount:,}",
                    escape(s.rule), escape(s.citation))
    out.print(seg)
    if award.cuts:
        cuts = Table(title="caps 限额 — what was removed and why")
        for col in ("cap", "from", "to", "days", "accrued", "allowed", "removed", "law"):
            cuts.add_column(col, overflow="fold")
        for c in award.cuts:
            cuts.add_row(escape(f"{c.cap} ({c.kind}) {c.base:,} × {format_rate(c.cap_rate)}"), str(c.start),
                         str(c.end), str(c.days), f"{c.accrued:,}", f"{c.allowed:,}", f"{c.removed:,}",
                         escape(c.citation))
        out.print(cuts)
    if award.allocations:
        alloc = Table(title="repayments 还款冲抵 — how each payment was applied")
        for col in ("paid on", "amount", "applied to", "law"):
            alloc.add_column(col, overflow="fold")
        for a in award.allocations:
            parts = "\n".join(f"{c}{' #' + str(i) if i else ''} {amt:,}" for c, i, amt in a.parts)
            alloc.add_row(str(a.paid_on), f"{a.amount:,}", escape(parts), escape(a.citation))
        out.print(alloc)
    for note in award.notes:
        out.print(f"note: {note}", markup=False)


def schema_cmd(ruleset: RulesetArg) -> None:
    """Print the JSON Schema of the ruleset's case inputs."""
    try:
        rs = load(ruleset)
    except RulesError as exc:
        report(exc)
        raise typer.Exit(1) from None
    sys.stdout.write(json.dumps(json_schema(rs.checked), ensure_ascii=False, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    app.command("check")(check_cmd)
    app.command("test")(test_cmd)
    app.command("fmt")(fmt_cmd)
    app.command("eval")(eval_cmd)
    app.command("explain")(explain_cmd)
    app.command("schema")(schema_cmd)

"""The batch pre-check: every row of a filing table through the published ruleset, one verdict each.

A risk team acts on the verdict of each row, most serious first (a row failing in several ways
lists every reason and takes the most serious verdict):

* ``not_admissible`` 不予受理 — the ruleset's own grounds of admissibility (its ``admissibility:``
  section) refuse the case; every ground the row meets is a reason;
* ``needs_correction`` 需补正 — a value cannot be read or does not fit the ruleset, a rule fails on
  the row, its case id is given twice, or evidence is missing, unsigned, late or tampered;
* ``exceeds_limit`` 超出法定上限 — the claim as filed asks more, on some award line, than the rules
  allow (the court would award no more than the law allows: file the claimable amount);
* ``ready`` 可立案.

For each award line a row gives what is claimable (what the law allows, before the claim limits
it), what the row claims (when it states a claim) and the excess; the ``total`` line sums them.
Decided rows are computed with the compiled rules in one batch (:meth:`Ruleset.call_batch`).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruledsl.cases.evidence import DECLARATIONS, attach_evidence
from ruledsl.cases.inputs import case_reader, parse_case
from ruledsl.core.errors import RulesError
from ruledsl.core.messages import to_chinese
from ruledsl.core.money import Money, yuan
from ruledsl.precheck.table import CASE_KEY, Row, Table, read_cells
from ruledsl.ruleset import Ruleset

READY, EXCEEDS, CORRECTION, REFUSED = "ready", "exceeds_limit", "needs_correction", "not_admissible"
#: the verdicts, least serious first: a row takes the most serious of its reasons
VERDICTS = (READY, EXCEEDS, CORRECTION, REFUSED)
VERDICT_LABELS = {READY: "可立案", EXCEEDS: "超出法定上限", CORRECTION: "需补正", REFUSED: "不予受理"}
_RANK = {v: k for k, v in enumerate(VERDICTS)}
TOTAL = "total"  # the award line that sums the others, in every loan ruleset
ADMISSIBILITY = "受理审查"  # where a reason of admissibility comes from (the ruleset's `admissibility:`)
ZERO = Money(0)
_LEADING_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[\[.:\s]")
_NAMED = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)[\[.`]")  # the first input a message names
#: an evidence requirement's status, as the reason shows it
EVIDENCE_STATUS = {"missing": "未提交", "declared": "仅声明，未经核验", "unsigned": "未经电子签名", "late": "未按时存证",
                   "early": "存证早于规定期间",
                   "tampered": "与存证不符、已被改动", "unverifiable": "无法核验"}


def worst(verdicts: Iterable[str]) -> str:
    """The most serious of ``verdicts`` (:data:`VERDICTS`), READY when there are none."""
    return max(verdicts, key=_RANK.__getitem__, default=READY)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a row is not ready: where (a column, a rule, an evidence item), what, the law behind it."""

    verdict: str
    where: str
    message: str
    citation: str = ""

    def text(self) -> str:
        return f"{self.where}: {self.message}" + (f"（{self.citation}）" if self.citation else "")


@dataclass(frozen=True, slots=True)
class LineFigures:
    """One award line of a row: claimable (what the law allows), claimed (None: the row states no
    claim) and the excess of the claim over it (None likewise)."""

    claimable: Money
    claimed: Money | None = None
    excess: Money | None = None


@dataclass
class RowVerdict:
    """One row's outcome: its row number, case id, reasons, figures per award line and route stage."""

    row: int
    case_id: str
    reasons: list[Reason] = field(default_factory=list)
    lines: dict[str, LineFigures] = field(default_factory=dict)  # empty when the row was not computed
    stage: str | None = None

    @property
    def verdict(self) -> str:
        return worst(r.verdict for r in self.reasons)

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def headline(self) -> LineFigures | None:
        return headline(self.lines)


def headline(lines: dict[str, LineFigures]) -> LineFigures | None:
    """A row's figures in total (its ``total`` line, else the sum of its lines), or None when it was
    not computed."""
    if not lines or TOTAL in lines:
        return lines.get(TOTAL)
    return _sum(list(lines.values()))


@dataclass
class Summary:
    """What a batch came to: rows read and written, counts and totals per verdict, what was checked."""

    ruleset: str
    version: str
    ruleset_sha256: str
    input_file: str
    input_sha256: str
    rows_read: int
    rows_written: int
    blank_rows: int
    seconds: float
    ignored_columns: list[str]
    by_verdict: dict[str, dict[str, Any]]
    #: rows of list sheets that no case row claims ("sheet!row: why"): reported, not silently dropped
    stray_list_rows: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset, "version": self.version, "ruleset_sha256": self.ruleset_sha256,
            "input_file": self.input_file, "input_sha256": self.input_sha256,
            "rows_read": self.rows_read, "rows_written": self.rows_written, "blank_rows_skipped": self.blank_rows,
            "seconds": round(self.seconds, 3), "ignored_columns": self.ignored_columns,
            "stray_list_rows": self.stray_list_rows,
            "verdicts": {v: {"label": VERDICT_LABELS[v], "rows": d["rows"],
                             **{k: str(d[k]) for k in ("claimed", "claimable", "excess")}}
                         for v, d in self.by_verdict.items()},
        }


@dataclass
class Precheck:
    ruleset: str
    version: str
    lines: list[str]              # the ruleset's award lines, in its order
    labels: dict[str, str]        # award line → its label
    results: list[RowVerdict]
    summary: Summary

    def count(self, verdict: str) -> int:
        return self.summary.by_verdict[verdict]["rows"]


@dataclass
class Options:
    """What every part of a batch needs beside its rows (picklable: it goes to the pre-check's workers).

    ``evidence_dir``, ``court_key`` and ``trust`` verify the rows' ``evidence_files`` (paths from
    ``evidence_dir``) against the court's key and the trust roots, as a case file's are
    (:func:`ruledsl.cases.evidence.attach_evidence`): only what verifies meets an evidence rule.
    ``duplicates`` maps each case id given by more than one row to those rows (``"2、5"``), found over
    the whole batch before it is split; ``headings`` maps an input to the heading its column has."""

    evidence_dir: str | None = None
    court_key: str | None = None
    trust: tuple[str, ...] = ()
    duplicates: dict[str, str] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, columns: dict[str, str], twice: dict[str, str], evidence_dir: str | os.PathLike | None = None,
           court_key: str | os.PathLike | None = None, trust=()) -> Options:
        """The options of a whole table — its columns (heading → input), its case ids given twice
        (:func:`index_rows`) — and how to verify its evidence."""
        return cls(str(evidence_dir) if evidence_dir else None, str(court_key) if court_key else None,
                   tuple(str(t) for t in trust or ()), twice, {n: h for h, n in columns.items()})


def award_labels(ruleset: Ruleset) -> dict[str, str]:
    """Each award line → its label (its name when it has none)."""
    c = ruleset.checked
    return {name: c.definitions[name].label or name for name in c.awards}


def precheck(ruleset: Ruleset, table: Table, *, ruleset_text: bytes = b"", input_bytes: bytes = b"",
             input_name: str = "", evidence_dir: Path | None = None, court_key: str | os.PathLike | None = None,
             trust: list[str] | None = None) -> Precheck:
    """Check every row of ``table`` against ``ruleset``; no row stops the others (in this process; the
    CLI's batch runner, :mod:`ruledsl.precheck.batch`, splits a large batch over workers).

    ``ruleset_text`` and ``input_bytes`` are hashed into the summary (SHA-256), so a filing can
    prove which rules and which file were checked."""
    started = time.perf_counter()
    checked = ruleset.checked
    twice, _, _ = index_rows((row.number, row.case_id()) for row in table.rows)
    ordered = judge_rows(ruleset, table.rows, Options.of(table.columns, twice, evidence_dir, court_key, trust))
    lines = list(checked.awards)
    summary = make_summary(ruleset, tally_records([text_record(r, lines) for r in ordered], lines), table,
                           hashlib.sha256(ruleset_text).hexdigest(), hashlib.sha256(input_bytes).hexdigest(),
                           input_name, time.perf_counter() - started)
    return Precheck(checked.name, checked.version, lines, award_labels(ruleset), ordered, summary)


def index_rows(keys: Iterable[tuple[int, str | None]]) -> tuple[dict[str, str], set[str], int]:
    """One pass over a table's rows, as (row number, case id or None): each case id more than one row gives
    → those rows' numbers (``"2、5"``: every one is flagged, none dropped; see :func:`_rows_text`), the case ids given, and the
    number of rows.  A row without a case id is named by its row (``row-7``), as its output row is."""
    first: dict[str, int] = {}
    more: dict[str, list[int]] = {}
    given: set[str] = set()
    count = 0
    for number, case_id in keys:
        count += 1
        if case_id is not None:
            given.add(case_id)
        key = case_id or f"row-{number}"
        if key in first:
            more.setdefault(key, [first[key]]).append(number)
        else:
            first[key] = number
    return {key: _rows_text(numbers) for key, numbers in more.items()}, given, count


#: rows a duplicate's reason names; past them it gives the count (a cell stays readable, and within
#: Excel's 32,767 characters however many rows share the id)
DUPLICATE_ROWS_NAMED = 10


def _rows_text(numbers: list[int]) -> str:
    """``2、5`` — or, for more than :data:`DUPLICATE_ROWS_NAMED` rows, the first of them and the count."""
    if len(numbers) <= DUPLICATE_ROWS_NAMED:
        return "、".join(map(str, numbers))
    return "、".join(map(str, numbers[:DUPLICATE_ROWS_NAMED])) + f" 等共 {len(numbers):,} "


def judge_rows(ruleset: Ruleset, rows: list[Row], options: Options) -> list[RowVerdict]:
    """Each row's verdict, reasons and figures, in row order (one part of a batch, or all of it)."""
    checked = ruleset.checked
    by_name = options.headings
    evidence_dir = Path(options.evidence_dir) if options.evidence_dir else None
    results: dict[int, RowVerdict] = {}
    typed: list[tuple[RowVerdict, dict[str, Any], bool]] = []
    read = case_reader(checked)
    said: dict[int, tuple] = {}  # id(finding) → (finding, its reason)
    zh = checked.language == "zh"  # the reasons speak the ruleset's language (中文 where it is zh)
    for row in rows:
        read_cells(row, checked)
        verdict = RowVerdict(row.number, row.case_id() or f"row-{row.number}")  # as index_rows() names it
        results[row.number] = verdict
        verdict.reasons += [Reason(CORRECTION, where, _in(message, zh)) for where, message in row.problems]
        if verdict.case_id in options.duplicates:
            verdict.reasons.append(Reason(CORRECTION, CASE_KEY, f"借据号 {verdict.case_id} 重复"
                                                              f"（第 {options.duplicates[verdict.case_id]} 行）"))
        if row.problems:  # the other cells are still read, so that every reason is listed at once
            bad = {where for where, _ in row.problems}
            rest = {k: v for k, v in row.inputs.items() if k != DECLARATIONS}
            try:
                parse_case(checked, rest, f"row {row.number}")
            except RulesError as exc:  # a cell already refused is not reported again as missing
                verdict.reasons += [r for r in _reasons(exc, f"row {row.number}: ", by_name, zh) if r.where not in bad]
            continue
        inputs = row.inputs
        try:
            values = read(inputs)  # a well-formed row without evidence files; else the case parser, which explains
            if values is None:
                inputs = dict(inputs)
                verified = None
                if DECLARATIONS in inputs:
                    _, verified = attach_evidence({DECLARATIONS: inputs.pop(DECLARATIONS)},
                                                  evidence_dir or Path.cwd(), options.court_key,
                                                  list(options.trust) or None)
                values = parse_case(checked, inputs, f"row {row.number}", verified)
            findings = ruleset.judge_evidence(values)
        except RulesError as exc:
            verdict.reasons += _reasons(exc, f"row {row.number}: ", by_name, zh)
            continue
        for r in findings:
            if r.severity == "error" and not r.satisfied:
                known = said.get(id(r))  # the same finding on row after row (nothing presented): one reason
                if known is None or known[0] is not r:
                    known = said[id(r)] = (r, _evidence_reason(r, zh))
                verdict.reasons.append(known[1])
        typed.append((verdict, values, all(r.satisfied for r in findings if r.severity == "error")))
    claim_cite = "；".join(checked.citation_text(checked.claim.citation)) if checked.claim is not None else ""
    labels = award_labels(ruleset)
    cites = {name: "；".join(checked.citation_text(checked.definitions[name].citation)) for name in checked.awards}
    for complete in (True, False):  # the compiled rules take evidence completeness per batch
        batch = [t for t in typed if t[2] is complete]
        failures: dict[int, RulesError] = {}
        rows = ruleset.call_batch([t[1] for t in batch], complete, failures)
        for k, (verdict, _, _) in enumerate(batch):
            if k in failures:
                verdict.reasons += _reasons(failures[k], "", by_name, zh)
                continue
            values, route = rows[k]
            try:
                award = ruleset.award_of(values)
            except RulesError as exc:
                verdict.reasons += _reasons(exc, "", by_name, zh)
                continue
            verdict.lines = _figures(award, ruleset.claim_of(values))
            for name, f in verdict.lines.items():
                if f.excess and name != TOTAL:
                    verdict.reasons.append(Reason(
                        EXCEEDS, f"{labels[name]} {name}",
                        f"诉请 {yuan(f.claimed)} 元，依法可支持 {yuan(f.claimable)} 元，超出 {yuan(f.excess)} 元",
                        "；".join(c for c in (cites[name], claim_cite) if c)))
            verdict.reasons += [refusal_reason(refusal) for refusal in ruleset.refusals_of(values)]
            if route is not None:
                verdict.stage = checked.routes[route].stage
    return [results[n] for n in sorted(results)]




def refusal_reason(refusal) -> Reason:  # type: ignore[no-untyped-def]
    """A ground of admissibility the row meets (a :class:`~ruledsl.ruleset.Refusal`), as a reason."""
    return Reason(REFUSED, ADMISSIBILITY, refusal.message, "；".join(refusal.citations))


def _evidence_reason(r, zh: bool = False) -> Reason:  # type: ignore[no-untyped-def]
    """An evidence requirement not met (a :class:`~ruledsl.runtime.requirements.RequirementResult`), as a reason
    (its finding in Chinese for a ruleset in Chinese)."""
    what = EVIDENCE_STATUS.get(r.status, r.status)
    detail = what if r.reason == "not presented" else f"{what}：{_in(r.reason, zh)}"
    message = f"{r.message}（{detail}）" if r.message else detail
    return Reason(CORRECTION, f"证据 {r.kind}", message, "；".join(r.citations))


def _figures(award: dict[str, Money], claim) -> dict[str, LineFigures]:
    """Claimable, claimed and excess per award line; the total line sums the others' figures."""
    out: dict[str, LineFigures] = {}
    for name, amount in award.items():
        if claim is not None and name in claim:
            c = claim[name]
            out[name] = LineFigures(c.allowed, c.claimed, max(c.claimed - c.allowed, ZERO))
        else:
            out[name] = LineFigures(amount)
    if TOTAL in out and claim is not None:
        parts = [f for name, f in out.items() if name != TOTAL]
        if all(f.claimed is not None for f in parts):
            out[TOTAL] = _sum(parts)
    return out


def _sum(parts: list[LineFigures]) -> LineFigures:
    """Lines added up; claimed and excess only when every line states them."""
    claimable = sum((f.claimable for f in parts), ZERO)
    if any(f.claimed is None for f in parts):
        return LineFigures(claimable)
    return LineFigures(claimable, sum((f.claimed for f in parts), ZERO), sum((f.excess for f in parts), ZERO))


def text_record(r: RowVerdict, lines: list[str]) -> tuple:
    """One output row: ``row`` an int, everything else text (amounts ``50518.00``, ``""`` for none) —
    what a batch's workers hand back and every writer takes."""
    out: list[Any] = [r.row, r.case_id, r.verdict, VERDICT_LABELS[r.verdict], "\n".join(x.text() for x in r.reasons)]
    for line in lines:
        f = r.lines.get(line)
        out += ("", "", "") if f is None else (str(f.claimable), "" if f.claimed is None else str(f.claimed),
                                               "" if f.excess is None else str(f.excess))
    out.append(r.stage or "")
    return tuple(out)


def records(result: Precheck) -> list[tuple]:
    return [text_record(r, result.lines) for r in result.results]


def tally_records(recs, lines: list[str]) -> dict[str, dict[str, Any]]:
    """Counts and totals (claimed, claimable, excess) per verdict of output rows: each row's headline
    figures (:func:`headline`: its ``total`` line, else its lines added up) summed; parts of a batch add
    with :func:`add`.  The figures are this module's own two-place text, so a total line is read back
    as Decimals directly."""
    sums: dict[str, list] = {v: [0, Decimal(0), Decimal(0), Decimal(0)] for v in VERDICTS}
    at = lines.index(TOTAL) if TOTAL in lines else None
    for rec in recs:
        d = sums[rec[2]]
        d[0] += 1
        if at is not None:
            claimable, claimed, excess = rec[5 + 3 * at: 8 + 3 * at]
            if claimable:
                d[1] += Decimal(claimable)
                d[2] += Decimal(claimed) if claimed else 0
                d[3] += Decimal(excess) if excess else 0
            continue
        figures = {line: LineFigures(*(Money(Decimal(v)) if v else None for v in rec[5 + 3 * k: 8 + 3 * k]))
                   for k, line in enumerate(lines) if rec[5 + 3 * k]}
        head = headline(figures)  # no total line: the lines added up, as a row's headline is
        if head is not None:
            d[1] += head.claimable.amount
            d[2] += head.claimed.amount if head.claimed is not None else 0
            d[3] += head.excess.amount if head.excess is not None else 0
    return {v: {"rows": n, "claimable": Money(a), "claimed": Money(b), "excess": Money(c)}
            for v, (n, a, b, c) in sums.items()}


def add(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {v: {k: a[v][k] + b[v][k] for k in a[v]} for v in a}


def make_summary(ruleset: Ruleset, by: dict[str, dict[str, Any]], table: Table, ruleset_sha256: str,
                 input_sha256: str, input_name: str, seconds: float) -> Summary:
    c = ruleset.checked
    n = sum(d["rows"] for d in by.values())
    return Summary(c.name, c.version, ruleset_sha256, input_name, input_sha256, n, n, table.blank_rows, seconds,
                   list(table.ignored), by, list(table.orphans))


def _in(message: str, zh: bool) -> str:
    """A reason's message in Chinese for a ruleset in Chinese (as the catalogue words it), else as it is."""
    return (to_chinese(message) or message) if zh else message


def _reasons(exc: RulesError, origin: str, by_name: dict[str, str], zh: bool = False) -> list[Reason]:
    """Each diagnostic as a reason: at the column of the input it names (else at its rule line), in Chinese
    for a ruleset in Chinese."""
    out = []
    for d in exc.diagnostics:
        message = d.message.removeprefix(origin)
        where = "rule"
        if message.startswith("`") and "`" in message[1:]:
            end = message.index("`", 1)
            name = message[1:end].split(".")[0].split("[")[0]
            if name in by_name:  # at the column the row gave it in: the message need not name it again
                where = by_name[name]
                rest = message[end + 1:].lstrip()
                if rest.startswith("(") and "): " in rest:  # "`principal` (借款本金): …"
                    rest = rest[rest.index("): ") + 3:]
                message = rest.removeprefix(": ") if message[1:end] == name else message
            else:
                where = name
        elif (m := _LEADING_NAME.match(message)) and m.group(1) in by_name:  # "evidence_files[0].file …"
            where = by_name[m.group(1)]
        elif (m := _NAMED.search(message)) and m.group(1) in by_name:  # "missing required field `instalments[1].…`"
            where = by_name[m.group(1)]
        if d.span and d.span.source:
            where = f"{where} ({d.span.file}:{d.span.line})" if where != "rule" else f"{d.span.file}:{d.span.line}"
        out.append(Reason(CORRECTION, where, _in(message, zh)))
    return out


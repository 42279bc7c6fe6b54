"""Syntax tree → checked ruleset: names, types, units, dates, cycles, tables, examples.

The checker collects every problem it finds and raises one
:class:`RulesCheckError` holding all of them; a ruleset with any error never
reaches the compiler. What it proves (the type of every expression, the order
in which definitions and caps must run, the loaded tables) is handed to the
compiler and the interpreter in a :class:`CheckedRuleset`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from ruledsl.calc import fields as ledger_fields
from ruledsl.calc import validate as ledger_validate
from ruledsl.core.daycount import DayCount, why_no_date
from ruledsl.core.errors import Diagnostic, RulesCheckError, Source, Span, TableError, did_you_mean
from ruledsl.core.money import decimal_places, round_fen
from ruledsl.core.show import plain_number
from ruledsl.core.types import (
    BOOL,
    D_DAILY,
    D_DAYS,
    D_HOURS,
    D_MONEY,
    D_NONE,
    D_RATE,
    D_YEARS,
    DATE,
    DAYS,
    EMPTY_LIST,
    ERROR,
    MONEY,
    NUM_LIT,
    NUMBER,
    PCT_LIT,
    RATE,
    SCALARS,
    TEXT,
    Type,
    assignable,
    concrete,
    mul_dims,
    qty,
    unify,
)
from ruledsl.lang import ast, keywords
from ruledsl.runtime.ledger import CAP_COMPONENTS, LEDGER_LINES, ORDER_WORDS, LedgerSpec
from ruledsl.runtime.linked_rates import TableRates
from ruledsl.runtime.requirements import STATUSES
from ruledsl.runtime.tables import Band, BandSchedule, DatedTable

#: names a ruleset may not define: they mean something already
#: words a name cannot be: five English keywords an expression reads in a name's place, what an example
#: expects of the decision (``admissible``, ``route``), and every Chinese keyword (:mod:`ruledsl.lang.keywords`;
#: the other English keywords stay names where the grammar allows)
RESERVED = frozenset({"route", "admissible", "evidence", "basis", "true", "false", "previous", *keywords.ALIASES.values(),
                      *keywords.PHRASES.values(), *keywords.TYPE_ALIASES.values(), *keywords.DURATION_ALIASES.values()})
MAX_NAME = 64
#: how deep the checker follows expressions into definitions they name (nesting is bounded by the parser,
#: long chains are typed in dependency order: only a long cycle of definitions reaches this)
MAX_CHECK_DEPTH = 250
#: the longest time limit an evidence rule may set (``within … of``)
MAX_WITHIN_DAYS = 3650
#: the largest table file a ruleset may load (the LPR table since 2019 is under 1 KB)
MAX_TABLE_BYTES = 1024 * 1024
EVIDENCE_STATUSES = STATUSES
#: times an evidence item carries, usable in ``within … of NAME``
EVIDENCE_TIMES = ("signed_at", "created_at")

#: fields of an evidence item given in an example (times are ISO texts)
EVIDENCE_FIELDS = {
    "kind": "text", "file": "text", "signed": "bool", "signer": "text", "signed_at": "text",
    "created_at": "text", "anchored_at": "text", "timestamped": "bool", "integrity": "text", "note": "text",
}

#: what a ledger block may set, and the type each takes (record lists: required and optional fields),
#: and what it must set: both from the one table of ledger fields (ruledsl.calc.fields)
LEDGER_SETTINGS: dict[str, object] = ledger_fields.setting_types()
LEDGER_REQUIRED = ledger_fields.REQUIRED
#: what a card account (a ledger with postings) has instead of a loan's balance, and what only it has
LOAN_ONLY = ("principal", "disbursed_on")
CARD_ONLY = ("statements", "late_fee_rate")
LEDGER_TYPE = Type("record", fields=tuple((name, MONEY) for name in LEDGER_LINES))
#: the ledger settings that take a rate, and so may follow a dated table (`lpr_1y + 3% floating`)
RATE_SETTINGS = tuple(name for name, want in LEDGER_SETTINGS.items() if want == RATE)
#: how a rate tied to a table is written, for hints
LINKED_EXAMPLE = "penalty_rate = lpr_1y + 3% floating"

BUILTINS = ("round", "min", "max", "abs", "days_between", "add_months", "month_end", "count", "sum", "any", "all",
            "given")
#: the largest whole power ``^`` takes (a loan of 600 months is 50 years)
MAX_POWER = 1000
AGGREGATES = ("sum", "count", "min", "max", "any", "all")


@dataclass
class CheckedRuleset:
    """Everything the compiler needs, proven consistent."""

    tree: ast.Ruleset
    source: Source
    day_count: DayCount
    effective: date
    sources: dict[str, ast.SourceDecl]
    tables: dict[str, DatedTable]
    schedules: dict[str, BandSchedule]
    inputs: list[ast.InputField]           # in evaluation order (defaults after what they use)
    input_types: dict[str, Type]
    definitions: dict[str, ast.Definition]
    def_types: dict[str, Type]
    awards: list[str]                      # award lines in source order
    steps: list[ast.Definition | ast.Cap | ast.ClaimStep]  # evaluation order
    capped_by: dict[str, ast.Cap]
    settings: frozenset[str]               # inputs under `settings:` (the court's readings; no case sets them)
    claim: ast.ClaimLimit | None           # `within claimed`: the claim input, and the lines it limits
    claim_lines: tuple[str, ...]
    evidence: list[ast.Require | ast.WarnIfMissing]
    routes: list[ast.RouteRule]
    examples: list[ast.Example]
    grounds: list[ast.Ground]              # `admissibility:` (受理), every one judged, in source order
    types: dict[int, Type]                 # id(expression node) → its type
    refs: dict[str, tuple[str, ...]]       # definition → global names it reads
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.tree.header.name

    @property
    def version(self) -> str:
        return self.tree.header.version

    @property
    def language(self) -> str:
        """The language the ruleset says its cases are read in (``language "zh"`` / ``语言 "zh"``): ``zh``
        or ``en`` — what its explanation and the pre-check's reasons speak."""
        return "zh" if (self.tree.header.language or "").lower().startswith("zh") else "en"

    def type_of(self, node: ast.Expr) -> Type:
        return self.types[id(node)]

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of a decided case's row, in order: every input, every definition, what the law allowed
        of each line limited to the claim (:func:`~ruledsl.lang.ast.allowed_column`), whether each ground of
        admissibility refuses the case (:func:`~ruledsl.lang.ast.ground_column`)."""
        return (tuple(f.name for f in self.inputs) + tuple(self.definitions)
                + tuple(ast.allowed_column(line) for line in self.claim_lines)
                + tuple(ast.ground_column(i) for i in range(len(self.grounds))))

    def summary(self) -> str:
        """What the ruleset holds, counted as a clerk counts it (what `ruledsl check` prints)::

            8 inputs, 2 computations, 4 award lines, 5 evidence requirements, 4 route rules, 25 examples
        """
        computed = [d for d in self.tree.of_type(ast.ComputeSection) for d in d.definitions
                    if isinstance(d, ast.Definition)] + self.tree.of_type(ast.LedgerDecl)
        counts = [(len(self.inputs) - len(self.settings), "input", "inputs"),
                  (len(self.settings), "setting", "settings"),
                  (len(computed), "computation", "computations"),
                  (len(self.awards), "award line", "award lines"),
                  (len({id(c) for c in self.capped_by.values()}), "cap", "caps"),
                  (len(self.evidence), "evidence requirement", "evidence requirements"),
                  (len(self.grounds), "admissibility rule", "admissibility rules"),
                  (len(self.routes), "route rule", "route rules"),
                  (len(self.examples), "example", "examples")]
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts
                         if n or many in ("inputs", "award lines", "examples"))

    def ledger_spec(self, node: ast.Ledger) -> LedgerSpec:
        """The fixed part of a ledger block, for the compiler and the interpreter alike."""
        name = next(n for n, d in self.definitions.items() if d.expr is node)
        # the rule that reads `loan.interest` cites the law for that component: the sheet shows it
        citations = tuple(
            (d.expr.name, "；".join(self.citation_text(d.citation)))
            for d in self.definitions.values()
            if isinstance(d.expr, ast.Attr) and isinstance(d.expr.obj, ast.Name) and d.expr.obj.name == name
            and d.citation is not None
        )
        linked = any(isinstance(n, ast.LinkedRate) for st in node.settings for n in _linked_positions(st.expr))
        return LedgerSpec(name, node.allocate, citations, TableRates(self.tables) if linked else None)

    def agreed_specs(self, node: ast.Ledger) -> list[tuple[ast.Expr, LedgerSpec]]:
        """Each order the parties may agree (``allocate … when``), with its condition, in source order."""
        spec = self.ledger_spec(node)
        return [(a.when, replace(spec, order=a.order)) for a in node.agreed]

    def citation_text(self, citation: ast.Citation | None) -> list[str]:
        if citation is None:
            return []
        return [self.sources[n].citation for n in citation.names if n in self.sources]


def depth_first(roots: Iterable[str], deps: Callable[[str], Iterable[str]],
                on_cycle: Callable[[str, list[str]], None]) -> list[str]:
    """Every key reachable from ``roots``, each after its ``deps`` (post-order), without recursion
    (a chain of definitions may be long).  Meeting a key still being walked calls
    ``on_cycle(key, path)`` with the walk's path from that key on."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1: on the walk's stack, 2: placed
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(deps(root)))]
        while stack:
            key, pending = stack[-1]
            dep = next(pending, None)
            if dep is None:
                stack.pop()
                state[key] = 2
                order.append(key)
            elif state.get(dep) == 1:
                at = next(k for k, (n, _) in enumerate(stack) if n == dep)
                on_cycle(dep, [n for n, _ in stack[at:]])
            elif dep not in state:
                state[dep] = 1
                stack.append((dep, iter(deps(dep))))
    return order


def walk(node: ast.Node) -> Iterator[ast.Node]:
    """Every node under ``node`` and itself (an iterative walk over the frozen nodes' fields)."""
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Node):
            yield item
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__ if f != "span")
        elif isinstance(item, tuple):
            stack.extend(item)


def names_in(node: ast.Node) -> set[str]:
    """Every name an expression mentions."""
    return {n.name for n in walk(node) if isinstance(n, ast.Name)}


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _date_problem(text: str) -> str:
    return f"impossible date {text}: {why_no_date(text)}"


class Checker:
    """Walks the tree once per concern; every problem goes through :meth:`fail`."""

    def __init__(self, tree: ast.Ruleset, source: Source, base_dir: Path | None) -> None:
        self.tree = tree
        self.source = source
        self.base_dir = base_dir
        self.problems: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.types: dict[int, Type] = {}
        self.sources: dict[str, ast.SourceDecl] = {}
        self.tables: dict[str, DatedTable] = {}
        self.schedules: dict[str, BandSchedule] = {}
        self.table_decls: dict[str, ast.Decl] = {}
        self.inputs: dict[str, ast.InputField] = {}
        self.input_types: dict[str, Type] = {}
        self.definitions: dict[str, ast.Definition] = {}
        self.award_names: list[str] = []
        self.def_types: dict[str, Type] = {}
        self.refs: dict[str, set[str]] = {}
        self.caps: list[ast.Cap] = []
        self.capped_by: dict[str, ast.Cap] = {}
        self.settings: set[str] = set()  # inputs declared under `settings:`
        self.claim_limit: ast.ClaimLimit | None = None
        self.claim_steps: dict[str, ast.ClaimStep] = {}  # award line → its limit to the claim
        self.evidence_kinds: list[str] = []  # the kinds the evidence rules name
        self._visiting: list[str] = []
        self._depth = 0  # expressions being typed, one inside the other
        self._current_refs: set[str] | None = None
        self.used_sources: set[str] = set()
        self.has_evidence = bool(tree.of_type(ast.EvidenceSection))
        self.optional_inputs: set[str] = set()
        self._allow_optional = False
        self._allowed_optional: set[str] = set()
        self._previous: list[Type] = []  # inside `[… for …]`: the type of `previous`, innermost last
        self._probing = 0  # > 0 while a body that uses `previous` is typed from its first item (no reports)
        self._linked_allowed: set[int] = set()  # ids of the LinkedRate nodes a ledger's rate setting gives

    # -------------------------------------------------------------- reporting
    def fail(self, message: str, node_or_span: ast.Node | Span | None, hint: str | None = None) -> None:
        span = node_or_span.span if isinstance(node_or_span, ast.Node) else node_or_span
        self.problems.append(Diagnostic(message, span, hint))

    def warn(self, message: str, node: ast.Node, hint: str | None = None) -> None:
        self.warnings.append(Diagnostic(message, node.span, hint, severity="warning"))

    # -------------------------------------------------------------- entry
    def check(self) -> CheckedRuleset:
        header = self.tree.header
        effective = self.check_date(header.effective)
        dc = header.day_count
        if dc is not None and dc.basis not in (360, 365, 366):
            self.fail(f"day count basis {dc.basis} is not used by courts", dc, "write basis 365 or basis 360")
        if dc is not None and dc.first_day == dc.last_day:
            self.fail("a day count counts the first day or the last day, not both and not neither", dc,
                      ledger_validate.DAY_COUNT_HINT)
        day_count = DayCount(dc.basis, dc.first_day, dc.last_day) if dc else DayCount()
        self.day_count = day_count

        self.declare_names()
        for decl in self.tree.decls:
            if isinstance(decl, ast.DatedTableDecl):
                self.load_dated_table(decl)
            elif isinstance(decl, ast.ScheduleDecl):
                self.load_schedule(decl)
        input_order = self.check_inputs()
        self.check_claim_limit()
        for name in self.inference_order():
            self.infer_definition(name)
        self.check_awards()
        steps = self.order_steps()
        evidence = [r for sec in self.tree.of_type(ast.EvidenceSection) for r in sec.rules]
        self.check_evidence(evidence)
        grounds = [g for sec in self.tree.of_type(ast.AdmissibilitySection) for g in sec.rules]
        self.check_grounds(grounds)
        routes = [r for sec in self.tree.of_type(ast.RouteSection) for r in sec.rules]
        self.check_routes(routes)
        examples = []
        titles: dict[str, ast.Example] = {}  # title → the example with every given (`extends` resolved)
        for written in self.tree.of_type(ast.Example):
            example, inherited = self.resolve_extends(written, titles)
            first = titles.setdefault(example.title, example)
            if first.span is not example.span:
                self.fail(f"example \"{example.title}\" is named twice: here and at line {first.span.line}",
                          example, f"the first is at {first.span}; give each example its own name, so that "
                                   "`ruledsl test` tells them apart")
            self.check_example(example, inherited)
            examples.append(example)
        for name, decl in self.sources.items():
            if name not in self.used_sources:
                self.warn(f"source `{name}` is declared but no rule cites it", decl)
        if self.problems:
            raise RulesCheckError(sorted(self.problems, key=lambda d: _position(d, self.source.name)))
        return CheckedRuleset(
            tree=self.tree, source=self.source, day_count=day_count, effective=effective or date.min,
            sources=self.sources, tables=self.tables, schedules=self.schedules,
            inputs=input_order, input_types=self.input_types, definitions=self.definitions,
            def_types=self.def_types, awards=self.award_names, steps=steps, capped_by=self.capped_by,
            settings=frozenset(self.settings), claim=self.claim_limit, claim_lines=tuple(self.claim_steps),
            evidence=evidence, routes=routes, examples=examples, grounds=grounds, types=self.types,
            refs={k: tuple(sorted(v)) for k, v in self.refs.items()}, warnings=self.warnings,
        )

    # -------------------------------------------------------------- names
    def check_identifier(self, name: str, node: ast.Node) -> bool:
        if name.startswith("__"):
            self.fail(f"`{name[:40]}`: names beginning with `__` are reserved", node,
                      f"write `{name.lstrip('_')[:40] or 'x'}`")
            return False
        if len(name) > MAX_NAME:
            self.fail(f"name `{name[:20]}…` is {len(name)} characters long; at most {MAX_NAME} are allowed",
                      node)
            return False
        if name in RESERVED:
            self.fail(f"`{name}` is a reserved word and cannot be defined", node, _keyword_hint(name))
            return False
        return True

    def declare_names(self) -> None:
        taken: dict[str, ast.Node] = {}

        def declare(name: str, node: ast.Node, what: str) -> bool:
            if not self.check_identifier(name, node):
                return False
            if name in taken:
                prev = taken[name]
                self.fail(f"`{name}` is defined twice", node,
                          f"first defined at line {prev.span.line}; rename one of them")
                return False
            taken[name] = node
            return True

        for decl in self.tree.decls:
            if isinstance(decl, ast.SourceDecl):
                if decl.name in self.sources:
                    self.fail(f"source `{decl.name}` is declared twice", decl,
                              f"first declared at line {self.sources[decl.name].span.line}")
                elif self.check_identifier(decl.name, decl):
                    self.sources[decl.name] = decl
            elif isinstance(decl, (ast.DatedTableDecl, ast.ScheduleDecl)):
                if declare(decl.name, decl, "table"):
                    self.table_decls[decl.name] = decl
            elif isinstance(decl, ast.InputSection):
                for f in decl.fields:
                    if declare(f.name, f, "setting" if decl.settings else "input"):
                        self.inputs[f.name] = f
                        if decl.settings:
                            self.settings.add(f.name)
                            if f.default is None or f.optional:
                                self.fail(f"setting `{f.name}` needs the reading the ruleset takes: `= …`", f,
                                          "a setting is the court's reading of an open point, with its value; "
                                          "a fact of the case belongs under `input:`")
            elif isinstance(decl, ast.LedgerDecl):
                if declare(decl.name, decl, "ledger"):
                    self.definitions[decl.name] = ast.Definition(decl.name, decl.ledger, None, decl.citation,
                                                                 span=decl.span)
            elif isinstance(decl, (ast.ComputeSection, ast.AwardSection)):
                items = decl.definitions if isinstance(decl, ast.ComputeSection) else decl.items
                for item in items:
                    if isinstance(item, ast.Cap):
                        self.caps.append(item)
                    elif isinstance(item, ast.ClaimLimit):
                        if self.claim_limit is not None:
                            self.fail("the award is limited to the claim twice", item,
                                      f"one `within` per ruleset (the first is at line {self.claim_limit.span.line})")
                        else:
                            self.claim_limit = item
                    elif declare(item.name, item, "definition"):
                        self.definitions[item.name] = item
                        if isinstance(decl, ast.AwardSection):
                            self.award_names.append(item.name)

    def cite(self, citation: ast.Citation | None) -> None:
        if citation is None:
            return
        for name in citation.names:
            if name in self.sources:
                self.used_sources.add(name)
            else:
                self.fail(f"unknown source `{name}`", citation,
                          did_you_mean(name, self.sources) or "declare it: source NAME = \"citation\"")

    def check_date(self, node: ast.DateLit) -> date | None:
        value = parse_date(node.text)
        if value is None:
            self.fail(_date_problem(node.text), node)
        return value

    # -------------------------------------------------------------- tables
    def load_dated_table(self, decl: ast.DatedTableDecl) -> None:
        self.cite(decl.citation)
        kind = decl.value_type.name
        if kind not in ("rate", "money", "number"):
            self.fail(f"a dated table holds rates, money or numbers, not {kind}", decl.value_type)
            return
        base = (self.base_dir or Path.cwd()).resolve()
        path = (base / decl.path).resolve()
        if not path.is_relative_to(base):
            self.fail(f"table file `{decl.path[:80]}` is outside the ruleset's folder", decl,
                      "keep a ruleset's tables beside it, e.g. tables/lpr.csv")
            return
        shown = decl.path if len(decl.path) <= 80 else decl.path[:77] + "…"
        try:
            found, regular = path.exists(), path.is_file()
            size = path.stat().st_size if regular else 0
        except OSError as exc:  # a name too long for the file system, a folder not readable …
            self.fail(f"table file `{shown}` cannot be read: {exc.strerror or type(exc).__name__}", decl,
                      "keep a ruleset's tables beside it, e.g. tables/lpr.csv")
            return
        if not found:
            self.fail(f"table file `{shown}` not found", decl, f"looked for {str(path)[:200]}")
            return
        if not regular:
            self.fail(f"table file `{shown}` is not a regular file", decl)
            return
        if size > MAX_TABLE_BYTES:
            self.fail(f"table file `{shown}` is larger than {MAX_TABLE_BYTES:,} bytes", decl,
                      "a dated table has a row per change of value: a few kilobytes")
            return
        try:
            self.tables[decl.name] = DatedTable.from_csv(path, decl.column, kind, decl.name)
        except TableError as exc:
            self.problems.extend(exc.diagnostics)

    def load_schedule(self, decl: ast.ScheduleDecl) -> None:
        self.cite(decl.citation)
        bands: list[Band] = []
        last: Decimal | None = None
        for i, band in enumerate(decl.bands):
            upper = band.upper.value if band.upper is not None else None
            if upper is None and i != len(decl.bands) - 1:
                self.fail("`above` must be the last band", band)
            if upper is not None and last is not None and upper <= last:
                self.fail(f"band bounds must increase: {upper} after {last}", band.upper)
            if band.rate is not None and band.rate.per_day:
                self.fail("a schedule band takes a plain percentage, not a daily rate", band.rate)
            last = upper if upper is not None else last
            bands.append(Band(upper, band.rate.value if band.rate else None,
                              band.fixed.value if band.fixed else None))
        if decl.kind == "progressive" and decl.bands and decl.bands[-1].upper is not None:
            self.fail(f"schedule `{decl.name}` has no band for amounts above {last}", decl.bands[-1],
                      "end the schedule with `above: RATE`")
        self.schedules[decl.name] = BandSchedule(decl.name, decl.kind == "progressive", tuple(bands))

    # -------------------------------------------------------------- inputs
    def resolve_type(self, ref: ast.TypeRef) -> Type:
        if isinstance(ref, ast.ScalarType):
            return SCALARS[ref.name]
        if isinstance(ref, ast.EnumType):
            if len(set(ref.values)) != len(ref.values):
                self.fail("an enum lists a value twice", ref)
            return Type("enum", values=ref.values)
        if isinstance(ref, ast.ListType):
            return Type("list", item=self.resolve_type(ref.item))
        if isinstance(ref, ast.RecordType):
            names = [n for n, _ in ref.fields]
            for n in names:
                self.check_identifier(n, ref)
            if len(set(names)) != len(names):
                self.fail("a record lists a field twice", ref)
            return Type("record", fields=tuple((n, self.resolve_type(t)) for n, t in ref.fields))
        raise AssertionError(ref)

    def check_inputs(self) -> list[ast.InputField]:
        for name, f in self.inputs.items():
            self.input_types[name] = self.resolve_type(f.type)
            if f.optional and f.default is not None:
                self.fail(f"`{name}` has a default, so it is never absent: drop `optional`", f)
            if f.optional:
                self.optional_inputs.add(name)
        deps: dict[str, set[str]] = {}
        for name, f in self.inputs.items():
            typ = self.input_types[name]
            used: set[str] = set()
            self._current_refs = used
            if f.default is not None:
                got = self.expr(f.default, {}, inputs_only=True)
                self.expect_assignable(typ, got, f.default, f"the default of `{name}`")
                self.check_fen(typ, f.default, f"the default of `{name}`")
            for bound_name in ("min", "max"):
                bound = getattr(f, bound_name)
                if bound is None:
                    continue
                if not (typ.is_qty or typ.kind == "date"):
                    self.fail(f"`{bound_name}` applies to numbers, money, rates and dates, not {typ}", bound)
                    continue
                got = self.expr(bound, {}, inputs_only=True)
                self.expect_assignable(typ, got, bound, f"the {bound_name} of `{name}`")
            self._current_refs = None
            deps[name] = used
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(n: str, path: list[str]) -> None:
            if state.get(n) == 2:
                return
            if state.get(n) == 1:
                cycle = " → ".join(path[path.index(n):] + [n])
                self.fail(f"input defaults depend on each other: {cycle}", self.inputs[n])
                return
            state[n] = 1
            for d in sorted(deps[n]):
                if d in deps:
                    visit(d, path + [n])
            state[n] = 2
            order.append(n)

        for n in self.inputs:
            visit(n, [])
        return [self.inputs[n] for n in order]

    def expect_assignable(self, target: Type, got: Type, node: ast.Expr, what: str) -> None:
        if not assignable(target, got):
            self.fail(f"{what} must be {target}, but this is {got}", node,
                      _slashed_date(self.source, node) if target.kind == "date" else unit_hint(target, got))
        elif _rate_like(target):
            self.bare_beside_rate([(node, got), (node, target)])
        elif target.kind == "enum":
            self.check_enum_literal(target, node)

    def bare_beside_rate(self, sides: Iterable[tuple[ast.Expr, Type]]) -> bool:
        """A bare number of 1 or more beside a rate (compared, added, chosen between, given for one) is a
        typo for a percentage: ``contract_rate > 24`` would read 24 as 2400%, which the command line refuses
        too.  Refused, with the percentage as hint; a fraction below 1 (``0.24``) is read as it is."""
        sides = list(sides)
        if not any(_rate_like(t) for _, t in sides):
            return False
        bad = self.percent_beside_monthly(sides)
        for node, t in sides:
            if not (t.is_qty and t.lit == "num"):
                continue
            value = _constant_value(node)
            if value is None or abs(value) < 1:
                continue
            text = self.node_text(node)
            hint = (f"write `{text}%` for {text} percent (a rate is written with %, or as a fraction below 1 "
                    f"such as `{plain_number(value / 100)}`)")
            if value == 1:  # (1 + contract_rate / 12) ^ term: a month's rate as a number
                hint = ("a month's share of an annual rate is a number: write `1 + contract_rate * 1 month`; "
                        "or " + hint)
            self.fail(f"a bare number beside a rate: {text} would be read as {plain_number(value * 100)}%", node,
                      hint)
            bad = True
        return bad

    def percent_beside_monthly(self, sides: list[tuple[ast.Expr, Type]]) -> bool:
        """Beside a monthly rate (``rate per month``) a plain percentage is ambiguous — 2% a month is 24% a
        year — so it says its unit: ``2% per month``."""
        if not any(t.is_qty and t.per == "month" for _, t in sides):
            return False
        bad = False
        for node, t in sides:
            if t.is_qty and t.lit == "pct":
                text = self.node_text(node)
                self.fail(f"a percentage beside a monthly rate: is {text} a month's rate or a year's?", node,
                          f"write `{text} per month` for a monthly rate (it is kept as the yearly rate it "
                          f"stands for: {text} per month is twelve times {text} a year)")
                bad = True
        return bad

    def node_text(self, node: ast.Expr) -> str:
        if isinstance(node, ast.Number):
            return node.text
        span = node.span
        line = self.source.line(span.line)
        return line[span.col - 1: span.end_col - 1].strip() if span.end_line == span.line and line else "N"

    def check_enum_literal(self, typ: Type, node: ast.Expr) -> None:
        if isinstance(node, ast.String) and node.value not in typ.values:
            self.fail(f"\"{node.value}\" is not one of {', '.join(repr(v) for v in typ.values)}", node,
                      did_you_mean(node.value, typ.values))

    # -------------------------------------------------------------- definitions
    def inference_order(self) -> list[str]:
        """Definitions, each after the ones its expression names (an iterative depth-first walk).

        Inferring in this order keeps :meth:`infer_definition` from recursing along a long chain of
        definitions (d0 = d1 + 1, d1 = d2 + 1, …).  Definitions on a cycle are left out and come
        last, in source order, so that :meth:`infer_definition` reports the cycle as it meets it.
        """
        cyclic: set[str] = set()

        def deps(name: str) -> list[str]:
            return sorted(names_in(self.definitions[name].expr) & self.definitions.keys())

        order = depth_first(self.definitions, deps, lambda _, path: cyclic.update(path))
        return [name for name in order if name not in cyclic] + [name for name in self.definitions if name in cyclic]

    def infer_definition(self, name: str) -> Type:
        if name in self.def_types:
            return self.def_types[name]
        if name in self._visiting:
            cycle = " → ".join(self._visiting[self._visiting.index(name):] + [name])
            self.fail(f"`{name}` depends on itself: {cycle}", self.definitions[name],
                      "a definition cannot use its own value, directly or through others")
            return ERROR
        definition = self.definitions[name]
        self._visiting.append(name)
        outer = self._current_refs
        used: set[str] = set()
        self._current_refs = used
        typ = self.expr(definition.expr, {})
        self._current_refs = outer
        self._visiting.pop()
        self.cite(definition.citation)
        if name in self.award_names:
            if definition.citation is None:
                self.warn(f"award line `{name}` cites no law", definition,
                          "every award line says which article it applies: add `per SOURCE` "
                          + (f"(sources: {', '.join(list(self.sources)[:4])})" if self.sources
                             else "and declare it: source NAME = \"民法典 第…条\""))
            if not assignable(MONEY, typ):
                self.fail(f"award line `{name}` must be money, but it is {typ}", definition.expr,
                          unit_hint(MONEY, typ))
            typ = MONEY
        else:
            typ = concrete(typ)
        self.def_types.setdefault(name, typ)
        self.refs[name] = used
        return self.def_types[name]

    def check_claim_limit(self) -> None:
        """``within claimed``: a record input of money amounts, each named after an award line.

        Each such line gets a :class:`~ruledsl.lang.ast.ClaimStep` (after the law's cap on it, before
        anything reads it), and the ruleset gets the two values :data:`~ruledsl.lang.ast.CLAIM_TOTALS`."""
        stmt = self.claim_limit
        if stmt is None:
            return
        self.cite(stmt.citation)
        typ = self.input_types.get(stmt.claim)
        if typ is None:
            self.fail(f"`within {stmt.claim}`: `{stmt.claim}` is not an input", stmt,
                      did_you_mean(stmt.claim, self.input_types)
                      or "declare the claim as an input: claimed: {interest: money, …} optional")
            return
        if typ.kind != "record":
            self.fail(f"`{stmt.claim}` must be a record of the amounts claimed, one per award line, but it is {typ}",
                      stmt, f"e.g. {stmt.claim}: {{principal_outstanding: money, interest: money}} optional")
            return
        for name, ftype in typ.fields:
            if name not in self.award_names:
                self.fail(f"the claim names `{name}`, which is not an award line", stmt,
                          did_you_mean(name, self.award_names)
                          or f"name each amount claimed after the award line it asks for ({', '.join(self.award_names)})")
            elif not assignable(MONEY, ftype):
                self.fail(f"the claim's `{name}` must be money, but it is {ftype}", stmt)
            else:
                self.claim_steps[name] = ast.ClaimStep(name, stmt.claim, stmt.citation, span=stmt.span)
        lines = tuple(ast.Name(line, span=stmt.span) for line in self.claim_steps)
        for kind, label in zip(ast.CLAIM_TOTALS, ("诉请超出支持部分", "依法可支持而未诉请部分"), strict=True):
            if kind in self.definitions or kind in self.inputs:
                where = self.definitions.get(kind) or self.inputs[kind]
                self.fail(f"`{kind}` is defined by `within {stmt.claim}` (line {stmt.span.line})", where,
                          "remove this definition: the claim limit computes it")
                continue
            expr = ast.ClaimTotal(kind, ast.Name(stmt.claim, span=stmt.span), lines, span=stmt.span)
            self.definitions[kind] = ast.Definition(kind, expr, label, stmt.citation, span=stmt.span)

    def check_awards(self) -> None:
        for cap in self.caps:
            self.cite(cap.citation)
            for target in cap.targets:
                if target not in self.award_names:
                    hint = did_you_mean(target, self.award_names)
                    if target in self.definitions or target in self.inputs:
                        hint = "only award lines can be capped"
                    self.fail(f"`{target}` is not an award line", cap, hint)
                elif target in self.capped_by:
                    self.fail(f"`{target}` is already capped (line {self.capped_by[target].span.line})", cap,
                              "list all lines a limit applies to in one cap")
                else:
                    self.capped_by[target] = cap
            used: set[str] = set()
            self._current_refs = used
            limit = self.expr(cap.limit, {})
            if not assignable(MONEY, limit):
                self.fail(f"a cap limit must be money, but this is {limit}", cap.limit, unit_hint(MONEY, limit))
            if cap.when is not None:
                self.expect_bool(self.expr(cap.when, {}), cap.when, "a cap's `when`")
            self._current_refs = None
            self.refs[_cap_key(cap)] = used

    def order_steps(self) -> list[ast.Definition | ast.Cap]:
        """Topological order of definitions and caps; a name read after its cap sees the capped value."""
        nodes: dict[str, ast.Definition | ast.Cap | ast.ClaimStep] = dict(self.definitions)
        for cap in self.caps:
            nodes[_cap_key(cap)] = cap
        for line, step in self.claim_steps.items():
            nodes["claim@" + line] = step

        def last_step(line: str) -> str:
            """The step after which a line has its final value: its claim limit, its cap or itself."""
            if line in self.claim_steps:
                return "claim@" + line
            cap = self.capped_by.get(line)
            return _cap_key(cap) if cap is not None else line

        def deps(key: str) -> list[str]:
            if key.startswith("claim@"):  # after the law's cap on the line
                line = key[len("claim@"):]
                cap = self.capped_by.get(line)
                return [_cap_key(cap) if cap is not None else line]
            out = [last_step(ref) for ref in sorted(self.refs.get(key, ())) if ref in self.definitions]
            if key.startswith("cap@"):
                out.extend(t for t in nodes[key].targets if t in self.definitions)
            return out

        def cycle(key: str, _: list[str]) -> None:
            if key.startswith("cap@"):
                self.fail("a cap's limit depends on a line it caps", nodes[key],
                          "compute the limit from inputs or other lines")
            # (definition cycles were already reported while typing)

        return [nodes[key] for key in depth_first(nodes, deps, cycle)]

    # -------------------------------------------------------------- evidence, route, examples
    def check_evidence(self, rules: list[ast.Require | ast.WarnIfMissing]) -> None:
        self.evidence_kinds = [rule.kind for rule in rules]
        for rule in rules:
            self.cite(rule.citation)
            if isinstance(rule, ast.Require):
                if rule.at_least < 1:
                    self.fail("`at least` needs a count of 1 or more", rule)
                for window in (rule.within, rule.dated):
                    if window is not None:
                        self.check_window(window)

    #: a window's length in days, at most, per unit
    _UNIT_DAYS = {"days": Decimal(1), "hours": Decimal(1) / 24, "months": Decimal(31), "years": Decimal(366)}

    def check_window(self, w: ast.Within) -> None:
        """``within 30 days after overdue_on``: a positive whole number of days, hours, months or years
        (at most ten years), around a date input or a time of the item itself."""
        amount = w.duration.amount
        if amount <= 0:
            self.fail("a time limit must be positive", w.duration)
        elif amount != amount.to_integral_value():
            self.fail("a time limit is a whole number of days, hours, months or years", w.duration,
                      "write whole days (45 days) or whole months (2 months)")
        elif amount * self._UNIT_DAYS[w.duration.unit] > MAX_WITHIN_DAYS:
            self.fail(f"a time limit of more than {MAX_WITHIN_DAYS} days (ten years) is no limit", w.duration)
        self.expr(w.duration, {})
        if w.of in EVIDENCE_TIMES:
            if w.side == "before":
                self.fail(f"an item cannot be anchored or dated before its own `{w.of}` and still be measured "
                          "from it", w, f"write `within {w.duration.text} of {w.of}` (after it)")
            return
        typ = self.input_types.get(w.of)
        if typ is None or typ.kind != "date":
            self.fail(f"`{w.of}` is not a time of the evidence item or a date input", w,
                      did_you_mean(w.of, list(EVIDENCE_TIMES) + list(self.input_types))
                      or f"use one of {', '.join(EVIDENCE_TIMES)}")

    def check_evidence_items(self, node: ast.Expr) -> None:
        """``given evidence = [{kind: "…", …}, …]``: each item is its own record of known fields."""
        if not isinstance(node, ast.ListLit):
            self.fail("evidence is given as a list of items: [{kind: \"loan_contract\", …}]", node)
            return
        for item in node.items:
            if not isinstance(item, ast.RecordLit):
                self.fail("each evidence item is a record: {kind: \"…\", anchored_at: \"…\"}", item)
                continue
            names = [k for k, _ in item.fields]
            if "kind" not in names:
                self.fail("an evidence item needs a `kind`", item)
            for key, value in item.fields:
                want = EVIDENCE_FIELDS.get(key)
                got = self.expr(value, {}, constant=True)
                if want is None:
                    self.fail(f"evidence items have no field `{key}`", value,
                              did_you_mean(key, EVIDENCE_FIELDS) or f"fields: {', '.join(EVIDENCE_FIELDS)}")
                elif got.kind != want:
                    self.fail(f"evidence field `{key}` is {want}, but this is {got}", value)
            self.types[id(item)] = Type("record")
        self.types[id(node)] = Type("list")

    def check_grounds(self, grounds: list[ast.Ground]) -> None:
        for ground in grounds:
            self.cite(ground.citation)
            self.expect_bool(self.expr(ground.cond, {}), ground.cond, "an admissibility condition",
                             "write what must hold for the court to accept the case, e.g. `claim_amount > 0`")
            if not ground.message.strip():
                self.fail("an admissibility rule must say why the case is refused", ground,
                          'write the reason, e.g. "不予受理：本院对本案无管辖权"')

    def check_routes(self, routes: list[ast.RouteRule]) -> None:
        for i, rule in enumerate(routes):
            self.cite(rule.citation)
            if rule.refuse:
                self.fail("`refuse` belongs in the `admissibility:` section, not in `route:`", rule,
                          "move it under `admissibility:` (受理), where every ground a case meets is reported; "
                          "`route:` chooses the stage of an admissible case")
                continue
            if rule.cond is None:
                if i != len(routes) - 1:
                    self.fail("`otherwise` must be the last route rule", rule,
                              "rules after it could never apply")
            else:
                self.expect_bool(self.expr(rule.cond, {}), rule.cond, "a route condition")

    def resolve_extends(self, example: ast.Example, above: dict[str, ast.Example]
                        ) -> tuple[ast.Example, tuple[ast.Binding, ...] | None]:
        """``example "B" extends "A"``: A's givens that B does not give again, then B's own; and the
        inherited ones (checked where A wrote them, so not reported twice), None when A is not found."""
        if example.extends is None:
            return example, ()
        base = above.get(example.extends.value)
        if base is None:
            later = [e for e in self.tree.of_type(ast.Example) if e.title == example.extends.value]
            self.fail(f"example \"{example.title}\" extends \"{example.extends.value}\", "
                      + ("which is written below it" if later else "which is no example of this ruleset"),
                      example.extends,
                      "an example extends one written above it" if later
                      else did_you_mean(example.extends.value, above) or "write the title of an example above it")
            return example, None
        own = {b.name for b in example.given}
        inherited = tuple(b for b in base.given if b.name not in own)
        return replace(example, given=inherited + example.given), inherited

    def check_example(self, example: ast.Example, inherited: tuple[ast.Binding, ...] | None = ()) -> None:
        """``inherited``: the givens it takes from the example it extends (None: that one is unknown, so
        missing inputs are not reported on top)."""
        given: set[str] = {b.name for b in inherited or ()}
        for b in example.given[len(inherited or ()):]:
            if b.evidence_kind is not None:
                self.fail("`evidence \"kind\" = …` belongs in `expect`", b)
                continue
            if b.name == "evidence":
                self.check_evidence_items(b.expr)
                given.add("evidence")
                continue
            target = self.input_types.get(b.name)
            if target is None:
                hint = did_you_mean(b.name, self.input_types)
                if b.name in self.definitions:
                    hint = f"`{b.name}` is computed by the ruleset; examples give inputs"
                self.fail(f"example gives unknown input `{b.name}`", b, hint)
                continue
            if b.name in given:
                self.fail(f"example gives `{b.name}` twice", b)
            given.add(b.name)
            self.expect_assignable(target, self.expr(b.expr, {}, constant=True), b.expr, f"`{b.name}`")
            self.check_fen(target, b.expr, f"`{b.name}`")
        for name, f in self.inputs.items():
            if f.default is None and not f.optional and name not in given and inherited is not None:
                self.fail(f"example \"{example.title}\" does not give required input `{name}`", example,
                          f"add: given {name} = …")
        for b in example.expect:
            if b.evidence_kind is not None:
                kinds = self.evidence_kinds
                if b.evidence_kind not in kinds:
                    self.fail(f"example expects evidence \"{b.evidence_kind}\", which no evidence rule names", b,
                              did_you_mean(b.evidence_kind, kinds) or (
                                  f"the evidence rules name {', '.join(f'{k!r}' for k in kinds)}" if kinds
                                  else "the ruleset has no `evidence:` section"))
                    continue
                status = b.expr.value if isinstance(b.expr, ast.String) else None
                if status not in EVIDENCE_STATUSES:
                    self.fail(f"evidence status must be one of {', '.join(EVIDENCE_STATUSES)}", b.expr,
                              did_you_mean(status or "", EVIDENCE_STATUSES))
                continue
            if b.name == "route":
                if not isinstance(b.expr, ast.String):
                    self.fail("expect route = \"stage name\"", b.expr)
                continue
            if b.name == "admissible":
                if not isinstance(b.expr, ast.Bool):
                    self.fail("expect admissible = true or false", b.expr)
                elif not self.tree.of_type(ast.AdmissibilitySection):
                    self.fail("example expects `admissible`, but the ruleset has no `admissibility:` section",
                              b, "every case is admissible here; add `admissibility:` with the grounds to refuse")
                continue
            target = self.def_types.get(b.name) or self.input_types.get(b.name)
            if target is None:
                self.fail(f"example expects unknown output `{b.name}`", b,
                          did_you_mean(b.name, list(self.definitions) + list(self.input_types)))
                continue
            self.expect_assignable(target, self.expr(b.expr, {}, constant=True), b.expr, f"`{b.name}`")
            self.check_fen(target, b.expr, f"expected `{b.name}`")

    def check_fen(self, target: Type, node: ast.Expr, what: str) -> None:
        """Money written as a number is yuan to the fen: ``108.642`` can be no input, and no expectation
        either (money is compared at the fen), so it is refused here rather than failing as ``108.64``."""
        if isinstance(node, ast.Neg):
            self.check_fen(target, node.operand, what)
        elif isinstance(node, ast.Number) and target.is_qty and target.dims == D_MONEY and not target.lit:
            if decimal_places(node.value) > 2:
                self.fail(f"{what} is money, but {node.text} has more than two decimal places", node,
                          f"money is yuan to the fen (at most two decimal places): write "
                          f"{round_fen(node.value):f}")
        elif isinstance(node, ast.ListLit) and target.kind == "list" and target.item is not None:
            for item in node.items:
                self.check_fen(target.item, item, what)
        elif isinstance(node, ast.RecordLit) and target.kind == "record":
            for key, value in node.fields:
                field_type = target.field(key)
                if field_type is not None:
                    self.check_fen(field_type, value, f"{what}: `{key}`")

    # -------------------------------------------------------------- expressions
    def expect_bool(self, typ: Type, node: ast.Expr, what: str, hint: str | None = None) -> None:
        if typ.kind not in ("bool", "error"):
            self.fail(f"{what} must be true or false, but this is {typ}", node, hint)

    def expr(self, node: ast.Expr, scope: dict[str, Type], inputs_only: bool = False,
             constant: bool = False) -> Type:
        if self._depth >= MAX_CHECK_DEPTH:  # only a long cycle of definitions gets here (nesting is bounded)
            self.fail(f"definitions here depend on each other more than {MAX_CHECK_DEPTH} levels deep",
                      node, "a cycle of definitions, or a chain through deeply nested expressions")
            typ = ERROR
        else:
            self._depth += 1
            try:
                typ = self._expr(node, scope, inputs_only, constant)
            finally:
                self._depth -= 1
        self.types[id(node)] = typ
        return typ

    def _expr(self, node: ast.Expr, scope: dict[str, Type], inputs_only: bool, constant: bool) -> Type:
        sub = lambda n, s=scope: self.expr(n, s, inputs_only, constant)  # noqa: E731
        if isinstance(node, ast.Number):
            return NUM_LIT
        if isinstance(node, ast.Percent):
            return qty(D_DAILY) if node.per_day else RATE if node.per_month else PCT_LIT
        if isinstance(node, ast.DateLit):
            self.check_date(node)
            return DATE
        if isinstance(node, ast.Duration):
            if node.amount != node.amount.to_integral_value():
                self.fail(f"{node.text}: a duration is a whole number of {node.unit}", node)
            return qty({"hours": D_HOURS, "days": D_DAYS}.get(node.unit, D_YEARS))
        if isinstance(node, ast.String):
            return TEXT
        if isinstance(node, ast.Bool):
            return BOOL
        if isinstance(node, ast.Basis):
            return qty((0, 1, -1, 0))
        if isinstance(node, ast.EvidenceComplete):
            if not self.has_evidence:
                self.fail("`evidence complete` needs an `evidence:` section", node)
            return BOOL
        if isinstance(node, ast.Name):
            return self.resolve_name(node, scope, inputs_only, constant)
        if isinstance(node, ast.ClaimTotal):  # the lines it sums, and the claim (absent: the totals are 0)
            for line in node.lines:
                sub(line)
            if self._current_refs is not None:
                self._current_refs.add(node.claim.name)
            return MONEY
        if isinstance(node, ast.ListLit):
            item: Type | None = None
            for it in node.items:
                t = sub(it)
                if item is None:
                    item = t
                else:
                    u = unify(item, t)
                    if u is None:
                        self.fail(f"a list mixes {item} and {t}", it)
                        return ERROR
                    item = u
            return Type("list", item=concrete(item) if item else None) if item else EMPTY_LIST
        if isinstance(node, ast.RecordLit):
            return self.record(node, scope, inputs_only, constant)
        if isinstance(node, ast.Attr):
            obj = sub(node.obj)
            typ = self.attr_type(obj, node)
            if (isinstance(node.obj, ast.Previous) and typ.kind == "error" and obj.kind == "record"
                    and not self._probing):
                self.fail(f"`previous.{node.name}` has no value for the first item", node,
                          f"give the first item its own: `if k == 1 then … else previous.{node.name}`")
            return typ
        if isinstance(node, ast.Index):
            return self.index(node, sub(node.obj), sub(node.index))
        if isinstance(node, ast.ListComp):
            return self.list_comp(node, scope, inputs_only, constant)
        if isinstance(node, ast.Previous):
            if self._previous and self._previous[-1].kind == "error" and not self._probing:
                self.fail("`previous` has no value for the first item, so what it holds is not known", node,
                          "give the first item its own: `if k == 1 then … else previous…`")
                return ERROR
            if not self._previous:
                self.fail("`previous` is the item built before this one, inside `[… for …]`", node,
                          "write `[{…, balance: previous.balance - …} for k from 1 to term]`")
                return ERROR
            return self._previous[-1]
        if isinstance(node, ast.NumberRange):
            for end in (node.start, node.end):
                t = sub(end)
                if not (t.kind == "error" or (t.is_qty and t.dims == D_NONE)):
                    self.fail(f"`from … to …` counts whole numbers, but this is {t}", end)
                    return ERROR
                self.check_whole(end, "each end of `from … to …`", hint="count whole periods: `for k from 1 to term`")
            return Type("list", item=NUMBER)
        if isinstance(node, ast.If):
            self.expect_bool(sub(node.cond), node.cond, "an `if` condition")
            narrowed = given_names(node.cond) - self._allowed_optional
            self._allowed_optional |= narrowed  # `if given(x) then …x…`: x is present in that branch
            a = sub(node.then)
            self._allowed_optional -= narrowed
            b = sub(node.else_)
            if self._probing and (a.kind == "error") != (b.kind == "error"):
                return b if a.kind == "error" else a  # `if k == 1 then … else previous.x`: the first item's
            u = unify(a, b)
            if u is None:
                self.fail(f"the two branches differ: {a} after `then`, {b} after `else`", node,
                          unit_hint(a, b, mixing=True))
                return ERROR
            return ERROR if self.bare_beside_rate([(node.then, a), (node.else_, b)]) else u
        if isinstance(node, ast.Not):
            self.expect_bool(sub(node.operand), node.operand, "`not`")
            return BOOL
        if isinstance(node, ast.BoolOp):
            self.expect_bool(sub(node.left), node.left, f"`{node.op}`")
            self.expect_bool(sub(node.right), node.right, f"`{node.op}`")
            return BOOL
        if isinstance(node, ast.Compare):
            a, b = sub(node.left), sub(node.right)
            u = unify(a, b)
            if u is None:
                self.fail(f"cannot compare {a} with {b}", node, unit_hint(a, b, mixing=True))
                return BOOL
            self.bare_beside_rate([(node.left, a), (node.right, b)])
            if node.op not in ("==", "!=") and u.kind not in ("qty", "date", "error"):
                self.fail(f"`{node.op}` orders numbers, money and dates, not {u}", node)
            for side, other in ((node.left, b), (node.right, a)):
                if other.kind == "enum":
                    self.check_enum_literal(other, side)
            return BOOL
        if isinstance(node, ast.Neg):
            t = sub(node.operand)
            if t.kind not in ("qty", "error"):
                self.fail(f"cannot negate {t}", node)
                return ERROR
            return t
        if isinstance(node, ast.BinOp):
            return self.binop(node, sub(node.left), sub(node.right))
        if isinstance(node, ast.TableAt):
            when = sub(node.when)
            if node.table not in self.tables:
                if not isinstance(self.table_decls.get(node.table), ast.DatedTableDecl):
                    self.unknown_table(node.table, node, dated=True)
                return ERROR  # a declared table that failed to load was reported where it is declared
            if when.kind not in ("date", "error"):
                self.fail(f"`{node.table} at …` needs a date, but this is {when}", node.when)
            decl = self.table_decls[node.table]
            return SCALARS[decl.value_type.name]
        if isinstance(node, ast.Accrue):
            base, rate, start, end = (sub(x) for x in (node.base, node.rate, node.start, node.end))
            if not assignable(MONEY, base):
                self.fail(f"accrue needs money as its base, but this is {base}", node.base)
            if not (rate.kind == "error" or (rate.is_qty and (rate.lit == "pct" or rate.dims in (D_RATE, D_DAILY)))):
                self.fail(f"accrue needs a rate, but this is {rate}", node.rate, unit_hint(qty(D_RATE), rate))
            for part, t in ((node.start, start), (node.end, end)):
                if t.kind not in ("date", "error"):
                    self.fail(f"accrue runs from a date to a date, but this is {t}", part)
            if node.basis is not None and node.basis not in (360, 365, 366):
                self.fail(f"basis {node.basis} is not used by courts", node, "write basis 365 or basis 360")
            return MONEY
        if isinstance(node, ast.Aggregate):
            return self.aggregate(node, scope, inputs_only, constant)
        if isinstance(node, ast.Ledger):
            return self.ledger(node, scope)
        if isinstance(node, ast.LinkedRate):
            return self.linked_rate(node, sub)
        if isinstance(node, ast.Call):
            if node.func == "given":
                for a in node.args:
                    self._allow_optional = isinstance(a, ast.Name)
                    sub(a)
                    self._allow_optional = False
                return self.call(node, [BOOL for _ in node.args])
            return self.call(node, [sub(a) for a in node.args])
        raise AssertionError(f"unsupported node {type(node).__name__}")

    def ledger(self, node: ast.Ledger, scope: dict[str, Type]) -> Type:
        given: dict[str, ast.LedgerSetting] = {}
        for setting in node.settings:
            want = LEDGER_SETTINGS.get(setting.name)
            if setting.name in given:
                self.fail(f"ledger setting `{setting.name}` is given twice", setting)
            given[setting.name] = setting
            linked = _linked_positions(setting.expr)
            misplaced = bool(linked) and want is not None and want != RATE
            if misplaced:
                self.fail(f"ledger setting `{setting.name}` takes no rate, so it cannot follow a table",
                          linked[0], f"{', '.join(RATE_SETTINGS)} may: {LINKED_EXAMPLE}")
            self._linked_allowed.update(id(n) for n in linked)
            self._allow_optional = isinstance(setting.expr, ast.Name)
            got = self.expr(setting.expr, scope)
            self._allow_optional = False
            if want is None:
                self.fail(f"a ledger has no setting `{setting.name}`", setting,
                          did_you_mean(setting.name, LEDGER_SETTINGS) or f"settings: {', '.join(LEDGER_SETTINGS)}")
            elif isinstance(want, tuple):
                self.check_ledger_records(setting, got, want)
            elif not misplaced and not assignable(want, got):
                self.fail(f"ledger setting `{setting.name}` must be {want}, but this is {got}", setting.expr,
                          unit_hint(want, got))
            elif not misplaced and isinstance(want, Type):
                self.bare_beside_rate([(setting.expr, got), (setting.expr, want)])
        card = "postings" in given  # a card account as issued; it may also take a loan's one balance
        for name in LEDGER_REQUIRED:
            if name not in given and not (card and name in LOAN_ONLY):
                self.fail(f"the ledger needs `{name} = …`", node)
        if "due_on" in given and "instalments" in given or not card and "due_on" not in given and (
                "instalments" not in given):
            self.fail("the ledger needs exactly one of `due_on = …` (one maturity) or `instalments = …`", node,
                      "or, for a card account as issued, `postings = …` and `statements = …`")
        for name in CARD_ONLY:
            if name in given and not card:
                self.fail(f"`{name}` belongs to a card account: the ledger needs `postings = …` too", given[name])
        if card and "statements" not in given:
            self.fail("a card account needs `statements = …` beside its postings", given["postings"])
        orders = [(node.allocate, node.allocate_citation, node)] if node.allocate is not None else []
        orders += [(a.order, a.citation, a) for a in node.agreed]
        for order, citation, where in orders:
            self.cite(citation)
            unknown = [w for w in order if w not in ORDER_WORDS]
            for word in unknown:
                self.fail(f"`{word}` is not something a payment can go to", where,
                          did_you_mean(word, ORDER_WORDS) or f"use {', '.join(ORDER_WORDS)}")
            if not unknown and sorted(order) != sorted(ORDER_WORDS):
                self.fail(f"the allocation order must name each of {', '.join(ORDER_WORDS)} once", where)
        for agreed in node.agreed:
            self.expect_bool(self.expr(agreed.when, scope), agreed.when, "an agreed order's `when`")
        for cap in node.caps:
            self.cite(cap.citation)
            for comp in cap.components:
                if comp not in CAP_COMPONENTS:
                    self.fail(f"`{comp}` cannot be capped by a ledger cap", cap,
                              did_you_mean(comp, CAP_COMPONENTS) or f"cap {', '.join(CAP_COMPONENTS)}")
            rate = self.expr(cap.rate, scope)
            if not (rate.kind == "error" or (rate.is_qty and (rate.lit == "pct" or rate.dims == D_RATE))):
                self.fail(f"a ledger cap is an annual rate, but this is {rate}", cap.rate,
                          unit_hint(qty(D_RATE), rate))
            for part in (cap.start, cap.before):
                if part is not None and self.expr(part, scope).kind not in ("date", "error"):
                    self.fail("a cap window runs between dates", part)
            if cap.when is not None:
                self.expect_bool(self.expr(cap.when, scope), cap.when, "a cap's `when`")
        return LEDGER_TYPE

    def check_ledger_records(self, setting: ast.LedgerSetting, got: Type, fields: tuple) -> None:
        required, optional = fields
        if got.kind == "error":
            return
        item = got.item if got.kind == "list" else None
        if got.kind == "list" and item is None:
            return  # an empty list literal
        if item is None or item.kind != "record":
            self.fail(f"ledger setting `{setting.name}` is a list of records, but this is {got}", setting.expr)
            return
        have = dict(item.fields)
        for key, want in {**required, **optional}.items():
            enum_as_text = want.kind == "text" and have.get(key) is not None and have[key].kind == "enum"
            if key in have and not assignable(want, have[key]) and not enum_as_text:
                self.fail(f"`{setting.name}` records: `{key}` must be {want}, not {have[key]}", setting.expr)
        missing = [k for k in required if k not in have]
        extra = [k for k in have if k not in required and k not in optional]
        if missing or extra:
            shape = ", ".join(f"{k}: {t}" for k, t in {**required, **optional}.items())
            self.fail(f"`{setting.name}` records must be {{{shape}}}", setting.expr,
                      f"missing {', '.join(missing)}" if missing else f"no field {', '.join(extra)}")

    def linked_rate(self, node: ast.LinkedRate, sub: Callable[[ast.Expr], Type]) -> Type:
        """``multiple × TABLE + spread`` followed by its fixing: a rate that follows a dated rate table."""
        if id(node) not in self._linked_allowed:
            self.fail(f"a rate that follows a table (`… {node.fixing}`) is given only to a ledger's "
                      f"{', '.join(RATE_SETTINGS)}", node,
                      f"write it in the ledger block: {LINKED_EXAMPLE}; the spread or multiple may be computed "
                      "here")
            return ERROR
        mentions = table_mentions(node.expr, self.table_decls)
        ok = True
        if not mentions:
            rate_tables = [n for n, d in self.table_decls.items()
                           if isinstance(d, ast.DatedTableDecl) and d.value_type.name == "rate"]
            self.fail(f"`{node.fixing}` ties a rate to a dated table, but this names none", node.expr,
                      f"name the table: {rate_tables[0] if rate_tables else 'lpr_1y'} + 3% {node.fixing}"
                      + ("" if rate_tables else "; declare it: table lpr_1y: date -> rate "
                                                "from \"tables/lpr.csv\" column \"one_year\""))
            sub(node.expr)
            ok = False
        elif len(mentions) > 1:
            first, second = mentions[0], mentions[1]
            self.fail("a rate follows one table, named once", second,
                      f"write the multiple: `2 * {first.name}`" if first.name == second.name
                      else f"`{first.name}` and `{second.name}`: choose the table the contract names")
            ok = False
        else:
            table = mentions[0]
            decl = self.table_decls[table.name]
            if not isinstance(decl, ast.DatedTableDecl):
                self.fail(f"`{table.name}` is a schedule, not a dated table", table,
                          "a rate follows a `date -> rate` table: table lpr_1y: date -> rate "
                          "from \"tables/lpr.csv\" column \"one_year\"")
                ok = False
            elif decl.value_type.name != "rate":
                self.fail(f"`{table.name}` is a table of {decl.value_type.name}, not of rates", table,
                          f"a rate follows a `date -> rate` table; `{table.name}` is declared "
                          f"`date -> {decl.value_type.name}`")
                ok = False
            ok = self.linear(node.expr, table.name, sub) and ok
        if node.fixing == "fixed" and node.at is not None:
            when = sub(node.at)
            if when.kind not in ("date", "error"):
                self.fail(f"`fixed at …` needs a date, but this is {when}", node.at)
        elif node.fixing == "repriced":
            dates = sub(node.at)
            if not (dates.kind == "error" or (dates.kind == "list" and (dates.item is None
                                                                          or dates.item.kind in ("date", "error")))):
                self.fail(f"`repriced on …` needs a list of dates (the repricing dates, 重定价日), but this is "
                          f"{dates}", node.at,
                          "e.g. repriced on [2024-01-01, 2025-01-01], or an input `repricing_dates: list of date`")
        return RATE if ok else ERROR

    def linear(self, node: ast.Expr, table: str, sub: Callable[[ast.Expr], Type]) -> bool:
        """Whether ``node`` is ``multiple × table + spread``: along the path to the one mention of
        ``table`` only ``+``/``−`` a spread (a rate) and ``×``/``÷`` a number; reports what is not."""
        shape = (f"a rate that follows `{table}` is multiple × {table} + spread, e.g. `{table} + 3%`, "
                 f"`{table} * 1.5`, `({table} + 1%) * 150%`")
        ok = True
        while not (isinstance(node, ast.Name) and node.name == table):
            if not isinstance(node, ast.BinOp):
                self.fail(f"`{table}` cannot be used inside this expression", node, shape)
                return False
            on_left = table in names_in(node.left)
            inner, other = (node.left, node.right) if on_left else (node.right, node.left)
            got = sub(other)
            self.types[id(node)] = RATE
            if not on_left and node.op in "-/":
                self.fail(f"`{table}` cannot be {'subtracted' if node.op == '-' else 'a divisor'}", node, shape)
                ok = False
            elif node.op in "+-":
                if not (got.kind == "error" or (assignable(RATE, got) and got.lit != "num")):
                    hint = (f"write percentage points with %: `{table} + {_text(other)}%`" if got.lit == "num"
                            else f"a spread is percentage points added to `{table}` (`{table} + 3%`), "
                                 "or an input of type rate")
                    self.fail(f"a spread is a rate, but this is {got}", other, hint)
                    ok = False
            elif not (got.kind == "error" or (got.is_qty and got.dims == D_NONE)):
                self.fail(f"a multiple of `{table}` is a number (1.5) or a percentage (150%), but this is {got}",
                          other, shape)
                ok = False
            node = inner
        self.types[id(node)] = RATE
        return ok

    def resolve_name(self, node: ast.Name, scope: dict[str, Type], inputs_only: bool, constant: bool) -> Type:
        name = node.name
        if name in scope:
            return scope[name]
        if constant:
            self.fail(f"`{name}`: examples give plain values, not names", node)
            return ERROR
        if name in self.inputs:
            if self._current_refs is not None:
                self._current_refs.add(name)
            if name in self.optional_inputs and not self._allow_optional and name not in self._allowed_optional:
                self.fail(f"optional input `{name}` may be absent; use it under `if given({name}) then …`", node,
                          "or give it a default, or pass it to a ledger setting")
            return self.input_types[name]
        if name in self.definitions and not inputs_only:
            if self._current_refs is not None:
                self._current_refs.add(name)
            return self.infer_definition(name)
        if name in self.definitions:
            self.fail(f"`{name}` is computed by the ruleset; an input's default or bound may use only inputs",
                      node)
            return ERROR
        if name in self.table_decls:
            decl = self.table_decls[name]
            follows = isinstance(decl, ast.DatedTableDecl) and decl.value_type.name == "rate"
            self.fail(f"`{name}` is a table; write `{name} at DATE` or `{name}(AMOUNT)`", node,
                      f"or, for a ledger's rate that follows the table: `{name} + 3% floating`" if follows else None)
            return ERROR
        if name in self.sources:
            self.fail(f"`{name}` is a source; cite it with `per {name}`", node)
            return ERROR
        candidates = list(scope) + list(self.inputs) + ([] if inputs_only else list(self.definitions))
        self.fail(f"unknown name `{name}`", node, did_you_mean(name, candidates))
        return ERROR

    def unknown_table(self, name: str, node: ast.Node, dated: bool) -> None:
        pool = self.tables if dated else self.schedules
        if name in self.table_decls:
            self.fail(f"`{name}` is a {'schedule' if dated else 'dated table'}", node,
                      f"write `{name}(AMOUNT)`" if dated else f"write `{name} at DATE`")
        else:
            self.fail(f"unknown table `{name}`", node, did_you_mean(name, pool))

    def attr_type(self, obj: Type, node: ast.Attr) -> Type:
        if obj.kind == "error":
            return ERROR
        if obj.kind == "record":
            f = obj.field(node.name)
            if f is None:
                self.fail(f"record has no field `{node.name}`", node, did_you_mean(node.name, dict(obj.fields)))
                return ERROR
            return f
        if obj.kind == "list" and obj.item is not None and obj.item.kind == "record":
            f = obj.item.field(node.name)
            if f is None:
                self.fail(f"records have no field `{node.name}`", node,
                          did_you_mean(node.name, dict(obj.item.fields)))
                return ERROR
            return Type("list", item=f)
        self.fail(f"{obj} has no field `{node.name}`", node)
        return ERROR

    def binop(self, node: ast.BinOp, a: Type, b: Type) -> Type:
        op = node.op
        if a.kind == "error" or b.kind == "error":
            return ERROR
        if op == "^":
            return self.power(node, a, b)
        if op in "+-" and (a.kind == "date" or b.kind == "date") and D_YEARS in (a.dims, b.dims):
            months = node.right if a.kind == "date" else node.left
            if isinstance(months, ast.Duration) and (op == "+" or a.kind == "date"):
                return DATE  # first_due + 1 month: calendar months (add_months)
            self.fail("a date moves by whole calendar months, not by a computed share of a year", node,
                      "write `add_months(DATE, N)`, or `DATE + 3 months` with the number written out")
            return ERROR
        if op in "+-":
            if a.kind == "date" and b.is_qty and (b.lit == "num" or b.dims == D_DAYS):
                return DATE
            if op == "+" and b.kind == "date" and a.is_qty and (a.lit == "num" or a.dims == D_DAYS):
                return DATE
            if op == "-" and a.kind == "date" and b.kind == "date":
                return DAYS
            if a.is_qty and b.is_qty:
                u = unify(a, b)
                if u is not None:
                    return ERROR if self.bare_beside_rate([(node.left, a), (node.right, b)]) else u
            self.fail(f"cannot {'add' if op == '+' else 'subtract'} {b} {'to' if op == '+' else 'from'} {a}",
                      node, unit_hint(a, b, mixing=True))
            return ERROR
        if not (a.is_qty and b.is_qty):
            self.fail(f"cannot {'multiply' if op == '*' else 'divide'} {a} by {b}", node)
            return ERROR
        twelve = next((side for side, t in ((node.right, b), (node.left, a)) if t.lit == "num"
                       and _constant_value(side) == 12), None)
        if twelve is not None and any(_rate_like(t) and not t.lit for t in (a, b)):
            self.fail(f"`{op} 12` does not make a monthly rate: a rate stays a rate a year whatever it is "
                      f"{'multiplied' if op == '*' else 'divided'} by", twelve,
                      "a month's share of a rate, as a number: `contract_rate * 1 month`; a rate the contract "
                      "states per month: declare the input `rate per month` or write `1.5% per month`")
            return ERROR
        dims = mul_dims(a.dims, b.dims, 1 if op == "*" else -1)
        if a.lit and b.lit:
            lit = "pct" if "pct" in (a.lit, b.lit) else "num"
            return qty(D_NONE, lit)
        return qty(dims)

    def aggregate(self, node: ast.Aggregate, scope: dict[str, Type], inputs_only: bool, constant: bool) -> Type:
        if node.func not in AGGREGATES:
            self.fail(f"`{node.func}(… for …)` is not an aggregate", node,
                      did_you_mean(node.func, AGGREGATES) or f"use one of {', '.join(AGGREGATES)}")
        inner = self.loop_scope(node, scope, inputs_only, constant)
        if inner is None:
            return ERROR
        body = self.expr(node.body, inner, inputs_only, constant)
        if node.where is not None:
            self.expect_bool(self.expr(node.where, inner, inputs_only, constant), node.where, "`where`")
        return self.aggregate_result(node.func, body, node)

    def loop_scope(self, node: ast.Aggregate | ast.ListComp, scope: dict[str, Type], inputs_only: bool,
                   constant: bool) -> dict[str, Type] | None:
        """The names inside ``… for VAR in ITEMS``: the scope and the loop variable (None: not a loop)."""
        items = self.expr(node.iterable, scope, inputs_only, constant)
        if items.kind not in ("list", "error"):
            self.fail(f"`for {node.var} in …` needs a list, but this is {items}", node.iterable)
            items = ERROR
        if not self.check_identifier(node.var, node):
            return None
        if node.var in self.inputs or node.var in self.definitions:
            self.fail(f"loop variable `{node.var}` hides a name of the ruleset", node, "choose another name")
        return {**scope, node.var: items.item if items.kind == "list" and items.item else ERROR}

    def list_comp(self, node: ast.ListComp, scope: dict[str, Type], inputs_only: bool, constant: bool) -> Type:
        """``[BODY for VAR in ITEMS where COND]``; a body that uses ``previous`` is typed from its first item
        (the branch of ``if k == 1 then … else previous.x`` that does not need an item before it)."""
        inner = self.loop_scope(node, scope, inputs_only, constant)
        if inner is None:
            return ERROR
        previous = ERROR
        if any(isinstance(n, ast.Previous) for n in walk(node.body)):
            kept, self.problems, self.warnings = (self.problems, self.warnings), [], []
            self._probing += 1
            try:
                for _ in range(3):  # a field known from the first item makes the next pass know more
                    self._previous.append(previous)
                    typ = concrete(self.expr(node.body, inner, inputs_only, constant))
                    self._previous.pop()
                    if typ == previous:
                        break
                    previous = typ
            finally:
                self._probing -= 1
                self.problems, self.warnings = kept
        self._previous.append(previous)
        try:
            body = concrete(self.expr(node.body, inner, inputs_only, constant))
        finally:
            self._previous.pop()
        if node.where is not None:
            self.expect_bool(self.expr(node.where, inner, inputs_only, constant), node.where, "`where`")
        return ERROR if body.kind == "error" else Type("list", item=body)

    def record(self, node: ast.RecordLit, scope: dict[str, Type], inputs_only: bool, constant: bool) -> Type:
        """``{a: …, b: …}``: each field may use the fields before it by name."""
        names = [k for k, _ in node.fields]
        if len(set(names)) != len(names):
            self.fail("a record gives a field twice", node)
        inner, fields = dict(scope), []
        for i, (key, value) in enumerate(node.fields):
            typ = self.expr(value, inner, inputs_only, constant)
            fields.append((key, typ))
            later = set().union(*(names_in(v) for _, v in node.fields[i + 1:]))
            if key in later and key not in scope and (key in self.inputs or key in self.definitions) \
                    and not self._probing:
                self.warn(f"after the field `{key}`, `{key}` in this record is that field, not the ruleset's "
                          f"`{key}`", value, "rename the field or the ruleset's name if the other is meant")
            inner[key] = typ
        return Type("record", fields=tuple(fields))

    def index(self, node: ast.Index, items: Type, at: Type) -> Type:
        if items.kind == "error" or at.kind == "error":
            return ERROR
        if items.kind != "list":
            self.fail(f"`[…]` picks an item of a list, but this is {items}", node.obj,
                      "e.g. `instalments[1]` for the first instalment")
            return ERROR
        if not (at.is_qty and at.dims == D_NONE):
            self.fail(f"a list's item is picked by its number (1 for the first), but this is {at}", node.index)
            return ERROR
        self.check_whole(node.index, "an item's number", least=1)
        return items.item or ERROR

    def power(self, node: ast.BinOp, a: Type, b: Type) -> Type:
        """``(1 + r) ^ term``: a number to a whole power."""
        for side, t in ((node.left, a), (node.right, b)):
            if not (t.is_qty and t.dims == D_NONE):
                self.fail(f"`^` raises a number to a whole power, but this is {t}", side,
                          "a growth factor is a number: `(1 + contract_rate * 1 month) ^ term` (a rate times a "
                          "month is a month's share of it)")
                return ERROR
        self.check_whole(node.right, "a power", least=-MAX_POWER, most=MAX_POWER,
                         hint="raise to a whole number of periods, e.g. `^ term`")
        return NUM_LIT if a.lit and b.lit else NUMBER

    def check_whole(self, node: ast.Expr, what: str, least: int | None = None, most: int | None = None,
                    hint: str | None = None) -> None:
        """A constant where a whole number is needed is one (and within bounds); others are checked when run."""
        value = _constant_value(node)
        if value is None:
            return
        if value != value.to_integral_value():
            self.fail(f"{what} must be a whole number, not {plain_number(value)}", node, hint)
        elif least is not None and value < least:
            self.fail(f"{what} is at least {least}, not {plain_number(value)}", node,
                      "items are counted from 1" if least == 1 else None)
        elif most is not None and value > most:
            self.fail(f"{what} is at most {most}, not {plain_number(value)}", node)

    def aggregate_result(self, func: str, item: Type, node: ast.Node) -> Type:
        if item.kind == "error":
            return ERROR if func not in ("count", "any", "all") else (NUMBER if func == "count" else BOOL)
        if func == "count":
            return NUMBER
        if func in ("any", "all"):
            self.expect_bool(item, node, f"`{func}`")
            return BOOL
        if func == "sum" and not item.is_qty:
            self.fail(f"cannot sum {item}", node)
            return ERROR
        if func in ("min", "max") and item.kind not in ("qty", "date"):
            self.fail(f"`{func}` needs numbers, money or dates, not {item}", node)
            return ERROR
        return concrete(item) if func == "sum" else item

    def call(self, node: ast.Call, args: list[Type]) -> Type:
        func = node.func
        if func in self.schedules:
            if len(args) != 1:
                self.fail(f"schedule `{func}` takes one amount", node)
                return ERROR
            if not assignable(MONEY, args[0]):
                self.fail(f"schedule `{func}` applies to money, but this is {args[0]}", node.args[0])
            return MONEY
        if func in self.tables:
            self.fail(f"`{func}` is a dated table", node, f"write `{func} at DATE`")
            return ERROR
        if func not in BUILTINS:
            self.fail(f"unknown function `{func}`", node,
                      did_you_mean(func, list(BUILTINS) + list(self.schedules)))
            return ERROR
        if any(a.kind == "error" for a in args):
            return ERROR
        if func == "given":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Name) \
                    or node.args[0].name not in self.optional_inputs:
                self.fail("`given(x)` asks whether an optional input was given", node,
                          f"optional inputs: {', '.join(sorted(self.optional_inputs)) or 'none'}")
            return BOOL
        if func == "round":
            if len(args) != 1:
                self.fail("`round` takes one amount of money and rounds it to the fen", node)
                return ERROR
            if not assignable(MONEY, args[0]):
                self.fail(f"`round` rounds money to the fen, but this is {args[0]}", node.args[0])
            return MONEY
        if func == "abs":
            if len(args) != 1 or not args[0].is_qty:
                self.fail("`abs` takes one number or amount", node)
                return ERROR
            return args[0]
        if func == "days_between":
            if len(args) != 2 or any(a.kind != "date" for a in args):
                self.fail("`days_between` takes two dates", node)
                return ERROR
            return DAYS
        if func == "add_months":
            if len(args) != 2 or args[0].kind != "date" or not (args[1].is_qty and args[1].dims == D_NONE):
                self.fail("`add_months` takes a date and a whole number of months", node,
                          "e.g. `add_months(first_due, k - 1)`; a day past the month's end becomes its last day")
                return ERROR
            self.check_whole(node.args[1], "a number of months")
            return DATE
        if func == "month_end":
            if len(args) != 1 or args[0].kind != "date":
                self.fail("`month_end` takes one date and gives the last day of its month", node,
                          "e.g. `month_end(first_due)`")
                return ERROR
            return DATE
        if func in ("min", "max"):
            if len(args) == 1:
                if args[0].kind != "list":
                    self.fail(f"`{func}` takes a list or two or more values", node)
                    return ERROR
                return self.aggregate_result(func, args[0].item or ERROR, node)
            if not args:
                self.fail(f"`{func}` needs values", node)
                return ERROR
            result = args[0]
            for a, arg in zip(args[1:], node.args[1:], strict=True):
                u = unify(result, a)
                if u is None:
                    self.fail(f"`{func}` mixes {result} and {a}", arg, unit_hint(result, a, mixing=True))
                    return ERROR
                result = u
            if result.kind not in ("qty", "date"):
                self.fail(f"`{func}` needs numbers, money or dates, not {result}", node)
            if self.bare_beside_rate(zip(node.args, args, strict=True)):
                return ERROR
            return result
        # count, sum, any, all over a list
        if len(args) != 1 or args[0].kind != "list":
            self.fail(f"`{func}` takes one list", node, f"or write {func}(x.field for x in items)")
            return ERROR
        return self.aggregate_result(func, args[0].item or NUM_LIT, node)


def _rate_like(t: Type) -> bool:
    """A rate, annual or per day, or a percentage literal (``24%``)."""
    return t.is_qty and (t.lit == "pct" or (not t.lit and t.dims in (D_RATE, D_DAILY)))


def _constant_value(node: ast.Expr) -> Decimal | None:
    """The value of a number literal, or of arithmetic on number literals only (``-24``, ``20 + 4``)."""
    if isinstance(node, ast.Number):
        return node.value
    if isinstance(node, ast.Neg):
        inner = _constant_value(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.BinOp) and node.op in "+-*":
        a, b = _constant_value(node.left), _constant_value(node.right)
        if a is None or b is None:
            return None
        return a + b if node.op == "+" else a - b if node.op == "-" else a * b
    return None


def _linked_positions(node: ast.Expr) -> list[ast.Expr]:
    """The rates tied to a table a ledger setting gives: the setting itself, or its ``if`` branches."""
    out: list[ast.Expr] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.LinkedRate):
            out.append(item)
        elif isinstance(item, ast.If):
            stack += (item.else_, item.then)
    return out


def rate_shown(typ: Type) -> str:
    """How a value of this type is shown in a bound's message: "rate", "per day", "per month" or ""."""
    if not typ.is_qty or typ.lit:
        return ""
    if typ.dims == D_DAILY:
        return "per day"
    if typ.dims == D_RATE:
        return "per month" if typ.per == "month" else "rate"
    return ""


def months_beside_date(n: ast.BinOp, type_of) -> ast.Duration | None:
    """The ``1 month`` / ``2 years`` of ``DATE ± N months``; None for any other operation."""
    if n.op not in "+-":
        return None
    for side, other in ((n.right, n.left), (n.left, n.right)):
        if isinstance(side, ast.Duration) and side.unit in ("months", "years") and type_of(other).kind == "date":
            return side
    return None


def months_factor(n: ast.BinOp) -> tuple[ast.Duration, ast.Expr] | None:
    """``x * 1 month`` / ``x / 6 months``: (the months, the other operand); the operation is done exactly by
    :func:`ruledsl.runtime.ops.times_duration` (a twelfth applied after the multiplication)."""
    for dur, other in ((n.right, n.left), (n.left, n.right)):
        if isinstance(dur, ast.Duration) and dur.unit == "months" and (n.op == "*" or (n.op == "/" and dur is n.right)):
            return dur, other
    return None


def month_count(d: ast.Duration) -> Decimal:
    return d.amount * (12 if d.unit == "years" else 1)


def table_mentions(node: ast.Expr, tables: dict[str, ast.Decl]) -> list[ast.Name]:
    """The names of tables an expression mentions, in source order."""
    found: list[ast.Name] = []
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Name) and item.name in tables:
            found.append(item)
        if isinstance(item, ast.Node):
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__ if f != "span")
        elif isinstance(item, tuple):
            stack.extend(item)
    return sorted(found, key=lambda n: (n.span.line, n.span.col))


def _text(node: ast.Expr) -> str:
    """A number literal's text (for a hint), else `N`."""
    return node.text if isinstance(node, ast.Number) else "N"


def given_names(cond: ast.Expr) -> set[str]:
    """Optional inputs a condition proves present: ``given(x)``, possibly joined by ``and``."""
    if isinstance(cond, ast.Call) and cond.func == "given" and cond.args and isinstance(cond.args[0], ast.Name):
        return {cond.args[0].name}
    if isinstance(cond, ast.BoolOp) and cond.op == "and":
        return given_names(cond.left) | given_names(cond.right)
    return set()


def _cap_key(cap: ast.Cap) -> str:
    return f"cap@{cap.span.line}:{cap.span.col}:{'+'.join(cap.targets)}"


def _position(d: Diagnostic, ruleset_file: str) -> tuple[bool, str, int, int]:
    """Ruleset diagnostics first in source order, then those of its tables, file by file."""
    if d.span is None:
        return (True, "", 0, 0)
    other = d.span.file != ruleset_file
    return (other, d.span.file if other else "", d.span.line, d.span.col)


def unit_hint(expected: Type, got: Type, mixing: bool = False) -> str | None:
    """Explain the usual unit mistakes in words a court clerk uses.

    ``mixing`` is for two values put side by side (added, compared, chosen between);
    otherwise ``got`` stands where ``expected`` is required.
    """
    if expected.kind != "qty" or got.kind != "qty":
        return None
    if mixing and {expected.dims, got.dims} == {D_MONEY, D_RATE}:
        return "money and a rate cannot be added or compared: multiply the money by the rate first"
    if expected.dims == D_MONEY and got.dims == (1, 1, -1, 0):
        return "money × rate × days is money·days/year: divide by `basis` (days per year), or use accrue(…)"
    if expected.dims == D_MONEY and got.dims == D_RATE:
        return "a rate times money is money per year: use accrue(principal, rate, from … to …)"
    if {expected.dims, got.dims} == {D_MONEY, D_RATE}:
        return "money and a rate cannot be added or compared: multiply the money by the rate first"
    if {expected.dims, got.dims} == {D_DAYS, D_NONE}:
        return "write the unit: `180 days`"
    if {expected.dims, got.dims} == {D_RATE, D_DAILY}:
        return "one rate is per day, the other per year"
    return None


def check(tree: ast.Ruleset, source: Source | None = None, base_dir: Path | None = None) -> CheckedRuleset:
    """Check a parsed ruleset; raise :class:`RulesCheckError` with every problem found."""
    source = source or tree.span.source or Source("<rules>", "")
    return Checker(tree, source, base_dir).check()


def _keyword_hint(name: str) -> str | None:
    """What a reserved word is, in the other language too (``如果`` is ``if``)."""
    english = {zh: en for en, zh in keywords.ALIASES.items()}
    if name in english:
        return f"`{name}` is the keyword `{english[name]}`; choose another name"
    if name in keywords.ALIASES:
        return f"`{name}` is a keyword (in Chinese `{keywords.ALIASES[name]}`); choose another name"
    return None


def _slashed_date(source: Source | None, node: ast.Node) -> str | None:
    """``2024/01/01`` (a division of numbers to the parser) where a date belongs: the hint to write it."""
    span = getattr(node, "span", None)
    if source is None or span is None or span.line != span.end_line or span.line < 1:
        return None
    text = source.line(span.line)[span.col - 1: span.end_col - 1]
    m = re.fullmatch(r"\s*(\d{4})\s*/\s*(\d{1,2})\s*/\s*(\d{1,2})\s*", text)
    if m is None:
        return None
    return f"dates are written YYYY-MM-DD: {m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"

"""Checked ruleset → Python source → code object, with a source map back to rule lines.

The generated module defines ``evaluate(_in, _ev, _trace)`` and its untraced
twin ``evaluate_fast(_in, _ev)``:
inputs come in as a dict of already-typed values, every definition becomes a
local variable ``v_<name>`` assigned in dependency order, caps rewrite the
lines they limit, and the route is chosen last; both return ``(row, route)``,
the row holding every input and definition in ``CompiledCode.columns`` order.
No text from the ruleset is ever spliced into the code: names are checked
identifiers, prefixed ``v_``; every literal (numbers, texts, dates) is a module
constant ``_c<N>`` bound when the code is loaded, never written into the source.

Each generated line remembers the rule span it came from, so a failure while
running (division by zero, no LPR in force on a date) is reported at the rule
line, never at a line of generated code. ``ruledsl eval --emit-python`` shows
the generated source.
"""

from __future__ import annotations

import hashlib
import types as pytypes
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ruledsl.calc.fields import LEDGER_FIELDS
from ruledsl.core.daycount import DayCount
from ruledsl.core.errors import Span, bounds_error
from ruledsl.core.money import FEN, claim_fen
from ruledsl.core.types import D_DAILY, Type
from ruledsl.lang import ast
from ruledsl.lang.checker import (
    CheckedRuleset,
    month_count,
    months_beside_date,
    months_factor,
    names_in,
    rate_shown,
    table_mentions,
)
from ruledsl.runtime import ops
from ruledsl.runtime.ledger import CapSpec, run_ledger, run_ledger_fast
from ruledsl.runtime.linked_rates import TABLE as LINKED_TABLE
from ruledsl.runtime.linked_rates import linked_rate
from ruledsl.runtime.requirements import RequirementSpec, Within
from ruledsl.runtime.tables import BandSchedule

COMPILER_VERSION = "3"


@dataclass(frozen=True, slots=True)
class TraceSlot:
    """Static facts about one traced step; the generated code records only (slot, value)."""

    rule: str
    kind: str  # input | compute | award | cap | route
    span: Span
    citations: tuple[str, ...]
    refs: tuple[str, ...] = ()
    label: str | None = None
    targets: tuple[str, ...] = ()


@dataclass
class CompiledCode:
    """What the compiler produces: the Python text, its code object and the maps back to the rules."""

    python: str
    function: Callable  # evaluate(_in, _ev, _trace) → (row, route): records a trace into the list given
    fast: Callable      # evaluate_fast(_in, _ev) → (row, route): the same rules, no trace
    columns: tuple[str, ...]  # the names of a row's values: inputs, then definitions
    line_spans: list[Span | None]
    slots: list[TraceSlot]
    digest: str
    filename: str
    constants: tuple = field(default=(), repr=False)
    #: the ``evidence:`` rules lowered to plain specs (the runtime judges them without the syntax tree)
    evidence: tuple[RequirementSpec, ...] = ()
    #: comments for reading the code (line number → text) where no rule line maps a generated line
    notes: dict[int, str] = field(default_factory=dict, repr=False)

    def annotated(self) -> str:
        """The generated Python for reading (``--emit-python``): the constant table, then every
        statement under a comment naming the rule line it comes from.  Display only: the code that
        runs is :attr:`python`, whose line numbers the source map refers to."""
        out = [f"# generated from {self.filename} — comments are for reading only, they are not compiled",
               "# constants (_c<i>):"]
        out += [f"#   _c{i} = {_shown(value)}" for i, value in enumerate(self.constants)]
        out.append("")
        last: tuple[str, int] | None = None
        for lineno, text in enumerate(self.python.splitlines(), start=1):
            span = self.span_for_line(lineno)
            if lineno in self.notes:
                out.append(f"# {self.notes[lineno]}")
            if span is None:
                last = None
            elif (span.file, span.line) != last:
                last = (span.file, span.line)
                indent = text[: len(text) - len(text.lstrip())]
                rule = span.source.line(span.line).strip() if span.source else ""
                out.append(f"{indent}# {span.file}:{span.line}: {_shown(rule, 100)}")
            out.append(text)
        return "\n".join(out) + "\n"

    def span_for_line(self, lineno: int) -> Span | None:
        """The rule span a generated line came from (helper functions map to none)."""
        if 0 < lineno <= len(self.line_spans):
            return self.line_spans[lineno - 1]
        return None


def _shown(value: object, width: int = 80) -> str:
    """A constant or a rule line in one comment line (newlines escaped, long ones cut)."""
    text = value if isinstance(value, str) and width == 100 else repr(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


class CodeGen:
    """Writes the Python source; one ``expr_<Node>`` method per expression node."""

    def __init__(self, checked: CheckedRuleset) -> None:
        self.c = checked
        self.lines: list[str] = []
        self.spans: list[Span | None] = []
        self.consts: list[object] = []
        self._const_index: dict[tuple, int] = {}
        self.slots: list[TraceSlot] = []
        self.tables: list[object] = []
        self._table_index: dict[str, int] = {}
        self.day_counts: list[DayCount] = [checked.day_count]
        self._indent = 1
        self._locals: dict[str, str] = {}
        self._fields = 0  # record fields bound for the fields after them (r1_a, r2_b …)
        self._comprehensions: list[ast.ListComp] = []  # the `[… for …]` being compiled, innermost last
        self._linked_table: str | None = None  # inside `lpr_1y + 3% floating`: the table the rate follows
        self.tracing = True
        self.prelude: list[str] = []
        self.prelude_spans: list[Span | None] = []
        #: generated line number → a comment for reading (``--emit-python``), for lines no rule line maps to
        self.notes: dict[int, str] = {}
        self._schedule_fn: dict[str, str] = {}
        #: what the generated functions return, in this order: every input, every definition, what the
        #: law allowed of each line limited to the claim (:func:`allowed_column`), then whether each ground
        #: of admissibility refuses the case (:func:`ground_column`)
        self.columns = checked.columns
        #: award lines a cap may rewrite (to a limit that need not have two places)
        self._capped = {t for step in checked.steps if isinstance(step, ast.Cap) for t in step.targets}

    # -------------------------------------------------------------- emit helpers
    def emit(self, code: str, span: Span | None = None) -> None:
        self.lines.append("    " * self._indent + code)
        self.spans.append(span)

    def const(self, value: object) -> str:
        key = (type(value).__name__, str(value))
        if key not in self._const_index:
            self._const_index[key] = len(self.consts)
            self.consts.append(value)
        return f"_c{self._const_index[key]}"

    def table(self, name: str, obj: object) -> str:
        if name not in self._table_index:
            self._table_index[name] = len(self.tables)
            self.tables.append(obj)
        return f"_T[{self._table_index[name]}]"

    def day_count(self, basis: int | None) -> str:
        """The ruleset's day count, or the same counting with another basis (``accrue(…, basis 360)``)."""
        dc = self.c.day_count
        if basis is not None and basis != dc.basis:
            dc = DayCount(basis, dc.first_day, dc.last_day)
        if dc not in self.day_counts:
            self.day_counts.append(dc)
        return f"_DC[{self.day_counts.index(dc)}]"

    def slot(self, slot: TraceSlot) -> int:
        if not self.tracing:
            return -1
        self.slots.append(slot)
        return len(self.slots) - 1

    def trace(self, index: int, value: str, span: Span) -> None:
        if self.tracing:
            self.emit(f"if _trace is not None: _trace.append(({index}, {value}))", span)

    # -------------------------------------------------------------- program
    def generate(self) -> str:
        """Two functions over one set of constants: ``evaluate`` records a trace, ``evaluate_fast`` does not."""
        self.body("evaluate", tracing=True)
        self.body("evaluate_fast", tracing=False)
        if self.prelude:
            self.lines[:0] = self.prelude
            self.spans[:0] = self.prelude_spans
        return "\n".join(self.lines) + "\n"

    def body(self, name: str, tracing: bool) -> None:
        c = self.c
        self.tracing = tracing
        self.lines.append(f"def {name}(_in, _ev, _trace=None):")
        self.spans.append(None)
        self.emit("_bad = None")
        for f in c.inputs:
            var = f"v_{f.name}"
            self.emit(f"{var} = _in.get({f.name!r})", f.span)
            if f.default is not None:
                self.emit(f"if {var} is None: {var} = {self.expr(f.default)}", f.default.span)
            shown = rate_shown(c.input_types[f.name])  # a rate's bound is shown as a rate (24%, 1.5% per month)
            shown = f", {shown!r}" if shown else ""
            for bound, op, word in (("min", "<", "at least"), ("max", ">", "at most")):
                node = getattr(f, bound)
                if node is not None:
                    limit = self.expr(node)
                    guard = f"{var} is not None and " if f.optional else ""
                    self.emit(f"if {guard}{var} {op} {limit}: "
                              f"_bad = (_bad or []) + [({f.name!r}, {word!r}, {limit}, {var}{shown})]", node.span)
            slot = self.slot(TraceSlot(f.name, "input", f.span, (), (), f.label))
            self.trace(slot, var, f.span)
        self.emit("if _bad: _input_error(_bad)")
        for step in c.steps:
            if isinstance(step, ast.Definition):
                self.definition(step)
            elif isinstance(step, ast.ClaimStep):
                self.claim_step(step)
            else:
                self.cap(step)
        self.route()
        self.grounds()
        # a row in `columns` order (a tuple costs a seventh of a dict this size)
        row = [f"v_{n}" for n in (*(f.name for f in c.inputs), *c.definitions)]
        row += [f"_allowed_{line}" for line in c.claim_lines]
        row += [f"_ground_{i}" for i in range(len(c.grounds))]
        self.emit(f"return ({''.join(f'{v}, ' for v in row)}), _route")
        self.lines.append("")
        self.spans.append(None)

    def definition(self, d: ast.Definition) -> None:
        award = d.name in self.c.awards
        code = self.rounded(d.expr) if award else self.expr(d.expr)
        self.emit(f"v_{d.name} = {code}", d.span)
        slot = self.slot(TraceSlot(d.name, "award" if award else "compute", d.span,
                                   tuple(self.c.citation_text(d.citation)), self.c.refs.get(d.name, ()),
                                   d.label))
        self.trace(slot, f"v_{d.name}", d.span)

    @staticmethod
    def round(code: str) -> str:
        """Half-up to the fen, inline (the caller's 40-digit context is in force)."""
        return f"({code}).quantize(_FEN, _HALF_UP)"

    def rounded(self, node: ast.Expr) -> str:
        """``node`` rounded half-up to the fen, with no rounding where it cannot change anything.

        A number is rounded here, once; a choice rounds each branch (so a constant branch is
        rounded here too); a value already in fen (:meth:`in_fen`) is left alone.
        """
        if isinstance(node, ast.Number):
            return self.const(ops.round_fen(node.value))
        if isinstance(node, ast.If):
            return f"({self.rounded(node.then)} if {self.expr(node.cond)} else {self.rounded(node.else_)})"
        if self.in_fen(node):
            return self.expr(node)
        return self.round(self.expr(node))

    def in_fen(self, node: ast.Expr) -> bool:
        """Whether ``node`` is already money with exactly two places, so that rounding it is a no-op.

        True of a ledger's lines (the engine rounds each once), of award lines no cap rewrites
        (rounded where defined), and of sums, differences, negations and choices of those: adding
        numbers with two places gives two places, exactly, in the 40-digit context.
        """
        if isinstance(node, ast.Attr):
            obj = node.obj
            return (isinstance(obj, ast.Name) and obj.name not in self._locals
                    and isinstance(getattr(self.c.definitions.get(obj.name), "expr", None), ast.Ledger))
        if isinstance(node, ast.Name):
            return node.name in self.c.awards and node.name not in self._capped and node.name not in self._locals
        if isinstance(node, ast.BinOp):
            return node.op in ("+", "-") and self.in_fen(node.left) and self.in_fen(node.right)
        if isinstance(node, ast.Neg):
            return self.in_fen(node.operand)
        if isinstance(node, ast.If):
            return self.in_fen(node.then) and self.in_fen(node.else_)
        return False

    def cap(self, cap: ast.Cap) -> None:
        targets = ", ".join(f"v_{t}" for t in cap.targets)
        if cap.when is not None:
            self.emit(f"if {self.expr(cap.when)}:", cap.when.span)
            self._indent += 1
        if isinstance(cap.limit, ast.Number):  # a fixed amount: rounded once, here
            limit = self.const(max(ops.round_fen(cap.limit.value), ops.ZERO))
        else:
            limit = f"max({self.round(self.expr(cap.limit))}, _ZERO)"
        self.emit(f"_limit = {limit}", cap.limit.span)
        if self.tracing:
            self.emit(f"_before = [{targets}]", cap.span)
        if len(cap.targets) == 1:
            # one line: reduced to the limit when above it (apply_cap with a single value)
            self.emit(f"if {targets} > _limit: {targets} = _limit", cap.span)
        else:
            self.emit(f"{targets} = _apply_cap([{targets}], _limit)", cap.span)
        slot = self.slot(TraceSlot("cap " + " + ".join(cap.targets), "cap", cap.span,
                                   tuple(self.c.citation_text(cap.citation)), (), None, cap.targets))
        self.trace(slot, f"(_limit, _before, [{targets}])", cap.span)
        if cap.when is not None:
            self._indent -= 1

    def claim_step(self, step: ast.ClaimStep) -> None:
        """The line as the law allows it is kept (``_allowed_<line>``); with a claim, the line is at most
        the amount claimed, in whole fen and never rounded up (a claim of 900.005 allows 900.00)."""
        line, var, claim = step.line, f"v_{step.line}", f"v_{step.claim}"
        self.emit(f"_allowed_{line} = {var}", step.span)
        self.emit(f"if {claim} is not None:", step.span)
        self._indent += 1
        self.emit(f"_claimed_{line} = _claim_fen({claim}[{line!r}])", step.span)
        self.emit(f"if _claimed_{line} < _ZERO: "
                  f"_input_error([({f'{step.claim}.{line}'!r}, 'at least', _ZERO, {claim}[{line!r}])])", step.span)
        self.emit(f"if {var} > _claimed_{line}: {var} = _claimed_{line}", step.span)
        slot = self.slot(TraceSlot(f"{line} within {step.claim}", "cap", step.span,
                                   tuple(self.c.citation_text(step.citation)), (), None, (line,)))
        self.trace(slot, f"(_claimed_{line}, [_allowed_{line}], [{var}])", step.span)
        self._indent -= 1

    def grounds(self) -> None:
        """Every ground of admissibility, each judged (a refusal names all the grounds a case meets); a case
        the court does not accept gets no stage."""
        grounds = self.c.grounds
        for i, ground in enumerate(grounds):
            met, unmet = ("False", "True") if ground.require else ("True", "False")
            self.emit(f"_ground_{i} = {met} if {self.expr(ground.cond)} else {unmet}", ground.span)
        if grounds:
            self.emit(f"if {' or '.join(f'_ground_{i}' for i in range(len(grounds)))}: _route = None")

    def route(self) -> None:
        self.emit("_route = None")
        first = True
        for i, rule in enumerate(self.c.routes):
            if rule.cond is None:
                self.emit("else:" if not first else "if True:", rule.span)
            else:
                self.emit(f"{'if' if first else 'elif'} {self.expr(rule.cond)}:", rule.span)
            self._indent += 1
            self.emit(f"_route = {i}", rule.span)
            self._indent -= 1
            first = False
            if rule.cond is None:
                break

    # -------------------------------------------------------------- expressions
    def type_of(self, node: ast.Expr) -> Type:
        return self.c.type_of(node)

    def expr(self, node: ast.Expr) -> str:
        method = getattr(self, f"expr_{type(node).__name__}", None)
        if method is None:
            raise NotImplementedError(f"compiler: unsupported node {type(node).__name__}")
        return method(node)

    def expr_Number(self, n: ast.Number) -> str:
        return self.const(n.value)

    def expr_Percent(self, n: ast.Percent) -> str:
        return self.const(n.value)

    def expr_DateLit(self, n: ast.DateLit) -> str:
        return self.const(date.fromisoformat(n.text))

    def expr_Duration(self, n: ast.Duration) -> str:
        return self.const(ops.duration(n.amount, n.unit))

    def expr_String(self, n: ast.String) -> str:
        return self.const(n.value)

    def expr_Bool(self, n: ast.Bool) -> str:
        return "True" if n.value else "False"

    def expr_Basis(self, n: ast.Basis) -> str:
        return self.const(Decimal(self.c.day_count.basis))

    def expr_EvidenceComplete(self, n: ast.EvidenceComplete) -> str:
        return "_ev"

    def expr_Name(self, n: ast.Name) -> str:
        if n.name == self._linked_table:
            return "_LINKED_TABLE"
        return self._locals.get(n.name, f"v_{n.name}")

    def expr_LinkedRate(self, n: ast.LinkedRate) -> str:
        """``lpr_1y + 3% floating``: the expression over the table as 1 × table + 0 gives the multiple and
        the spread (ruledsl.runtime.linked_rates); the engine's rate follows the table by its name."""
        table = next(m.name for m in table_mentions(n.expr, self.c.tables))
        self._linked_table = table
        try:
            value = self.expr(n.expr)
        finally:
            self._linked_table = None
        at = self.expr(n.at) if n.at is not None else "None"
        return f"_linked_rate({self.const(table)}, {value}, {self.const(n.fixing)}, {at})"

    def expr_ListLit(self, n: ast.ListLit) -> str:
        return "[" + ", ".join(self.expr(i) for i in n.items) + "]"

    def expr_RecordLit(self, n: ast.RecordLit) -> str:
        """A field a later field uses is bound as it is built (``{'a': (r1_a := …), 'b': … r1_a …}``)."""
        outer = dict(self._locals)
        parts = []
        try:
            for i, (k, v) in enumerate(n.fields):
                code = self.expr(v)
                if any(k in names_in(w) for _, w in n.fields[i + 1:]):
                    self._fields += 1
                    var = f"r{self._fields}_{k}"
                    self._locals[k] = var
                    code = f"({var} := {code})"
                parts.append(f"{k!r}: {code}")
        finally:
            self._locals = outer
        return "{" + ", ".join(parts) + "}"

    def expr_NumberRange(self, n: ast.NumberRange) -> str:
        return f"_number_range({self.expr(n.start)}, {self.expr(n.end)})"

    def expr_Index(self, n: ast.Index) -> str:
        return f"_item({self.expr(n.obj)}, {self.expr(n.index)})"

    def expr_Previous(self, n: ast.Previous) -> str:
        return f"_previous(_prev{len(self._comprehensions)})"

    def expr_ListComp(self, n: ast.ListComp) -> str:
        """``[BODY for x in ITEMS]`` as ``_list_comp(ITEMS, lambda l_x, _prevN: BODY)``."""
        items = self.expr(n.iterable)
        var = f"l_{n.var}"
        outer = self._locals.get(n.var)
        self._locals[n.var] = var
        self._comprehensions.append(n)
        prev = f"_prev{len(self._comprehensions)}"
        try:
            body = self.expr(n.body)
            where = "None" if n.where is None else f"lambda {var}, {prev}: {self.expr(n.where)}"
        finally:
            self._comprehensions.pop()
            if outer is None:
                del self._locals[n.var]
            else:
                self._locals[n.var] = outer
        return f"_list_comp({items}, lambda {var}, {prev}: {body}, {where})"

    def expr_Attr(self, n: ast.Attr) -> str:
        obj = self.expr(n.obj)
        if self.type_of(n.obj).kind == "list":
            return f"[_x[{n.name!r}] for _x in {obj}]"
        return f"{obj}[{n.name!r}]"

    def expr_ClaimTotal(self, n: ast.ClaimTotal) -> str:
        if not n.lines:
            return "_ZERO"
        if n.kind == "excess_claimed":  # Σ (claimed − awarded); nothing claimed: nothing in excess
            terms = " + ".join(f"(_claimed_{x.name} - v_{x.name})" for x in n.lines)
            return f"(({terms}) if v_{n.claim.name} is not None else _ZERO)"
        terms = " + ".join(f"(_allowed_{x.name} - v_{x.name})" for x in n.lines)  # nothing claimed: nothing limited
        return f"(({terms}) if v_{n.claim.name} is not None else _ZERO)"

    def expr_If(self, n: ast.If) -> str:
        return f"({self.expr(n.then)} if {self.expr(n.cond)} else {self.expr(n.else_)})"

    def expr_Not(self, n: ast.Not) -> str:
        return f"(not {self.expr(n.operand)})"

    def expr_BoolOp(self, n: ast.BoolOp) -> str:
        return f"({self.expr(n.left)} {n.op} {self.expr(n.right)})"

    def expr_Compare(self, n: ast.Compare) -> str:
        return f"({self.expr(n.left)} {n.op} {self.expr(n.right)})"

    def expr_Neg(self, n: ast.Neg) -> str:
        return f"(-{self.expr(n.operand)})"

    def expr_BinOp(self, n: ast.BinOp) -> str:
        months = months_beside_date(n, self.type_of)
        if months is not None:  # first_due + 1 month: calendar months
            when = self.expr(n.left if months is n.right else n.right)
            return f"_add_months({when}, {self.const(month_count(months) * (-1 if n.op == '-' else 1))})"
        factor = months_factor(n)
        if factor is not None:  # × 1 month: exactly a twelfth
            dur, other = factor
            return (f"_times_duration({self.expr(other)}, {self.const(dur.amount)}, {self.const(dur.unit)}, "
                    f"{self.const(n.op)})")
        a, b = self.expr(n.left), self.expr(n.right)
        if n.op == "^":
            return f"_power({a}, {b})"
        ta, tb = self.type_of(n.left), self.type_of(n.right)
        if ta.kind == "date" and tb.kind == "date":
            return f"_date_diff({a}, {b})"
        if ta.kind == "date":
            return f"_add_days({a}, {b})" if n.op == "+" else f"_add_days({a}, -{b})"
        if tb.kind == "date":
            return f"_add_days({b}, {a})"
        return f"({a} {n.op} {b})"

    def expr_TableAt(self, n: ast.TableAt) -> str:
        return f"{self.table(n.table, self.c.tables[n.table])}.at({self.expr(n.when)})"

    def expr_Accrue(self, n: ast.Accrue) -> str:
        rate_t = self.type_of(n.rate)
        fn = "_accrue_daily" if rate_t.dims == D_DAILY and not rate_t.lit else "_accrue"
        return (f"{fn}({self.expr(n.base)}, {self.expr(n.rate)}, {self.expr(n.start)}, "
                f"{self.expr(n.end)}, {self.day_count(n.basis)})")

    def expr_Call(self, n: ast.Call) -> str:
        args = [self.expr(a) for a in n.args]
        if n.func in self.c.schedules:
            return self.schedule(self.c.schedules[n.func], args[0])
        if n.func == "given":
            return f"({args[0]} is not None)"
        if n.func == "round":
            return self.round(args[0])
        if n.func == "days_between":
            return f"_days_between({args[0]}, {args[1]}, _DC[0])"
        if n.func in ("add_months", "month_end"):
            return f"_{n.func}({', '.join(args)})"
        if n.func in ("min", "max", "abs"):
            if len(args) == 1 and n.func != "abs":
                return f"_{n.func}_of({args[0]})"
            return f"{n.func}({', '.join(args)})"
        if n.func == "sum":
            return f"_dsum({args[0]})"
        if n.func == "count":
            return f"_dcount({args[0]})"
        return f"{n.func}({args[0]})"  # any / all

    def expr_Ledger(self, n: ast.Ledger) -> str:
        spec = self.c.ledger_spec(n)
        given = {st.name: self.expr(st.expr) for st in n.settings}
        # keyword arguments named by the ledger's fields (ruledsl.calc.fields), one per setting the
        # ledger gives, in the table's order; one it leaves out takes the field's default at run time
        settings = [f"{f.name}={given[f.name]}" for f in LEDGER_FIELDS if f.name in given]
        caps = []
        for i, cap in enumerate(n.caps):
            parts = [
                self.const(f"{spec.name} cap {i + 1} (line {cap.span.line})"),
                self.const(cap.components),
                self.expr(cap.rate),
                self.expr(cap.start) if cap.start is not None else "None",
                self.expr(cap.before) if cap.before is not None else "None",
                "True" if cap.unsupported else "False",
                self.const("；".join(self.c.citation_text(cap.citation))),
            ]
            made = f"_CapSpec({', '.join(parts)})"
            # a cap whose `when` is false is not evaluated at all (its rate may need a table value
            # that is not in force for this case)
            caps.append(made if cap.when is None else f"({made} if {self.expr(cap.when)} else None)")
        chosen = self.const(spec)
        for when, agreed in reversed(self.c.agreed_specs(n)):  # the first agreed order whose condition holds
            chosen = f"({self.const(agreed)} if {self.expr(when)} else {chosen})"
        args = [chosen, f"[{', '.join(caps)}]", "_DC[0]"]
        if self.tracing:
            return f"_ledger({', '.join([*args, '_trace is not None', *settings])})"
        return f"_ledger_fast({', '.join([*args, *settings])})"

    def schedule(self, sched: BandSchedule, value: str) -> str:
        """A band schedule compiled once, at module level, to closed form.

        For a progressive schedule the total at each band's upper bound is computed here,
        exactly; at run time a value costs one comparison per band it passes and one
        multiply-add.
        """
        fn = self._schedule_fn.get(sched.name)
        if fn is None:
            fn = f"_sched_{len(self._schedule_fn)}"
            self._schedule_fn[sched.name] = fn
            lines = [f"def {fn}(_s):"]
            total, lower = Decimal(0), Decimal(0)
            for band in sched.bands:
                if band.fixed is not None:
                    total = total + band.fixed if sched.progressive else band.fixed
                    amount = self.const(total)
                elif sched.progressive:
                    amount = f"{self.const(total)} + (_s - {self.const(lower)}) * {self.const(band.rate)}"
                    if band.upper is not None:
                        total += (band.upper - lower) * band.rate
                else:
                    amount = f"_s * {self.const(band.rate)}"
                if band.upper is None:
                    lines.append(f"    return {amount}")
                else:
                    lines.append(f"    if _s <= {self.const(band.upper)}: return {amount}")
                    lower = band.upper
            if sched.bands[-1].upper is not None:
                lines.append("    _no_band(_s)")
            decl = next((d for d in self.c.tree.of_type(ast.ScheduleDecl) if d.name == sched.name), None)
            if decl is not None:
                self.notes[len(self.prelude) + 1] = f"{decl.span.file}:{decl.span.line}: schedule {sched.name}"
            self.prelude.extend(lines + [""])
            self.prelude_spans.extend([None] * (len(lines) + 1))
        return f"{fn}({value})"

    def expr_Aggregate(self, n: ast.Aggregate) -> str:
        var = f"l_{n.var}"
        outer = self._locals.get(n.var)
        self._locals[n.var] = var
        body = self.expr(n.body)
        where = f" if {self.expr(n.where)}" if n.where is not None else ""
        if outer is None:
            del self._locals[n.var]
        else:
            self._locals[n.var] = outer
        gen = f"({body} for {var} in {self.expr(n.iterable)}{where})"
        if n.func == "sum":
            return f"_dsum{gen}"
        if n.func == "count":
            return f"_dcount{gen}"
        if n.func in ("min", "max"):
            return f"_{n.func}_of(list{gen})"
        return f"{n.func}{gen}"


def _min_of(values: list):
    if not values:
        raise ValueError("min of an empty list")
    return min(values)


def _max_of(values: list):
    if not values:
        raise ValueError("max of an empty list")
    return max(values)


def _no_band(value) -> None:
    raise LookupError(f"no band of the schedule covers {value}")


def _input_error(bad: list) -> None:
    raise bounds_error(bad)


RUNTIME_NAMES = {
    "_FEN": FEN,
    "_HALF_UP": ROUND_HALF_UP,
    "_claim_fen": claim_fen,
    "_ZERO": ops.ZERO,
    "_no_band": _no_band,
    "_ledger": run_ledger,
    "_ledger_fast": run_ledger_fast,
    "_CapSpec": CapSpec,
    "_linked_rate": linked_rate,
    "_LINKED_TABLE": LINKED_TABLE,
    "_add_days": ops.add_days,
    "_date_diff": ops.date_diff,
    "_days_between": ops.days_between,
    "_add_months": ops.add_months,
    "_month_end": ops.month_end,
    "_times_duration": ops.times_duration,
    "_power": ops.power,
    "_item": ops.item,
    "_number_range": ops.number_range,
    "_list_comp": ops.list_comp,
    "_previous": ops.previous,
    "_accrue": ops.accrue,
    "_accrue_daily": ops.accrue_daily,
    "_dsum": ops.dsum,
    "_dcount": ops.dcount,
    "_apply_cap": ops.apply_cap,
    "_min_of": _min_of,
    "_max_of": _max_of,
    "_input_error": _input_error,
}

_CACHE: dict[str, CompiledCode] = {}
CACHE_SIZE = 256  # compiled rulesets kept in memory (an editing session recompiles often)


def content_digest(checked: CheckedRuleset) -> str:
    """Hash of the ruleset text, its tables and the compiler version: the cache key."""
    h = hashlib.sha256()
    h.update(COMPILER_VERSION.encode())
    h.update(checked.source.name.encode() + b"\0" + checked.source.text.encode())
    for name in sorted(checked.tables):
        t = checked.tables[name]
        h.update(repr((name, t.dates, t.values)).encode())
    return h.hexdigest()


def compile_ruleset(checked: CheckedRuleset) -> CompiledCode:
    """Compile (or fetch from the cache) the Python code for a checked ruleset."""
    digest = content_digest(checked)
    cached = _CACHE.get(digest)
    if cached is not None:
        return cached
    gen = CodeGen(checked)
    python = gen.generate()
    filename = f"<rules:{checked.source.name}>"
    code = compile(python, filename, "exec")
    namespace: dict[str, object] = {
        "__builtins__": {"min": min, "max": max, "abs": abs, "any": any, "all": all, "list": list,
                         "True": True, "False": False, "None": None},
        **{f"_c{i}": value for i, value in enumerate(gen.consts)},
        "_T": tuple(gen.tables),
        "_DC": tuple(gen.day_counts),
        **RUNTIME_NAMES,
    }
    exec(code, namespace)  # noqa: S102 — our own generated code, no user text inside
    compiled = CompiledCode(python, namespace["evaluate"], namespace["evaluate_fast"], gen.columns, gen.spans,
                            gen.slots, digest, filename, tuple(gen.consts), lower_evidence(checked),
                            gen.notes)
    if len(_CACHE) >= CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]  # the oldest entry
    _CACHE[digest] = compiled
    return compiled


def lower_evidence(checked: CheckedRuleset) -> tuple[RequirementSpec, ...]:
    """The ``evidence:`` rules as plain specs, each with its law's text (what the runtime judges)."""
    specs = []
    for rule in checked.evidence:
        citations = tuple(checked.citation_text(rule.citation))
        if isinstance(rule, ast.WarnIfMissing):
            specs.append(RequirementSpec(rule.kind, warn_only=True, message=rule.message, citations=citations,
                                         span=rule.span))
            continue
        specs.append(RequirementSpec(rule.kind, False, rule.at_least, rule.signed, rule.signed_by, rule.anchored,
                                     _window(rule.within), rule.timestamped, rule.message, citations, rule.span,
                                     _window(rule.dated)))
    return tuple(specs)


def _window(w: ast.Within | None) -> Within | None:
    """A window as the runtime measures it: days and hours as a time span, months and years in calendar months."""
    if w is None:
        return None
    d, n = w.duration, int(w.duration.amount)
    if d.unit in ("months", "years"):
        return Within(timedelta(0), w.of, d.text, w.side, n * 12 if d.unit == "years" else n)
    return Within(timedelta(hours=n) if d.unit == "hours" else timedelta(days=n), w.of, d.text, w.side)


def rule_span_of(exc: BaseException, compiled: CompiledCode) -> Span | None:
    """The rule span of the innermost generated-code frame that maps to a rule line."""
    tb: pytypes.TracebackType | None = exc.__traceback__
    span = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == compiled.filename:
            span = compiled.span_for_line(tb.tb_lineno) or span
        tb = tb.tb_next
    return span

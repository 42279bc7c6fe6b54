"""A small tree-walking interpreter over the checked syntax tree.

It exists for two reasons only: it is the oracle of the differential tests
(compiled code and interpreter must agree on every generated case) and the
baseline of the language benchmark. It shares every operation with the
compiled code through :mod:`ruledsl.runtime.ops`, so the two differ only in
*how* they walk the rules, never in what an operation means.
"""

from __future__ import annotations

import operator
from datetime import date
from decimal import Decimal, getcontext, setcontext
from typing import Any

from ruledsl.core.daycount import DayCount
from ruledsl.core.errors import bounds_error
from ruledsl.core.money import RULES_CONTEXT, claim_fen
from ruledsl.core.types import D_DAILY
from ruledsl.lang import ast
from ruledsl.lang.checker import (
    CheckedRuleset,
    month_count,
    months_beside_date,
    months_factor,
    rate_shown,
    table_mentions,
)
from ruledsl.runtime import ops
from ruledsl.runtime.ledger import CapSpec, run_ledger
from ruledsl.runtime.linked_rates import TABLE as LINKED_TABLE
from ruledsl.runtime.linked_rates import linked_rate

_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
            ">": operator.gt, ">=": operator.ge}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


class Interpreter:
    def __init__(self, checked: CheckedRuleset) -> None:
        self.c = checked
        #: what a run yields, in this order (as the compiled code's rows)
        self.columns = checked.columns
        self._extra = frozenset(self.columns[len(checked.inputs) + len(checked.definitions):])  # claim and ground columns: not outputs

    def run(self, inputs: dict[str, Any], evidence_complete: bool = True) -> tuple[dict[str, Any], int | None]:
        saved = getcontext()
        setcontext(RULES_CONTEXT)
        try:
            env, route = self._run(inputs, evidence_complete)
        finally:
            setcontext(saved)
        return {name: env[name] for name in self.columns if name not in self._extra}, route

    def run_batch(self, cases: list[dict[str, Any]], evidence_complete: bool = True) -> list:
        """Many cases under one decimal context, as rows in ``columns`` order (like ``Ruleset.call_batch``)."""
        columns = self.columns
        saved = getcontext()
        setcontext(RULES_CONTEXT)
        try:
            rows = []
            for inputs in cases:
                env, route = self._run(inputs, evidence_complete)
                rows.append((tuple(env[name] for name in columns), route))
            return rows
        finally:
            setcontext(saved)

    def _run(self, inputs: dict[str, Any], evidence_complete: bool) -> tuple[dict[str, Any], int | None]:
        """(every value by name, the route); the environment may hold more than ``columns``."""
        env: dict[str, Any] = {}
        self.evidence_complete = evidence_complete
        bad = []
        for f in self.c.inputs:
            value = inputs.get(f.name)
            if value is None and f.default is not None:
                value = self.eval(f.default, env)
            env[f.name] = value
            for bound, cmp, word in (("min", operator.lt, "at least"), ("max", operator.gt, "at most")):
                node = getattr(f, bound)
                if node is not None:
                    limit = self.eval(node, env)
                    if value is not None and cmp(value, limit):
                        bad.append((f.name, word, limit, value, rate_shown(self.c.input_types[f.name])))
        if bad:
            raise bounds_error(bad)
        for step in self.c.steps:
            if isinstance(step, ast.Definition):
                value = self.eval(step.expr, env)
                if step.name in self.c.awards:
                    value = ops.round_fen(value)
                env[step.name] = value
            elif isinstance(step, ast.ClaimStep):
                self._claim_step(step, env)
            elif step.when is None or self.eval(step.when, env):
                limit = ops.round_fen(self.eval(step.limit, env))
                after = ops.apply_cap([env[t] for t in step.targets], limit)
                env.update(zip(step.targets, after, strict=True))
        route = None
        for i, rule in enumerate(self.c.routes):
            if rule.cond is None or self.eval(rule.cond, env):
                route = i
                break
        refused = False
        for i, ground in enumerate(self.c.grounds):
            env[ast.ground_column(i)] = met = bool(self.eval(ground.cond, env)) != ground.require
            refused |= met
        if refused:  # a case the court does not accept gets no stage
            route = None
        return env, route

    @staticmethod
    def _claim_step(step: ast.ClaimStep, env: dict[str, Any]) -> None:
        """What the law allows of the line is kept beside it; with a claim, the line is at most the
        amount claimed in whole fen, never rounded up."""
        line, claim = step.line, env[step.claim]
        env[ast.allowed_column(line)] = env[line]
        if claim is not None:
            claimed = claim_fen(claim[line])
            if claimed < 0:
                raise bounds_error([(f"{step.claim}.{line}", "at least", ops.ZERO, claim[line])])
            env[_claimed(line)] = claimed
            env[line] = min(env[line], claimed)

    def eval_ClaimTotal(self, n: ast.ClaimTotal, env):
        lines = [x.name for x in n.lines]
        if n.kind == "excess_claimed":
            if env[n.claim.name] is None:
                return ops.ZERO
            return sum((env[_claimed(x)] - env[x] for x in lines), ops.ZERO)
        return sum((env[ast.allowed_column(x)] - env[x] for x in lines), ops.ZERO)

    # -------------------------------------------------------------- expressions
    def eval(self, node: ast.Expr, env: dict[str, Any]) -> Any:
        method = getattr(self, f"eval_{type(node).__name__}", None)
        if method is None:
            raise NotImplementedError(f"interpreter: unsupported node {type(node).__name__}")
        return method(node, env)

    def eval_Number(self, n: ast.Number, env):
        return n.value

    def eval_Percent(self, n: ast.Percent, env):
        return n.value

    def eval_DateLit(self, n: ast.DateLit, env):
        return date.fromisoformat(n.text)

    def eval_Duration(self, n: ast.Duration, env):
        return ops.duration(n.amount, n.unit)

    def eval_String(self, n: ast.String, env):
        return n.value

    def eval_Bool(self, n: ast.Bool, env):
        return n.value

    def eval_Basis(self, n: ast.Basis, env):
        return Decimal(self.c.day_count.basis)

    def eval_EvidenceComplete(self, n: ast.EvidenceComplete, env):
        return self.evidence_complete

    def eval_Name(self, n: ast.Name, env):
        return env[n.name]

    def eval_ListLit(self, n: ast.ListLit, env):
        return [self.eval(i, env) for i in n.items]

    def eval_RecordLit(self, n: ast.RecordLit, env):
        inner, out = dict(env), {}
        for k, v in n.fields:  # a field may use the fields before it
            out[k] = inner[k] = self.eval(v, inner)
        return out

    def eval_NumberRange(self, n: ast.NumberRange, env):
        return ops.number_range(self.eval(n.start, env), self.eval(n.end, env))

    def eval_Index(self, n: ast.Index, env):
        return ops.item(self.eval(n.obj, env), self.eval(n.index, env))

    def eval_Previous(self, n: ast.Previous, env):
        return ops.previous(env[_PREVIOUS])

    def eval_ListComp(self, n: ast.ListComp, env):
        def scope(x, prev):
            return {**env, n.var: x, _PREVIOUS: prev}
        where = None if n.where is None else (lambda x, prev: self.eval(n.where, scope(x, prev)))
        return ops.list_comp(self.eval(n.iterable, env), lambda x, prev: self.eval(n.body, scope(x, prev)), where)

    def eval_Attr(self, n: ast.Attr, env):
        obj = self.eval(n.obj, env)
        if isinstance(obj, list):
            return [item[n.name] for item in obj]
        return obj[n.name]

    def eval_If(self, n: ast.If, env):
        return self.eval(n.then, env) if self.eval(n.cond, env) else self.eval(n.else_, env)

    def eval_Not(self, n: ast.Not, env):
        return not self.eval(n.operand, env)

    def eval_BoolOp(self, n: ast.BoolOp, env):
        left = self.eval(n.left, env)
        if n.op == "and":
            return left and self.eval(n.right, env)
        return left or self.eval(n.right, env)

    def eval_Compare(self, n: ast.Compare, env):
        return _COMPARE[n.op](self.eval(n.left, env), self.eval(n.right, env))

    def eval_Neg(self, n: ast.Neg, env):
        return -self.eval(n.operand, env)

    def eval_BinOp(self, n: ast.BinOp, env):
        months = months_beside_date(n, self.c.type_of)
        if months is not None:  # first_due + 1 month
            when = self.eval(n.left if months is n.right else n.right, env)
            return ops.add_months(when, month_count(months) * (-1 if n.op == "-" else 1))
        factor = months_factor(n)
        if factor is not None:  # × 1 month: exactly a twelfth
            dur, other = factor
            return ops.times_duration(self.eval(other, env), dur.amount, dur.unit, n.op)
        a, b = self.eval(n.left, env), self.eval(n.right, env)
        if n.op == "^":
            return ops.power(a, b)
        if isinstance(a, date) and isinstance(b, date):
            return ops.date_diff(a, b)
        if isinstance(a, date):
            return ops.add_days(a, b if n.op == "+" else -b)
        if isinstance(b, date):
            return ops.add_days(b, a)
        return _ARITH[n.op](a, b)

    def eval_LinkedRate(self, n: ast.LinkedRate, env):
        table = next(m.name for m in table_mentions(n.expr, self.c.tables))
        value = self.eval(n.expr, {**env, table: LINKED_TABLE})  # the table as 1 × table + 0
        return linked_rate(table, value, n.fixing, self.eval(n.at, env) if n.at is not None else None)

    def eval_TableAt(self, n: ast.TableAt, env):
        return self.c.tables[n.table].at(self.eval(n.when, env))

    def eval_Accrue(self, n: ast.Accrue, env):
        dc = self.c.day_count
        if n.basis is not None:
            dc = DayCount(n.basis, dc.first_day, dc.last_day)
        rate_t = self.c.type_of(n.rate)
        fn = ops.accrue_daily if rate_t.dims == D_DAILY and not rate_t.lit else ops.accrue
        return fn(self.eval(n.base, env), self.eval(n.rate, env), self.eval(n.start, env),
                  self.eval(n.end, env), dc)

    def eval_Call(self, n: ast.Call, env):
        args = [self.eval(a, env) for a in n.args]
        if n.func == "given":
            return args[0] is not None
        if n.func in self.c.schedules:
            return self.c.schedules[n.func](args[0])
        if n.func == "round":
            return ops.round_fen(args[0])
        if n.func == "days_between":
            return ops.days_between(args[0], args[1], self.c.day_count)
        if n.func == "add_months":
            return ops.add_months(args[0], args[1])
        if n.func == "month_end":
            return ops.month_end(args[0])
        if n.func == "abs":
            return abs(args[0])
        if n.func in ("min", "max"):
            values = args[0] if len(args) == 1 else args
            return self._extreme(n.func, values)
        if n.func == "sum":
            return ops.dsum(args[0])
        if n.func == "count":
            return ops.dcount(args[0])
        return {"any": any, "all": all}[n.func](args[0])

    def eval_Aggregate(self, n: ast.Aggregate, env):
        values = []
        for item in self.eval(n.iterable, env):
            inner = dict(env)
            inner[n.var] = item
            if n.where is None or self.eval(n.where, inner):
                values.append(self.eval(n.body, inner))
        if n.func == "sum":
            return ops.dsum(values)
        if n.func == "count":
            return ops.dcount(values)
        if n.func in ("min", "max"):
            return self._extreme(n.func, values)
        return {"any": any, "all": all}[n.func](values)

    def eval_Ledger(self, n: ast.Ledger, env):
        spec = next((agreed for when, agreed in self.c.agreed_specs(n) if self.eval(when, env)), self.c.ledger_spec(n))
        settings = {st.name: self.eval(st.expr, env) for st in n.settings}  # by field name, as compiled code
        caps = [
            CapSpec(f"{spec.name} cap {i + 1} (line {cap.span.line})", cap.components, self.eval(cap.rate, env),
                    self.eval(cap.start, env) if cap.start is not None else None,
                    self.eval(cap.before, env) if cap.before is not None else None,
                    cap.unsupported, "；".join(self.c.citation_text(cap.citation)))
            if cap.when is None or self.eval(cap.when, env) else None
            for i, cap in enumerate(n.caps)
        ]
        return run_ledger(spec, caps, self.c.day_count, **settings)

    @staticmethod
    def _extreme(func: str, values: list):
        if not values:
            raise ValueError(f"{func} of an empty list")
        return min(values) if func == "min" else max(values)


#: the environment's key for ``previous`` (not a name a ruleset can write)
_PREVIOUS = " previous"


def _claimed(line: str) -> str:
    return f"{line}:claimed"


def interpret(checked: CheckedRuleset, inputs: dict[str, Any], evidence_complete: bool = True):
    """Run a checked ruleset by walking its tree: (outputs by name, index of the chosen route)."""
    return Interpreter(checked).run(inputs, evidence_complete)

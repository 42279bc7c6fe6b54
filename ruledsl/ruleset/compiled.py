"""The public face of the language: load a ruleset, decide a case.

>>> rs = load("rulesets/cn/court_fees.rules")               # doctest: +SKIP
>>> rs.evaluate({"claim_amount": "100000"}).award["acceptance_fee"]   # doctest: +SKIP
Money('2300.00')

``load`` runs parse → check → compile; a ruleset with any error raises and
never runs. ``Ruleset.evaluate`` validates the case, judges its evidence,
runs the compiled rules and returns a :class:`Decision` whose every figure can
explain itself.
"""

from __future__ import annotations

import decimal
import gc
from dataclasses import dataclass, field
from decimal import Decimal, getcontext, setcontext
from pathlib import Path
from typing import Any

from ruledsl.cases.inputs import parse_case
from ruledsl.core.errors import RulesError, RulesRuntimeError, Source, Span
from ruledsl.core.money import RULES_CONTEXT, Money, claim_fen, round_fen
from ruledsl.core.text import read_text
from ruledsl.lang.ast import allowed_column, ground_column
from ruledsl.lang.checker import CheckedRuleset, check
from ruledsl.lang.compiler import CompiledCode, compile_ruleset, rule_span_of
from ruledsl.lang.parser import parse
from ruledsl.runtime.ledger import LedgerResult
from ruledsl.runtime.requirements import RequirementResult, judge
from ruledsl.runtime.trace import TraceEntry
from ruledsl.runtime.values import to_json

#: which bound gave an award line limited to the claim: the claim, the law, or both (they were equal)
LIMITED_BY = {"claim": "诉请", "law": "法律规定", "both": "诉请与法律规定相同"}


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One award line under ``within claimed``: what was claimed, what the law allows, what is awarded
    (the lesser of the two: 民事诉讼法 art.211(11), a judgment may not exceed the claim)."""

    claimed: Money
    allowed: Money
    awarded: Money

    @property
    def limited_by(self) -> str:
        """``"claim"`` (less was claimed than the law allows), ``"law"`` (more was claimed), or ``"both"``."""
        if self.claimed < self.allowed:
            return "claim"
        return "law" if self.allowed < self.claimed else "both"

    def as_dict(self) -> dict[str, str]:
        return {"claimed": str(self.claimed), "allowed": str(self.allowed), "awarded": str(self.awarded),
                "limited_by": self.limited_by, "limited_by_label": LIMITED_BY[self.limited_by]}


@dataclass(frozen=True, slots=True)
class Refusal:
    """A ground of admissibility a case meets (不予受理的理由): what the rule says, its law, where it is written."""

    message: str
    citations: tuple[str, ...]
    span: Span

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "citations": list(self.citations), "line": self.span.line}


@dataclass
class Decision:
    """The outcome of one case under one ruleset."""

    ruleset: str
    version: str
    values: dict[str, Any]
    award: dict[str, Money]
    evidence: list[RequirementResult]
    route: str | None
    trace: list[TraceEntry] = field(default_factory=list)
    types: dict[str, Any] = field(default_factory=dict, repr=False)
    #: per award line limited to the claim (``within claimed``), when the case states a claim
    claim: dict[str, ClaimLine] | None = None
    #: every ground of admissibility the case meets (``admissibility:``); none: the case is admissible
    refusals: tuple[Refusal, ...] = ()

    @property
    def admissible(self) -> bool:
        """Whether the court accepts the case (受理): no ground of admissibility refuses it."""
        return not self.refusals

    @property
    def excess_claimed(self) -> Money:
        """What was claimed beyond the award (诉请超出支持部分): Σ claimed − awarded, as the rules computed it."""
        return Money(self.values["excess_claimed"] if self.claim is not None else 0)

    @property
    def allowed_not_claimed(self) -> Money:
        """What the law allowed but was not claimed (依法可支持而未诉请部分): Σ allowed − awarded."""
        return Money(self.values["allowed_not_claimed"] if self.claim is not None else 0)

    @property
    def evidence_complete(self) -> bool:
        return all(r.satisfied for r in self.evidence if r.severity == "error")

    def as_json(self, with_trace: bool = True) -> dict[str, Any]:
        """The decision as JSON-safe data.  A ledger's calculation (segments, cuts, allocations) is
        written once, under ``values``; the trace refers to it by name instead of repeating it (a
        30-year monthly loan's calculation is large, and every rule that reads the ledger is traced)."""
        out: dict[str, Any] = {
            "ruleset": self.ruleset,
            "version": self.version,
            "award": {k: str(v) for k, v in self.award.items()},
            "values": {k: to_json(v, self.types.get(k)) for k, v in self.values.items()},
            "evidence": [r.as_dict() for r in self.evidence],
            "admissible": self.admissible,
            "refusals": [r.as_dict() for r in self.refusals],
            "route": self.route,
        }
        if self.claim is not None:
            out["claim"] = {"lines": {k: c.as_dict() for k, c in self.claim.items()},
                            "excess_claimed": str(self.excess_claimed),
                            "allowed_not_claimed": str(self.allowed_not_claimed)}
        if with_trace:
            ledgers = {id(v): k for k, v in self.values.items() if isinstance(v, LedgerResult)}
            out["trace"] = [
                {**e.as_dict(), "value": self._traced(e.value, e.rule, ledgers),
                 "inputs": {k: self._traced(v, k, ledgers) for k, v in e.inputs.items()}}
                for e in self.trace
            ]
        return out

    def _traced(self, value: Any, name: str, ledgers: dict[int, str]) -> Any:
        if isinstance(value, LedgerResult) and id(value) in ledgers:
            return {**{k: f"{round_fen(v):f}" for k, v in value.items()}, "calculation": f"values.{ledgers[id(value)]}"}
        return to_json(value, self.types.get(name))


class Ruleset:
    """A checked and compiled ruleset, ready to decide cases."""

    def __init__(self, checked: CheckedRuleset, code: CompiledCode) -> None:
        self.checked = checked
        self.code = code
        self.types = {**checked.input_types, **checked.def_types}
        self._award_index = {name: code.columns.index(name) for name in checked.awards}
        self._claim_index = {line: (code.columns.index(line), code.columns.index(allowed_column(line)))
                             for line in checked.claim_lines}
        self._claim_at = code.columns.index(checked.claim.claim) if checked.claim is not None else None
        self._grounds = [(code.columns.index(ground_column(i)), ground_column(i),
                          Refusal(g.message, tuple(checked.citation_text(g.citation)), g.span))
                         for i, g in enumerate(checked.grounds)]
        self._nothing_presented: list[RequirementResult] | None = None  # see judge_evidence

    @property
    def name(self) -> str:
        return self.checked.name

    @property
    def version(self) -> str:
        return self.checked.version

    @property
    def python_source(self) -> str:
        """The generated Python as it runs."""
        return self.code.python

    @property
    def annotated_python(self) -> str:
        """The generated Python for reading: constants and each statement's rule line as comments."""
        return self.code.annotated()

    # -------------------------------------------------------------- running
    def evaluate(self, data: dict[str, Any], origin: str = "case", trace: bool = True,
                 verified: list[dict[str, Any]] | None = None) -> Decision:
        """Validate raw case data (strings, JSON values) and decide it.

        ``verified`` are the evidence items the evidence layer checked (``attach_evidence``); the
        ``evidence`` items in ``data`` are only what the party declares and never meet a rule.
        """
        return self.run(parse_case(self.checked, data, origin, verified), trace=trace)

    def run(self, values: dict[str, Any], trace: bool = True) -> Decision:
        """Decide a case whose inputs are already typed (as :func:`parse_case` returns them)."""
        evidence = self.judge_evidence(values)
        complete = all(r.satisfied for r in evidence if r.severity == "error")
        raw: list | None = [] if trace else None
        outputs, route = self.call(values, complete, raw)
        c = self.checked
        claim = self.claim_of(outputs)
        refusals = self.refusals_of(outputs)
        for name in c.columns[len(c.inputs) + len(c.definitions):]:  # the claim's and the grounds' columns
            del outputs[name]
        award = self.award_of(outputs)
        stage = c.routes[route].stage if route is not None else None
        entries = self._trace_entries(raw, values, outputs, route, refusals) if raw is not None else []
        return Decision(c.name, c.version, outputs, award, evidence, stage, entries, self.types, claim, refusals)

    @property
    def grounds(self) -> tuple[Refusal, ...]:
        """Every ground of admissibility (``admissibility:``), in order, as the refusal it gives."""
        return tuple(refusal for _, _, refusal in self._grounds)

    def refusals_of(self, values: dict[str, Any] | tuple) -> tuple[Refusal, ...]:
        """The grounds of admissibility one decided case meets (as :meth:`call` gives it, or a
        :meth:`call_batch` row), in the ruleset's order; none when it is admissible."""
        is_row = not isinstance(values, dict)
        return tuple(refusal for at, name, refusal in self._grounds if values[at if is_row else name])

    def claim_of(self, values: dict[str, Any] | tuple) -> dict[str, ClaimLine] | None:
        """Claimed, allowed and awarded per line of one decided case (as :meth:`call` gives it, or a
        :meth:`call_batch` row), or None when the ruleset has no claim limit or the case states no claim."""
        c = self.checked
        if c.claim is None:
            return None
        is_row = not isinstance(values, dict)
        claimed = values[self._claim_at] if is_row else values[c.claim.claim]
        if claimed is None:
            return None
        out = {}
        for line, (at, allowed_at) in self._claim_index.items():
            awarded, allowed = (values[at], values[allowed_at]) if is_row else (values[line], values[allowed_column(line)])
            out[line] = ClaimLine(Money(claim_fen(claimed[line])), Money(allowed), Money(awarded))
        return out

    def award_of(self, values: dict[str, Any] | tuple) -> dict[str, Money]:
        """The award lines of one decided case (by name, or a :meth:`call_batch` row) as Money.

        An award line no court figure can be (more than 18 digits before the point) is an error at
        its rule line, not a traceback.
        """
        award = {}
        for name in self.checked.awards:
            value = values[name] if isinstance(values, dict) else values[self._award_index[name]]
            try:
                award[name] = Money(value)
            except ValueError as exc:
                raise RulesRuntimeError.at(f"award line `{name}`: {exc}", self.checked.definitions[name].span,
                                           "check the inputs: no award in a court case is that large") from None
        return award

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of the values in a row of :meth:`call_batch`: every input, every definition, what the
        law allows of each line limited to the claim (``interest:allowed``, see :meth:`claim_of`), then
        whether each ground of admissibility refuses the case (``ground:0``, see :meth:`refusals_of`)."""
        return self.code.columns

    def call(self, values: dict[str, Any], evidence_complete: bool = True, trace: list | None = None):
        """The compiled rules on one typed case: (every input and definition by name, index of the route)."""
        with self._running():
            if trace is None:
                row, route = self.code.fast(values, evidence_complete)
            else:
                row, route = self.code.function(values, evidence_complete, trace)
        return dict(zip(self.code.columns, row)), route  # noqa: B905 — a row has every column

    def call_batch(self, cases: list[dict[str, Any]], evidence_complete: bool = True,
                   failures: dict[int, RulesError] | None = None) -> list:
        """The compiled rules over many typed cases under one decimal context (the pre-check's loop).

        Each case gives ``(row, route)``: the row holds the values in :attr:`columns` order, as a
        database cursor returns rows (``dict(zip(ruleset.columns, row))`` names them).
        A case that fails raises for the whole batch, located at its rule line — unless a
        ``failures`` dict is given: then the failing case's error is recorded there under its
        index, its entry in the result is ``None``, and the other cases are decided.

        The cyclic garbage collector is paused for the batch: compiled rules create no reference
        cycles (every object they make is freed by reference counting), and without the pause the
        collector rescans the growing list of results over and over — about a third of the time of
        a 100,000-case batch (benchmarks/bench_calc.py).  It is resumed afterwards, also on error.
        """
        fast = self.code.fast
        paused = gc.isenabled()
        gc.disable()
        try:
            with self._running():
                if failures is None:
                    return [fast(values, evidence_complete) for values in cases]
                out: list = []
                for index, values in enumerate(cases):
                    try:
                        out.append(fast(values, evidence_complete))
                    except Exception as exc:
                        error = located(exc, self.code)
                        if error is None:  # not a failure of the rules: a bug, let it out
                            raise
                        failures[index] = error
                        out.append(None)
                return out
        finally:
            if paused:
                gc.enable()

    def _running(self) -> _RulesRun:
        return _RulesRun(self.code)

    def judge_evidence(self, values: dict[str, Any]) -> list[RequirementResult]:
        if not self.code.evidence:
            return []
        items = values.get("evidence") or []
        if not items:  # nothing presented: every requirement is missing, whatever the inputs (the pre-check's
            if self._nothing_presented is None:  # common row) — judged once
                self._nothing_presented = judge(self.code.evidence, [], values)
            return list(self._nothing_presented)
        return judge(self.code.evidence, items, values)

    def _trace_entries(self, raw: list, values: dict, outputs: dict, route: int | None,
                       refusals: tuple[Refusal, ...] = ()) -> list[TraceEntry]:
        env = dict(values)
        env.update(outputs)
        entries = []
        for index, value in raw:
            slot = self.code.slots[index]
            if slot.kind == "cap":
                limit, before, after = value
                removed = sum(before, Decimal(0)) - sum(after, Decimal(0))
                cuts = ", ".join(f"{t} −{b - a:f}" for t, b, a in zip(slot.targets, before, after, strict=True)
                                 if b != a)
                note = (f"limit {limit:f}; removed {removed:f} ({cuts})" if removed
                        else f"limit {limit:f}; not reached")
                entries.append(TraceEntry(slot.rule, "cap", Money(removed), slot.span,
                                          dict(zip(slot.targets, after, strict=True)), slot.citations,
                                          None, note, limit))
                continue
            entries.append(TraceEntry(slot.rule, slot.kind, value, slot.span,
                                      {r: env.get(r) for r in slot.refs}, slot.citations, slot.label))
        for refusal in refusals:
            entries.append(TraceEntry("admissibility", "admissibility", refusal.message, refusal.span, {},
                                      refusal.citations, note="不予受理 not admissible"))
        if route is not None:
            rule = self.checked.routes[route]
            entries.append(TraceEntry("route", "route", rule.stage, rule.span, {},
                                      tuple(self.checked.citation_text(rule.citation)),
                                      note="otherwise" if rule.cond is None else "condition met"))
        return entries


class _RulesRun:
    """Run rules in :data:`RULES_CONTEXT`; a failure inside becomes an error at its rule line.

    (A class rather than ``@contextmanager``: it sits on the per-case hot path.)
    """

    __slots__ = ("code", "saved")

    def __init__(self, code: CompiledCode) -> None:
        self.code = code

    def __enter__(self) -> None:
        self.saved = getcontext()
        setcontext(RULES_CONTEXT)

    def __exit__(self, kind, exc, tb) -> None:
        setcontext(self.saved)
        if exc is not None and not isinstance(exc, RulesError):
            error = located(exc, self.code)
            if error is not None:
                raise error from None


def located(exc: BaseException, code: CompiledCode) -> RulesError | None:
    """A failure inside compiled rules as users see it: an error at the rule line (``None``: not the
    rules' failure — a bug, which should propagate as it is)."""
    if isinstance(exc, RulesError):
        return exc
    if isinstance(exc, (ArithmeticError, LookupError, ValueError, TypeError)):
        return RulesRuntimeError.at(_runtime_message(exc), rule_span_of(exc, code))
    return None


def _runtime_message(exc: BaseException) -> str:
    if isinstance(exc, (ZeroDivisionError, decimal.DivisionByZero)):
        return "division by zero"
    if isinstance(exc, decimal.InvalidOperation):
        return "arithmetic without a defined result (such as 0 / 0)"
    if isinstance(exc, LookupError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__


def load_text(text: str, name: str = "<rules>", base_dir: Path | None = None, *, cached: bool = False) -> Ruleset:
    """Parse, check and compile ruleset text (``cached``: the parse may come from the private
    cache, see :func:`ruledsl.lang.parser.parse`)."""
    tree = parse(text, name, cached=cached)
    checked = check(tree, Source(name, text), base_dir)
    return Ruleset(checked, compile_ruleset(checked))


def load(path: str | Path) -> Ruleset:
    """Load a ruleset file; tables are found relative to the file."""
    path = Path(path)
    return load_text(read_text(path), str(path), path.parent, cached=True)


def check_text(text: str, name: str = "<rules>", base_dir: Path | None = None, *,
               cached: bool = False) -> CheckedRuleset:
    """Parse and check without compiling (what `ruledsl check` and editors need)."""
    return check(parse(text, name, cached=cached), Source(name, text), base_dir)


__all__ = ["Decision", "Ruleset", "check_text", "load", "load_text", "located"]

"""``example`` blocks are tests: run each one and compare what it expects with what the rules give.

Money is compared at the fen (award lines are already rounded; intermediate
money is rounded half-up before comparing); every other value exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ruledsl.cases.inputs import parse_case
from ruledsl.core.errors import RulesError, RulesRuntimeError, Span
from ruledsl.core.money import round_fen
from ruledsl.core.show import plain_number
from ruledsl.core.types import D_MONEY
from ruledsl.lang import ast
from ruledsl.lang.checker import CheckedRuleset
from ruledsl.lang.interpreter import Interpreter
from ruledsl.ruleset.compiled import Ruleset
from ruledsl.runtime.values import to_json


@dataclass
class ExampleResult:
    title: str
    span: Span
    failures: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None


def run_examples(ruleset: Ruleset) -> list[ExampleResult]:
    return [run_example(ruleset, ex) for ex in ruleset.checked.examples]


def run_example(ruleset: Ruleset, example: ast.Example) -> ExampleResult:
    checked = ruleset.checked
    result = ExampleResult(example.title, example.span)
    constants = Interpreter(checked)
    try:
        given, verified = example_case(checked, example, constants)
        decision = ruleset.run(parse_case(checked, given, f"example \"{example.title}\"", verified, settings=True))
    except RulesError as exc:
        result.error = "\n".join(d.message for d in exc.diagnostics)
        return result
    statuses = {r.kind: r.status for r in decision.evidence}
    for b in example.expect:
        try:
            expected = _constant(constants, b)
        except RulesError as exc:
            result.error = "\n".join(d.message for d in exc.diagnostics)
            return result
        if b.evidence_kind is not None:
            got = statuses.get(b.evidence_kind, "no rule")
            if got != expected:
                result.failures.append(f"evidence \"{b.evidence_kind}\": expected {expected}, got {got}")
            continue
        if b.name == "route":
            if decision.route != expected:
                result.failures.append(f"route: expected \"{expected}\", got \"{decision.route}\"")
            continue
        if b.name == "admissible":
            if decision.admissible != expected:
                grounds = "; ".join(r.message for r in decision.refusals) or "no ground refuses it"
                result.failures.append(f"admissible: expected {str(expected).lower()}, got "
                                       f"{str(decision.admissible).lower()} ({grounds})")
            continue
        typ = ruleset.types[b.name]
        got = decision.values.get(b.name)
        if typ.kind == "qty" and typ.dims == D_MONEY and isinstance(got, Decimal):
            got = round_fen(got)
        if not _equal(got, expected):
            shown = to_json(expected, typ), to_json(got, typ)
            if shown[0] == shown[1]:  # they differ past what is shown: show both exactly
                shown = _exact(expected), _exact(got)
            result.failures.append(
                f"{b.name}: expected {shown[0]}, got {shown[1]}"
                + (f"  (line {b.span.line})" if b.span.line else "")
            )
    return result


def example_case(checked: CheckedRuleset, example: ast.Example, constants: Interpreter | None = None) -> tuple[dict, object]:
    """An example's ``given`` as a case file would write it, and the evidence it says verification found.

    A monthly rate is written per month in a case (``1.5%``) and as a rate per month in the example
    (``1.5% per month``, a yearly value inside the rules), so it is handed over as the case writes it."""
    constants = constants or Interpreter(checked)
    given = {b.name: _constant(constants, b) for b in example.given}
    verified = given.pop("evidence", None)  # what verification found (the example tests the rules)
    for name, value in given.items():
        typ = checked.input_types.get(name)
        if typ is not None and isinstance(value, Decimal):
            given[name] = typ.as_written(value)
    return _jsonable(given), (_jsonable(verified) if verified else None)


def _constant(constants: Interpreter, binding: ast.Binding) -> object:
    """The value an example's ``given`` or ``expect`` writes; arithmetic that cannot be done (``2000 / 0``)
    is an error at its line, not a traceback."""
    try:
        return constants.eval(binding.expr, {})
    except (ArithmeticError, ValueError) as exc:  # decimal.DivisionByZero, InvalidOperation, Overflow …
        raise RulesRuntimeError.at(f"`{binding.name}`: this value cannot be computed ({type(exc).__name__})",
                                   binding.expr.span, "write the value itself, e.g. 20000.00") from None


def _equal(got: object, expected: object) -> bool:
    if isinstance(got, Decimal) and isinstance(expected, Decimal):
        return got == expected
    return got == expected


def _exact(value: object) -> object:
    """A value to its last digit (a failure whose two values read alike when shown rounded)."""
    return plain_number(value) if isinstance(value, Decimal) else to_json(value, None)


def _jsonable(value: object) -> object:
    """Example constants handed to the case parser (Decimals and dates are accepted as they are)."""
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value

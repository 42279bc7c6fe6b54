"""Every shipped ruleset checks, is in canonical layout, and every one of its worked examples passes."""

from __future__ import annotations

import re

import pytest

from ruledsl.cases.inputs import parse_case
from ruledsl.lang.fmt import format_text
from ruledsl.lang.interpreter import interpret
from ruledsl.ruleset import load
from ruledsl.ruleset.examples import example_case, run_example

from ..conftest import RULESETS

FILES = sorted(RULESETS.glob("*.rules"))


def test_rulesets_are_shipped() -> None:
    assert any(p.name == "court_fees.rules" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_ruleset_is_canonical_and_cites_its_law(path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text, "run: ruledsl fmt " + str(path)
    ruleset = load(path)
    checked = ruleset.checked
    # as `ruledsl check --strict` does: no warning at all, so every award line cites its law (`per …`)
    assert not checked.warnings, "\n".join(w.render() for w in checked.warnings)
    for name in checked.awards:
        assert checked.definitions[name].citation is not None, f"award line `{name}` cites no law"
    assert len(checked.examples) >= 8
    for example in checked.examples:
        # a worked example shows its arithmetic in a comment just above or inside it
        body = "\n".join(text.splitlines()[example.span.line - 1: example.span.end_line])
        assert re.search(r"#", body), f"example \"{example.title}\" has no hand calculation"


def _examples():
    for path in FILES:
        ruleset = load(path)
        for example in ruleset.checked.examples:
            yield pytest.param(ruleset, example, id=f"{path.stem}: {example.title}")


@pytest.mark.parametrize(("ruleset", "example"), list(_examples()))
def test_worked_example(ruleset, example) -> None:
    result = run_example(ruleset, example)
    assert result.passed, result.error or "\n".join(result.failures)


@pytest.mark.parametrize(("ruleset", "example"), list(_examples()))
def test_interpreter_agrees_on_worked_example(ruleset, example) -> None:
    given, verified = example_case(ruleset.checked, example)
    values = parse_case(ruleset.checked, given, verified=verified, settings=True)
    decision = ruleset.run(values, trace=False)
    outputs, route = interpret(ruleset.checked, values, decision.evidence_complete)
    assert outputs == decision.values
    assert (ruleset.checked.routes[route].stage if route is not None else None) == decision.route

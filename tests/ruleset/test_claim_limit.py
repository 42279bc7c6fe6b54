"""The award stays within the claim (民事诉讼法 2023 art.211(11): a judgment beyond the claim is a
ground for retrial), on every shipped loan ruleset.

The oracle is the same case decided with no claim stated: what the law allows of each line.  With
a generated claim, every limited line must be the lesser of the two, the other lines follow from
them as the ruleset defines them (the total is the sum of the limited lines), and the two totals
close the accounts: Σ claimed = Σ awarded + excess claimed, Σ allowed = Σ awarded + allowed but
not claimed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruledsl.cases.inputs import parse_case
from ruledsl.core.errors import InputError
from ruledsl.lang.interpreter import Interpreter, interpret
from ruledsl.ruleset import load

from ..conftest import RULESETS

LOAN_RULESETS = ("consumer_loan", "credit_card", "private_lending")
FEN = Decimal("0.01")


def _cases(name: str) -> list[tuple[object, dict]]:
    """The ruleset and the typed inputs of each of its worked examples, without their claim."""
    ruleset = load(RULESETS / f"{name}.rules")
    consts = Interpreter(ruleset.checked)
    out = []
    for example in ruleset.checked.examples:
        raw = {b.name: consts.eval(b.expr, {}) for b in example.given if b.name != "claimed"}
        out.append(parse_case(ruleset.checked, raw, settings=True))  # an example may show another reading
    return ruleset, out


LOADED = {name: _cases(name) for name in LOAN_RULESETS}


def test_every_loan_ruleset_limits_its_award_to_the_claim() -> None:
    for name in LOAN_RULESETS:
        ruleset, _ = LOADED[name]
        assert ruleset.checked.claim is not None, name
        assert set(ruleset.checked.claim_lines) == {
            "principal_outstanding", "interest", "penalty_interest", "compound_interest", "fees"}, name


def _claims(lines: tuple[str, ...]):
    """A claim per line: nothing, less than, exactly or more than the law allows (in fen)."""
    return st.fixed_dictionaries({line: st.one_of(st.just("allowed"), st.just(0), st.integers(0, 5_000_000),
                                                  st.integers(-20_000, 20_000).map(lambda d: ("delta", d)))
                                  for line in lines})


@pytest.mark.parametrize("name", LOAN_RULESETS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_claims(name: str, data) -> None:
    ruleset, cases = LOADED[name]
    values = data.draw(st.sampled_from(cases))
    lines = ruleset.checked.claim_lines
    free = ruleset.run(values, trace=False)
    assert free.claim is None and free.excess_claimed.amount == 0 and free.allowed_not_claimed.amount == 0
    allowed = {line: free.award[line].amount for line in lines}
    claim = {}
    for line, how in data.draw(_claims(lines)).items():
        if how == "allowed":
            claim[line] = allowed[line]
        elif isinstance(how, tuple):
            claim[line] = max(allowed[line] + how[1] * FEN, Decimal(0))
        else:
            claim[line] = how * FEN
    decided = ruleset.run({**values, "claimed": claim}, trace=True)
    awarded = {line: decided.award[line].amount for line in lines}
    for line in lines:
        assert awarded[line] == min(allowed[line], claim[line]), line
        c = decided.claim[line]
        assert (c.claimed.amount, c.allowed.amount, c.awarded.amount) == (claim[line], allowed[line], awarded[line])
        want = "claim" if claim[line] < allowed[line] else "law" if allowed[line] < claim[line] else "both"
        assert c.limited_by == want
    assert decided.award["total"].amount == sum(awarded.values())
    assert sum(claim.values()) == sum(awarded.values()) + decided.values["excess_claimed"]
    assert sum(allowed.values()) == sum(awarded.values()) + decided.values["allowed_not_claimed"]
    assert decided.values["excess_claimed"] == decided.excess_claimed.amount
    assert decided.values["allowed_not_claimed"] == decided.allowed_not_claimed.amount
    for line in lines:  # never more than claimed, never more than the law allows
        assert awarded[line] <= claim[line] and awarded[line] <= allowed[line]
    # the tree-walking interpreter gives the same values
    outputs, _ = interpret(ruleset.checked, {**values, "claimed": claim}, decided.evidence_complete)
    assert {k: v for k, v in outputs.items() if ":" not in k} == decided.values
    # a batch row says the same as the decision
    (row, _), = ruleset.call_batch([{**values, "claimed": claim}])
    assert ruleset.claim_of(row) == decided.claim
    assert decided.as_json()["claim"]["excess_claimed"] == str(decided.excess_claimed)


def test_a_claim_below_a_fen_is_never_rounded_up() -> None:
    # claimed 800.005 of penalty interest (allowed 897.53, the first consumer-loan example): the
    # court may award 800.00, not 800.01, which would be more than was asked
    ruleset, cases = LOADED["consumer_loan"]
    claim = {"principal_outstanding": Decimal("10000.00"), "interest": Decimal("1200.00"),
             "penalty_interest": Decimal("800.005"), "compound_interest": Decimal("107.70"), "fees": Decimal(0)}
    decided = ruleset.run({**cases[0], "claimed": claim}, trace=False)
    assert decided.award["penalty_interest"].amount == Decimal("800.00")


def test_a_negative_claim_is_refused_naming_the_line() -> None:
    ruleset, cases = LOADED["consumer_loan"]
    claim = {"principal_outstanding": Decimal("10000.00"), "interest": Decimal("-1.00"),
             "penalty_interest": Decimal(0), "compound_interest": Decimal(0), "fees": Decimal(0)}
    with pytest.raises(InputError, match=r"claimed\.interest.*at least 0"):
        ruleset.run({**cases[0], "claimed": claim}, trace=False)

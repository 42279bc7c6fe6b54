"""The integer kernel as an untraced ruleset ledger runs it (:func:`ruledsl.runtime.ledger.run_ledger_fast`:
the shape dispatcher's :func:`~ruledsl.calc.shape.kernel_settings`, then :func:`ruledsl.calc.kernel.fen_lines`,
straight from the ledger's settings) gives the traced engine's figures exactly, and hands every other
shape to the engine."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruledsl.calc.fields import LEDGER_FIELDS
from ruledsl.calc.model import ACCRUING, DEFAULT_ORDER
from ruledsl.core.daycount import DayCount
from ruledsl.core.errors import InputError
from ruledsl.runtime.ledger import (
    LEDGER_LINES,
    CapSpec,
    LedgerSpec,
    _QuickLedgerResult,
    run_ledger,
)

EXAMPLES = int(os.environ.get("RULEDSL_CALC_EXAMPLES", "300"))
SPEC = LedgerSpec("loan", DEFAULT_ORDER, ())
amount = st.integers(min_value=1, max_value=50_000_000).map(lambda f: Decimal(f) / 100)
rate = st.integers(min_value=0, max_value=4000).map(lambda bp: Decimal(bp) / 10000) | st.integers(
    min_value=0, max_value=400_000).map(lambda n: Decimal(n) / 1_000_000)
COMPONENTS = st.sampled_from([ACCRUING, ("penalty_interest", "compound_interest"), ("interest",),
                              ("interest", "penalty_interest")])


@st.composite
def ledgers(draw) -> tuple[dict, list, DayCount]:
    start = date(2019, 1, 1) + timedelta(days=draw(st.integers(0, 2000)))
    due = start + timedelta(days=draw(st.integers(1, 400)))
    principal = draw(amount)
    end = max(due + timedelta(days=draw(st.integers(-60, 600))), start)
    span = (end - start).days
    pays = sorted(({"paid_on": start + timedelta(days=draw(st.integers(0, span))),
                    "amount": Decimal(draw(st.integers(1, int(principal * 150)))) / 100}
                   for _ in range(draw(st.integers(0, 3)))), key=lambda r: r["paid_on"])
    rc = draw(rate)
    found = {
        "principal": principal, "contract_rate": rc, "penalty_rate": draw(st.none() | rate),
        "compound_rate": draw(st.none() | rate), "compound": draw(st.booleans()), "disbursed_on": start,
        "repayments": pays, "costs": [], "accelerated_on": None, "until": end,
    }
    if draw(st.booleans()):
        found["due_on"] = due
    else:
        stated = draw(st.none() | amount | st.just(Decimal("0")))
        found["instalments"] = [{"due_on": due, "principal": principal, "interest": stated}]
    caps = [draw(st.none() | st.builds(lambda r, c: CapSpec("cap", c, r, None, None, False, "test"), rate, COMPONENTS))
            for _ in range(draw(st.integers(0, 2)))]
    dc = draw(st.sampled_from([DayCount(365, True, False), DayCount(360, True, False), DayCount(366, False, True)]))
    return found, caps, dc


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_kernel_equals_traced_engine(case: tuple[dict, list, DayCount]) -> None:
    found, caps, dc = case  # the settings by field name, as compiled rules pass them
    quick = run_ledger(SPEC, caps, dc, trace=False, **found)
    traced = run_ledger(SPEC, caps, dc, trace=True, **found)
    assert isinstance(quick, _QuickLedgerResult)
    assert dict(quick) == dict(traced), traced.award.explain()
    assert {k: str(v) for k, v in quick.items()} == {k: str(v) for k, v in traced.items()}  # same exponents
    assert quick.award.figures() == traced.award.figures()  # the lazy award


@st.composite
def schedules_(draw) -> tuple[dict, DayCount]:
    """A ledger's settings for a loan of several instalments (还款计划表), stated interest on some or all."""
    start = date(2019, 1, 1) + timedelta(days=draw(st.integers(0, 2000)))
    n = draw(st.integers(2, 12))
    insts, due = [], start
    for _ in range(n):
        due += timedelta(days=draw(st.integers(1, 62)))
        insts.append({"due_on": due, "principal": Decimal(draw(st.integers(0, 5_000_000))) / 100,
                      "interest": draw(st.none() | amount)})
    principal = sum((i["principal"] for i in insts), Decimal(0))
    if not principal:
        insts[0]["principal"] = principal = Decimal("1.00")
    end = max(due + timedelta(days=draw(st.integers(-300, 300))), start)
    span = (end - start).days
    pays = sorted(({"paid_on": start + timedelta(days=draw(st.integers(0, span))),
                    "amount": Decimal(draw(st.integers(1, int(principal * 120) + 1))) / 100}
                   for _ in range(draw(st.integers(0, 4)))), key=lambda r: r["paid_on"])
    found = {"principal": principal, "contract_rate": draw(rate), "penalty_rate": draw(st.none() | rate),
             "compound_rate": draw(st.none() | rate), "compound": draw(st.booleans()), "disbursed_on": start,
             "instalments": insts, "repayments": pays, "until": end}
    return found, draw(st.sampled_from([DayCount(365, True, False), DayCount(360, True, False),
                                        DayCount(366, False, True)]))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules_())
def test_schedule_kernel_equals_traced_engine(case: tuple[dict, DayCount]) -> None:
    found, dc = case
    quick = run_ledger(SPEC, [], dc, trace=False, **found)
    traced = run_ledger(SPEC, [], dc, trace=True, **found)
    assert isinstance(quick, _QuickLedgerResult)
    assert {k: str(v) for k, v in quick.items()} == {k: str(v) for k, v in traced.items()}, traced.award.explain()
    assert quick.award.figures() == traced.award.figures()


def base(**over) -> dict:
    found = {"principal": Decimal("10000"), "contract_rate": Decimal("0.30"), "penalty_rate": Decimal("0.45"),
             "compound_rate": Decimal("0.45"), "compound": True, "disbursed_on": date(2023, 1, 1),
             "instalments": [{"due_on": date(2024, 1, 1), "principal": Decimal("10000"),
                              "interest": Decimal("3000")}],
             "repayments": [], "costs": [], "accelerated_on": None, "until": date(2024, 7, 1)}
    found.update(over)
    return found


CAP24 = CapSpec("24%", ACCRUING, Decimal("0.24"), None, None, False, "法发〔2017〕22号")


def test_stated_interest_capped_in_the_kernel():
    result = run_ledger(SPEC, [CAP24], DayCount(), **base())
    assert isinstance(result, _QuickLedgerResult)
    assert result["interest"] == Decimal("2400.00") and result["penalty_interest"] == Decimal("1196.71")
    assert result["total"] == Decimal("13596.71")
    assert result.award["total"] == Decimal("13596.71")


@pytest.mark.parametrize("over", [
    {"costs": [{"incurred_on": date(2023, 6, 1), "amount": Decimal("100")}]},
    {"accelerated_on": date(2023, 6, 1)},
    {"instalments": [{"due_on": date(2023, 7, 1), "principal": Decimal("5000"), "interest": None},
                     {"due_on": date(2024, 1, 1), "principal": Decimal("5000"), "interest": None}]},
])
def test_other_shapes_run_the_engine(over: dict):
    found = base(**over)
    result = run_ledger(SPEC, [CAP24], DayCount(), **found)
    assert not isinstance(result, _QuickLedgerResult)
    assert dict(result) == dict(run_ledger(SPEC, [CAP24], DayCount(), trace=True, **found))


@pytest.mark.parametrize("caps", [
    [CapSpec("w", ACCRUING, Decimal("0.24"), date(2023, 6, 1), None, False, "t")],
    [CapSpec("u", ACCRUING, Decimal("0.24"), None, None, True, "t")],
])
def test_windows_and_unsupported_caps_run_the_engine(caps: list):
    result = run_ledger(SPEC, caps, DayCount(), **base())
    assert not isinstance(result, _QuickLedgerResult)
    assert dict(result) == dict(run_ledger(SPEC, caps, DayCount(), trace=True, **base()))


@pytest.mark.parametrize(("over", "field"), [
    ({"contract_rate": Decimal("24")}, "contract_rate"),
    ({"repayments": [{"paid_on": date(2022, 12, 1), "amount": Decimal("5")}]}, "repayments[1].paid_on"),
    ({"repayments": [{"paid_on": date(2023, 3, 1), "amount": Decimal("-5")}]}, "repayments[1].amount"),
    ({"until": date(2022, 1, 1)}, "calc_until"),
    ({"instalments": [{"due_on": date(2024, 1, 1), "principal": Decimal("9000"), "interest": None}]},
     "instalments"),
    ({"instalments": [{"due_on": date(2024, 1, 1), "principal": Decimal("10000"), "interest": Decimal("-1")}]},
     "instalments[1].interest"),
])
def test_bad_input_is_refused_by_the_engine(over: dict, field: str):
    with pytest.raises(InputError, match=field.replace("[", r"\[").replace("]", r"\]")):
        run_ledger(SPEC, [CAP24], DayCount(), **base(**over))


def test_settings_are_the_languages_ledger_settings():
    from ruledsl.lang.checker import LEDGER_SETTINGS

    assert {f.name for f in LEDGER_FIELDS} == set(LEDGER_SETTINGS)


def test_lines_are_the_ledger_lines():
    assert tuple(run_ledger(SPEC, [], DayCount(), **base())) == LEDGER_LINES

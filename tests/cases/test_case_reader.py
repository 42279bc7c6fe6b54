"""The pre-check's case reader (:func:`ruledsl.cases.inputs.case_reader`) is :func:`parse_case` without
pydantic: where it reads a case it gives exactly ``parse_case``'s values (same keys in the same order, same
types, same Decimal exponents), and it never reads a case ``parse_case`` refuses — it declines (None) and
the parser explains.  Checked on every shipped ruleset with generated cases, well formed and hostile."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruledsl.cases.inputs import case_reader, parse_case
from ruledsl.core.errors import InputError
from ruledsl.core.types import D_MONEY, D_RATE, Type
from ruledsl.ruleset import load

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets" / "cn").glob("*.rules"))
EXAMPLES = int(os.environ.get("RULEDSL_CALC_EXAMPLES", "300"))

# values a lender's sheet puts in a cell, readable or not, for any type
ODD = st.sampled_from(["", " ", "12.345", "1,000.00", "1,00", "24", "24%", "0.18", "-5", "1e3", "NaN", "Infinity",
                       "２４％", "2024-02-30", "2024/3/1", "2024-03-01", "是", "否", "true", "TRUE", "yes", "x",
                       "00012", "0.10", "1000000000000000000000", "¥100", "100元", "none", "penalty_first",
                       "12.5‱", "  2024-03-01  ", "9" * 40])
ODD_VALUE = ODD | st.none() | st.booleans() | st.integers(-10, 10 ** 20) | st.just(1.5) | st.just([]) | st.just({})


def good(t: Type) -> st.SearchStrategy:
    """Values of type ``t`` as they come from a sheet's cells or a JSON cell."""
    if t.kind == "qty":
        if t.dims == D_MONEY:
            return st.integers(0, 10 ** 9).map(lambda f: str(Decimal(f) / 100)) | st.integers(0, 10 ** 6)
        if t.dims == D_RATE:
            return st.integers(0, 3600).map(lambda bp: f"{Decimal(bp) / 100}%") | st.sampled_from(["0.18", "0.24"])
        return st.integers(0, 1000).map(str)
    if t.kind == "date":
        return st.dates(date(2015, 1, 1), date(2030, 12, 31)).map(date.isoformat)
    if t.kind == "bool":
        return st.booleans() | st.sampled_from(["是", "否", "true", "false"])
    if t.kind == "text":
        return st.text(max_size=8)
    if t.kind == "enum":
        return st.sampled_from(list(t.values))
    if t.kind == "list":
        return st.lists(good(t.item), max_size=4)
    if t.kind == "record":
        return st.fixed_dictionaries({k: good(v) for k, v in t.fields})
    raise AssertionError(t)


def hostile(t: Type) -> st.SearchStrategy:
    """A good value with something wrong somewhere inside it, or an odd value in its place."""
    if t.kind == "list":
        return st.lists(good(t.item) | hostile(t.item), min_size=1, max_size=3) | ODD_VALUE
    if t.kind == "record":
        keys = [k for k, _ in t.fields]
        return st.one_of(
            st.fixed_dictionaries({k: good(v) for k, v in t.fields}).flatmap(
                lambda d: st.sampled_from(keys).flatmap(lambda k: st.one_of(
                    st.just({x: y for x, y in d.items() if x != k}),          # a field missing
                    st.just({**d, "unknown": "1"}),                            # a field unknown
                    ODD_VALUE.map(lambda v: {**d, k: v})))),                   # a field unreadable
            ODD_VALUE)
    return ODD_VALUE


@st.composite
def cases(draw, ruleset) -> dict:
    checked = ruleset.checked
    data: dict = {}
    # one case in four is well formed throughout (with two dozen inputs, few mixed cases would be, and the
    # reader's agreement on what it does read must be tested too)
    clean = draw(st.integers(0, 3)) == 0
    for f in checked.inputs:
        typ = checked.input_types[f.name]
        if f.name in checked.settings:
            if not clean and draw(st.integers(0, 30)) == 0:
                data[f.name] = draw(good(typ))  # a setting is not a fact of the case: refused
            continue
        choice = draw(st.integers(2, 9)) if clean else draw(st.integers(0, 9))
        if choice == 0:
            continue  # left out
        data[f.name] = draw(hostile(typ)) if choice == 1 else draw(good(typ))
    extra = 20 if clean else draw(st.integers(0, 20))
    if extra == 0:
        data["no_such_input"] = "1"
    elif extra == 1:
        data["evidence"] = [{"kind": "contract"}]
    return data


def typed(values: dict) -> list:
    """Values with their types and exact text (Decimal('1.0') and Decimal('1.00') differ here)."""
    def walk(v):
        if isinstance(v, dict):
            return [(k, walk(x)) for k, x in v.items()]
        if isinstance(v, list):
            return [walk(x) for x in v]
        return (type(v).__name__, str(v))
    return walk(values)


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_reader_is_parse_case(path: Path):
    ruleset = load(path)
    read = case_reader(ruleset.checked)
    accepted = []

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cases(ruleset))
    def check(data: dict) -> None:
        fast = read(dict(data))
        try:
            slow = parse_case(ruleset.checked, dict(data), "row 2")
        except InputError:
            assert fast is None, f"read what parse_case refuses: {data!r}"
            return
        if fast is not None:
            accepted.append(1)
            assert typed(fast) == typed(slow)

    check()
    assert accepted, "the reader read none of the well-formed cases"


def test_reader_reads_the_common_row():
    ruleset = load(ROOT / "rulesets" / "cn" / "consumer_loan.rules")
    row = {"case_id": "L1", "principal": "50000.00", "contract_rate": "18%", "disbursed_on": "2023-01-01",
           "instalments": [{"due_on": "2024-01-01", "principal": "50000.00", "interest": "9000.00"}],
           "filed_on": "2024-06-01"}
    values = case_reader(ruleset.checked)(row)
    assert values == parse_case(ruleset.checked, row)
    assert values["contract_rate"] == Decimal("0.18") and values["instalments"][0]["due_on"] == date(2024, 1, 1)

"""A ruleset's `settings:` are the court's readings of open points: no case sets them."""

from __future__ import annotations

import pytest

from ruledsl.cases.inputs import json_schema, parse_case
from ruledsl.core.errors import InputError, RulesCheckError
from ruledsl.ruleset import check_text, load

from ..conftest import RULESETS


def test_a_case_that_sets_a_setting_is_refused_naming_it() -> None:
    rs = load(RULESETS / "delayed_performance.rules")
    case = {"judgment_amount": "100000.00", "performance_due_on": "2024-03-01", "calc_until": "2024-03-31",
            "payment_day_counted": False}
    with pytest.raises(InputError, match="`payment_day_counted` is a setting of the ruleset"):
        rs.evaluate(case)
    # without it the ruleset's reading applies: 30 days × 17.50 = 525.00 (法释〔2014〕8号 art.1)
    del case["payment_day_counted"]
    assert str(rs.evaluate(case).award["delayed_interest"]) == "525.00"


def test_settings_are_not_case_inputs_in_the_schema() -> None:
    rs = load(RULESETS / "court_fees.rules")
    assert "halve_again_after_simple" in rs.checked.settings
    assert "halve_again_after_simple" not in json_schema(rs.checked)["properties"]
    values = parse_case(rs.checked, {"claim_amount": "1000"})
    assert values["halve_again_after_simple"] is None  # the compiled default (the ruleset's reading) applies


def test_a_setting_needs_its_reading() -> None:
    with pytest.raises(RulesCheckError, match="setting `x` needs the reading the ruleset takes"):
        check_text('ruleset t.s version "1" effective 2024-01-01\nsettings:\n  x: bool\n')

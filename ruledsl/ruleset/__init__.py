"""The compiled-ruleset API: load a ruleset, decide a case, decide a batch, run its examples.

>>> rs = load("rulesets/cn/court_fees.rules")                          # doctest: +SKIP
>>> rs.evaluate({"claim_amount": "100000"}).award["acceptance_fee"]   # doctest: +SKIP
Money('2300.00')

:func:`load` runs ``lang``'s parse → check → compile; a ruleset with any error raises
and never runs.  :meth:`Ruleset.evaluate` validates a case (``cases``), judges its
evidence, runs the compiled rules and returns a :class:`Decision` whose every figure can
explain itself; :meth:`Ruleset.call_batch` is the pre-check's loop.
:func:`run_examples` runs a ruleset's ``example`` blocks (``ruledsl test``).

Imports: core, lang, runtime and cases; nothing above.
"""

from ruledsl.ruleset.compiled import (
           LIMITED_BY,
           ClaimLine,
           Decision,
           Refusal,
           Ruleset,
           check_text,
           load,
           load_text,
           located,
)
from ruledsl.ruleset.examples import ExampleResult, run_example, run_examples

__all__ = ["LIMITED_BY", "ClaimLine", "Decision", "ExampleResult", "Refusal", "Ruleset", "check_text", "load", "load_text", "located", "run_example",
           "run_examples"]

"""Lenders' batch pre-check: a filing table (Excel / CSV / JSON lines) against a published ruleset.

    ruledsl precheck rulesets/cn/consumer_loan.rules filings.xlsx --out results.xlsx

:func:`read_table` reads the rows (columns named by input name or label), :func:`precheck`
decides each with the compiled rules and says which rows are ready to file, which lack
evidence and which are refused — each with its row number and reason.

Imports: core, calc, lang, cases and the compiled-ruleset API; nothing above.
"""

from ruledsl.precheck.run import INCOMPLETE, READY, REFUSED, Precheck, RowResult, precheck, write_results
from ruledsl.precheck.table import Row, Table, read_table

__all__ = ["INCOMPLETE", "READY", "REFUSED", "Precheck", "Row", "RowResult", "Table", "precheck", "read_table",
           "write_results"]

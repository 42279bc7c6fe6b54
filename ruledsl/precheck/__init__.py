"""Lenders' batch pre-check: a filing table (Excel / CSV / JSON lines) against a published ruleset.

    ruledsl precheck rulesets/cn/consumer_loan.rules filings.xlsx -o results.xlsx

:func:`read_table` reads the rows (columns named by input name or label), :func:`precheck`
gives each row one verdict — ready (可立案), exceeds_limit (超出法定上限), needs_correction
(需补正) or not_admissible (不予受理) — with every reason, its column or rule and the law, and
per award line what is claimable, what was claimed and the excess; :func:`write_results`
writes one output row per input row and the summary.

Imports: core, calc, lang, cases and the compiled-ruleset API; nothing above.
"""

from ruledsl.precheck.output import columns, summary_path, write_results
from ruledsl.precheck.run import (
    CORRECTION,
    EXCEEDS,
    READY,
    REFUSED,
    VERDICT_LABELS,
    VERDICTS,
    Precheck,
    Reason,
    RowVerdict,
    Summary,
    precheck,
)
from ruledsl.precheck.table import Row, Table, read_table

__all__ = ["CORRECTION", "EXCEEDS", "READY", "REFUSED", "VERDICTS", "VERDICT_LABELS", "Precheck", "Reason", "Row",
           "RowVerdict", "Summary", "Table", "columns", "precheck", "read_table", "summary_path", "write_results"]

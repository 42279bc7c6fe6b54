"""What compiled rules call, and what they hand back.

* :mod:`~ruledsl.runtime.ops` — one definition of each operation (dates, accrual, sums, caps) shared
  by the compiled code and the interpreter
* :mod:`~ruledsl.runtime.tables` — dated tables (LPR …) and band schedules, loaded from the CSV files court staff edit
* :mod:`~ruledsl.runtime.ledger` — the bridge from a ruleset's ``ledger`` block to the loan engine (:mod:`ruledsl.calc`)
* :mod:`~ruledsl.runtime.requirements` — evidence rules (lowered by the compiler) judged against a case's items
* :mod:`~ruledsl.runtime.trace` — the one trace format
* :mod:`~ruledsl.runtime.values` — rule values as JSON and as text

Imports: core and calc; nothing above (the compiler in ``lang`` generates calls into this package).
"""

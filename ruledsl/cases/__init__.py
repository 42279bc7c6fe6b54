"""Cases: the typed inputs of one case, and case files.

* :mod:`~ruledsl.cases.inputs` — the pydantic model generated from a ruleset's ``input:`` section
  (``parse_case``: raw JSON / Excel / ``--set`` values → typed values, every problem named), JSON Schema
* :mod:`~ruledsl.cases.files` — case files: plain inputs or ``{"title", "ruleset", "case", "parties"}``
* :mod:`~ruledsl.cases.evidence` — the evidence files a case declares, verified, as items for the rules

Imports: core, evidence (to verify declared files) and lang (a checked ruleset's inputs); nothing above.
"""

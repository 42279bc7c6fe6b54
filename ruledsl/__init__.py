"""ruledsl — law-cited rules for small-amount financial disputes.

The packages, from the ground floor up; a package imports only packages on floors below
its own (``tests/test_layers.py`` walks every import and fails on one that points up,
sideways or round in a circle)::

    8  cli                                 the command line (the judge assistant, assistant_ui/, beside it)
    7  service                             sign-in, roles, the case store's use cases (what pages call)
    6  precheck   review   reports         lenders' batch pre-check · a judge's review of a case · sheets, PDFs
       publish                             the court's signature over a ruleset and its tables
    5  ruleset    store                    the compiled-ruleset API (load, decide, batch) · SQL storage, the log
    4  cases                               a case's typed inputs, case files, declared evidence
    3  lang                                parse → check → compile → fmt, the interpreter
    2  runtime                             what compiled rules call: ops, tables, ledger bridge, evidence rules
    1  calc       evidence                 the loan engine · anchoring cryptography and verification
    0  core                                errors, types and units, money, rates, day counts, text/JSON

Data flows one way: ruleset text → ``lang`` → compiled :class:`~ruledsl.ruleset.Ruleset` →
case inputs (``cases``) in → validators and calculators → :class:`~ruledsl.ruleset.Decision`
(award lines, evidence findings, route, trace) → reports / UI / pre-check output.
"""

__version__ = "0.1.0"

#: the floor of each package (see above); a new package gets a floor here before it gets code
LAYERS = {
    "core": 0,
    "calc": 1, "evidence": 1,
    "runtime": 2,
    "lang": 3,
    "cases": 4,
    "ruleset": 5, "store": 5,
    "precheck": 6, "review": 6, "reports": 6, "publish": 6,
    "service": 7,
    "cli": 8,
}

"""`ruledsl …` — the command line (typer + rich), one module per command group.

* :mod:`~ruledsl.cli.rules` — ``check``, ``test``, ``fmt``, ``eval``, ``explain``, ``schema``
* :mod:`~ruledsl.cli.publish` — ``sign``, ``verify-ruleset``: the court's signature over a ruleset
* :mod:`~ruledsl.cli.precheck` — ``precheck``, the lenders' batch pre-check
* :mod:`~ruledsl.cli.log` — ``log …``, ``verify``, ``proof …``, ``note …``, the evidence log
* :mod:`~ruledsl.cli.demo` — ``demo``, the shipped cases in the terminal

Only this package knows the terminal: the packages below it return values and raise
:class:`~ruledsl.core.errors.RulesError`; a command prints them and sets the exit status:
0 ok, 1 errors in rules or input, 2 usage.  Imports anything below; nothing imports it
(but the judge assistant, beside it, may not either).
"""

from __future__ import annotations

import typer

from ruledsl.cli import cases, demo, log, precheck, publish, rules

app = typer.Typer(
    name="ruledsl",
    help="Law-cited rules for small-amount financial disputes: check, test, evaluate, explain, anchor.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _group in (rules, publish, precheck, cases, log, demo):
    _group.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

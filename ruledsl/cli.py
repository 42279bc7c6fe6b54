"""`ruledsl …` — the command line (typer + rich).

Exit status: 0 ok, 1 errors in rules or input, 2 usage.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="ruledsl",
    help="Law-cited rules for small-amount financial disputes: check, test, evaluate, explain, anchor.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command groups that live beside their layer register themselves here.
for _module in ("ruledsl.lang.commands", "ruledsl.evidence.cli", "ruledsl.precheck.cli"):
    try:
        _mod = importlib.import_module(_module)
    except ModuleNotFoundError as _exc:  # a layer not built yet
        if _exc.name != _module:
            raise
        continue
    _mod.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""The terminal every command writes to: results on stdout, diagnostics on stderr, exactly as rendered."""

from __future__ import annotations

from rich.console import Console

from ruledsl.core.errors import RulesError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def report(exc: RulesError) -> None:
    """Print every diagnostic of an error to stderr, exactly as rendered (file:line:col, caret, hint)."""
    err.print(str(exc), markup=False)

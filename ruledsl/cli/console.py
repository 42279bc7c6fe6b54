"""The terminal every command writes to: results on stdout, diagnostics on stderr, exactly as rendered."""

from __future__ import annotations

from rich.console import Console

from ruledsl.core.errors import RulesError
from ruledsl.lang.keywords import GLOSSARY

# user text is printed literally: no emoji codes (``:x:`` in ``root:x:0:0``), no highlighting;
# markup is only ever the command's own (user text in markup strings goes through ``escape``)
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def report(exc: RulesError, lang: str = "en") -> None:
    """Print every diagnostic of an error to stderr, exactly as rendered (file:line:col, caret, hint), in
    ``lang`` (en, or zh: 中文)."""
    err.print(exc.render(lang, GLOSSARY if lang == "zh" else None), markup=False)

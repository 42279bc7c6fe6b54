"""Every module's doctests run (public functions carry examples that must stay true)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import ruledsl

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(ruledsl.__path__, "ruledsl.")
    if not m.name.endswith(("__main__", ".demo"))
)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0

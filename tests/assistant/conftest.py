"""Fixtures of the judge assistant's tests.

Streamlit's script runner (AppTest too) puts a module of the page script in ``sys.modules["__main__"]``
and leaves it there.  A later test in the same worker that starts processes by *spawn* (the Dask
engine of the pre-check) would then have every child run the page script as its main module.  Each
test here gets the real ``__main__`` back when it ends.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def real_main_module() -> Iterator[None]:
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main

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


@pytest.fixture
def page_store(tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A fresh case store (a SQLite file, schema at head) that the pages open (``RULEDSL_DB_URL``), with
    argon2id at its cheapest cost (the algorithm and the code path are the real ones); each test file's
    ``store`` fixture adds its users and cases."""
    import streamlit as st
    from argon2 import PasswordHasher

    from ruledsl.service import auth
    from ruledsl.store import cases as cs

    monkeypatch.setattr(auth, "PASSWORDS", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(auth, "_DUMMY_HASH", None)
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    monkeypatch.setenv("RULEDSL_DB_URL", url)
    st.cache_resource.clear()  # the pages' engine is a cached resource: a fresh one on this store
    engine = cs.open_store(url)
    cs.migrate(engine)
    yield engine
    st.cache_resource.clear()
    engine.dispose()

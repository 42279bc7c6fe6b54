"""Service fixtures: every test runs on a real SQLite file and on a real PostgreSQL server (``db_url``).

Passwords are hashed with argon2id at its cheapest parameters here (the algorithm and the code
path are the real ones; only the cost is lowered so the lockout tests do not take minutes).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from ruledsl.service import auth
from ruledsl.store.cases import migrate, open_store
from tests.store.conftest import db_url, pg_server, pg_url  # noqa: F401


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "PASSWORDS", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(auth, "_DUMMY_HASH", None)


@pytest.fixture
def store(db_url: str) -> Iterator[Engine]:  # noqa: F811
    """The case store on a fresh database, its schema at head."""
    engine = open_store(db_url)
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()

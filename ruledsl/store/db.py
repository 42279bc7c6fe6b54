"""Engines and schema.

Where the data lives: ``RULEDSL_DB_URL`` (any SQLAlchemy URL; ``postgresql://``
means psycopg 3) if set, else a SQLite file in the data dir — ``RULEDSL_DATA_DIR`` if
set, else ``.data/`` under the current directory: ``evidence.db`` for the evidence log,
``cases.db`` for the case store (:mod:`ruledsl.store.cases`; ``name`` says which file).

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed append survives
a crash of the process or of the machine) and a long busy timeout.  Write
transactions start with ``BEGIN IMMEDIATE`` so two appenders queue on the
database's write lock instead of failing half way; PostgreSQL appenders queue
on ``SELECT … FOR UPDATE`` of the log's row.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url

metadata = MetaData()

logs = Table(
    "evidence_logs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(255), nullable=False, unique=True),
    Column("hash_alg", String(16), nullable=False),
    Column("verifier_key", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("created_at", String(32), nullable=False),
)

# Every perfect subtree hash (leaves included), keyed by its position in append order
# (ruledsl.evidence.merkle.stored_index).
hashes = Table(
    "evidence_hashes",
    metadata,
    Column("log_id", Integer, primary_key=True, autoincrement=False),
    Column("sidx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,
)

leaves = Table(
    "evidence_leaves",
    metadata,
    Column("log_id", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("record", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

# One row per committed batch: the tree head the batch produced.
tree_heads = Table(
    "evidence_tree_heads",
    metadata,
    Column("log_id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("time", String(32), nullable=False),
)

checkpoints = Table(
    "evidence_checkpoints",
    metadata,
    Column("log_id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False),
    Column("time", String(32), nullable=False),
)


def data_dir() -> Path:
    return Path(os.environ.get("RULEDSL_DATA_DIR") or Path.cwd() / ".data")


def database_url(url: str | None = None, name: str = "evidence.db") -> str:
    """The SQLAlchemy URL: ``url``, else ``RULEDSL_DB_URL``, else the SQLite file ``name`` in the data dir."""
    url = url or os.environ.get("RULEDSL_DB_URL")
    if url:
        u = make_url(url)
        if u.drivername in ("postgresql", "postgres"):
            u = u.set(drivername="postgresql+psycopg")
        return u.render_as_string(hide_password=False)
    d = data_dir()
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / name}"


def make_engine(url: str | None = None, *, writer: bool = False, name: str = "evidence.db") -> Engine:
    """An engine for ``url`` (see module docstring; ``name`` is the SQLite file when no URL is given);
    ``writer`` engines take SQLite's write lock at BEGIN."""
    url = database_url(url, name)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 120})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=120000")
            cur.execute("PRAGMA cache_size=-131072")
            cur.execute("PRAGMA wal_autocheckpoint=16384")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    metadata.create_all(engine, checkfirst=True)

"""The case store's schema: users, sessions, cases and their parties, evidence, decisions, the audit log.

Its own :class:`~sqlalchemy.MetaData` (the evidence log's tables, :mod:`ruledsl.store.db`, never
meet these), upgraded by Alembic (:func:`migrate`, migrations in ``migrations/``; the version
table is ``case_store_version``).  Where it lives: ``RULEDSL_DB_URL`` if set, else the SQLite file
``cases.db`` in the data dir (:func:`open_store`).

Conventions:

* times are ISO-8601 UTC text, ``2026-01-31T08:00:00Z`` (:func:`iso_utc`, :func:`parse_utc`), as
  the evidence log writes them;
* ``inputs_json`` / ``award_json`` / ``detail_json`` / ``detail`` are exact JSON
  (:func:`exact_dumps`): a Decimal is written as its own digits and read back by
  :func:`ruledsl.core.text.exact_json` as the same Decimal, never a float;
* a session row holds the SHA-256 of its token, never the token;
* ``audit_log`` is append-only: the database itself refuses an UPDATE or DELETE of its rows
  (a trigger, created by the first migration).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    text,
)

from ruledsl.core.errors import InputError, RulesError
from ruledsl.store import db

#: the case store's tables (not the evidence log's ``db.metadata``)
metadata = MetaData()

#: Alembic's version table for the case store: a name no other table of the project uses
VERSION_TABLE = "case_store_version"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("display_name", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("lender", String(255), nullable=True),  # the lender organisation a lender user belongs to
    Column("password_hash", String(255), nullable=False),
    Column("failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", String(32), nullable=True),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("username", name="uq_users_username"),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the token, hex
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Index("ix_user_sessions_user_id", "user_id"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_number", String(64), nullable=False),  # 案号
    Column("lender", String(255), nullable=False),  # the lender organisation's name
    Column("ruleset_id", String(255), nullable=False),
    Column("ruleset_version", String(64), nullable=False),
    Column("ruleset_sha256", String(64), nullable=False),
    Column("inputs_json", Text, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    # the queue's figures, written when the case is filed (migration 0002): amounts in whole fen
    Column("claimed_fen", BigInteger, nullable=True),
    Column("allowed_fen", BigInteger, nullable=True),
    Column("awarded_fen", BigInteger, nullable=True),
    Column("overdue_days", Integer, nullable=True),
    Column("evidence_state", String(16), nullable=True),
    Column("verdict", String(32), nullable=True),
    Index("ix_cases_case_number", "case_number", unique=True),
    Index("ix_cases_lender", "lender"),
    Index("ix_cases_stage", "stage"),
    Index("ix_cases_verdict", "verdict"),
    Index("ix_cases_evidence_state", "evidence_state"),
)

parties = Table(
    "parties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("role", String(16), nullable=False),  # 原告 plaintiff / 被告 defendant
    Column("name", String(255), nullable=False),
    Column("id_number", String(64), nullable=True),
    Column("phone", String(32), nullable=True),
    Column("kind", String(16), nullable=False),  # person / organisation
    Column("declared_json", Text, nullable=True),  # exact JSON {fact: {value, source}} (migration 0003)
    Index("ix_parties_case_id", "case_id"),
    Index("ix_parties_id_number", "id_number"),
)

evidence_items = Table(
    "evidence_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("file", String(1024), nullable=True),
    Column("verified", Boolean, nullable=False),
    Column("status", String(32), nullable=False),
    Column("detail_json", Text, nullable=False),
    Index("ix_evidence_items_case_id", "case_id"),
)

#: the bytes of the files evidence items name (migration 0004): content-addressed, each kept once
evidence_files = Table(
    "evidence_files",
    metadata,
    Column("sha256", String(64), primary_key=True),  # of ``data``, lower-case hex
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("inputs_json", Text, nullable=False),
    Column("award_json", Text, nullable=False),
    Column("decided_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("decided_at", String(32), nullable=False),
    Column("ruleset_sha256", String(64), nullable=False),
    Index("ix_decisions_case_id", "case_id"),
)

#: what an audit entry records
AUDIT_ACTIONS = ("view", "change", "decide", "export", "sign_in", "sign_in_failed", "sign_out")

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),  # none for an unknown username
    Column("action", String(16), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    Column("detail", Text, nullable=False),  # exact JSON
    Index("ix_audit_log_case_id", "case_id"),
)


# ---------------------------------------------------------------- engines and the schema


def open_store(url: str | None = None) -> Engine:
    """An engine on the case store: ``url``, else ``RULEDSL_DB_URL``, else ``cases.db`` in the data dir.

    On SQLite every transaction takes the write lock at BEGIN (a sign-in reads, then writes its
    counters: two of them must queue, not fail half way).  Call :func:`migrate` before use.
    """
    return db.make_engine(url, writer=True, name="cases.db")


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for the case store, built in code (no ``alembic.ini``) around ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the case store's schema to ``revision`` (the newest by default); a no-op when it is there.

    One transaction: a failed migration leaves the schema as it was (PostgreSQL and SQLite both
    run DDL in transactions).  Concurrent callers on PostgreSQL queue on an advisory lock.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7210524902)"))
        command.upgrade(alembic_config(conn), revision)


def schema_revision(engine: Engine) -> str | None:
    """The revision the case store's schema is at (None before the first migration)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


# ---------------------------------------------------------------- times and exact JSON


def iso_utc(moment: datetime) -> str:
    """``moment`` as the store writes times: ISO-8601 UTC to the second (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(value: str) -> datetime:
    """A time the store wrote (:func:`iso_utc`) back as an aware UTC datetime."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def exact_dumps(value: Any) -> str:
    """``value`` as exact JSON text: a Decimal as its own digits (``12345.67``, which
    :func:`~ruledsl.core.text.exact_json` reads back as ``Decimal("12345.67")``), a date as ISO text,
    keys sorted, Chinese kept as it is.  A float, a NaN or infinite Decimal, or a type JSON has no
    word for is an :class:`~ruledsl.core.errors.InputError` (money never passes through a float)."""
    out: list[str] = []
    _dump(value, out, "$")
    return "".join(out)


def _dump(value: Any, out: list[str], where: str) -> None:
    if value is None or isinstance(value, bool):
        out.append(json.dumps(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError.at(f"{where}: {value} 不是有限数（{value} is not a finite number）")
        out.append(str(value))
    elif isinstance(value, float):
        shown = value if math.isfinite(value) else repr(value)
        raise InputError.at(
            f"{where}: 浮点数 {shown} 不能作为案件数据（a float is not exact: give {shown} as a Decimal or text）"
        )
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, datetime):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, date):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, dict):
        keys = list(value)
        if not all(isinstance(k, str) for k in keys):
            raise InputError.at(f"{where}: 键必须是文本（object keys must be text）")
        out.append("{")
        for i, key in enumerate(sorted(keys)):
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _dump(value[key], out, f"{where}.{key}")
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _dump(item, out, f"{where}[{i + 1}]")  # positions counted from 1 in messages
        out.append("]")
    else:
        raise InputError.at(f"{where}: 无法保存 {type(value).__name__} 类型的值（cannot store a {type(value).__name__}）")


# ---------------------------------------------------------------- the audit log


def append_audit(conn: Connection, at: datetime, user_id: int | None, action: str,
                 case_id: int | None = None, detail: dict[str, Any] | None = None) -> None:
    """Append one entry to the audit log, inside the caller's transaction (so it commits with what it records)."""
    if action not in AUDIT_ACTIONS:
        raise RulesError.at(f"未知的审计动作 {action!r}（unknown audit action {action!r}）")
    conn.execute(insert(audit_log).values(at=iso_utc(at), user_id=user_id, action=action, case_id=case_id,
                                          detail=exact_dumps(detail or {})))

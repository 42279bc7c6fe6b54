"""The case store's schema, users, sign-in with lockout, sessions that expire, and their audit entries."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DatabaseError

from ruledsl.core.errors import AccessDenied, InputError
from ruledsl.service import ROLES, Session, create_user, resume, sign_in, sign_out
from ruledsl.store import cases as cs
from ruledsl.store import db

T0 = datetime(2026, 1, 31, 8, 0, 0, tzinfo=UTC)
PASSWORD = "correct horse 42"
TABLES = {"users", "user_sessions", "cases", "parties", "evidence_items", "evidence_files", "decisions", "audit_log"}


def audit(store: Engine) -> list[tuple]:
    with store.connect() as conn:
        rows = conn.execute(select(cs.audit_log).order_by(cs.audit_log.c.id)).all()
    return [(r.user_id, r.action, r.case_id, cs.exact_dumps(json.loads(r.detail))) for r in rows]


def actions(store: Engine) -> list[str]:
    return [a for _, a, _, _ in audit(store)]


def user_row(store: Engine, username: str):  # type: ignore[no-untyped-def]
    with store.connect() as conn:
        return conn.execute(select(cs.users).where(cs.users.c.username == username)).one()


# ---------------------------------------------------------------- the schema


def test_migration_creates_every_table_and_index_and_twice_is_a_no_op(store: Engine):
    insp = inspect(store)
    assert set(insp.get_table_names()) == TABLES | {"case_store_version"}
    indexes = {t: {i["name"]: bool(i["unique"]) for i in insp.get_indexes(t)} for t in TABLES}
    assert indexes["cases"] == {"ix_cases_case_number": True, "ix_cases_lender": False, "ix_cases_stage": False,
                                "ix_cases_verdict": False, "ix_cases_evidence_state": False}
    assert indexes["parties"] == {"ix_parties_case_id": False, "ix_parties_id_number": False}
    assert indexes["audit_log"] == {"ix_audit_log_case_id": False}
    assert cs.schema_revision(store) == "0004"
    with store.connect() as conn:  # the migration builds exactly the tables the code uses
        ctx = MigrationContext.configure(conn, opts={"version_table": cs.VERSION_TABLE})
        assert compare_metadata(ctx, cs.metadata) == []
        versions = conn.execute(text("SELECT version_num FROM case_store_version")).scalars().all()
    assert versions == ["0004"]

    cs.migrate(store)  # again: nothing changes, nothing fails
    assert cs.schema_revision(store) == "0004"
    assert set(inspect(store).get_table_names()) == TABLES | {"case_store_version"}
    with store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM case_store_version")).scalar() == 1


def test_a_store_at_0001_upgrades_with_its_cases_and_back(db_url: str):
    """A store made before the queue's figures: its cases survive the upgrade (figures unset) and the downgrade."""
    engine = cs.open_store(db_url)
    try:
        cs.migrate(engine, "0001")
        row = {"case_number": "(2026)浙0192民初1号", "lender": "甲银行", "ruleset_id": "cn.consumer_loan",
               "ruleset_version": "1", "ruleset_sha256": "ab" * 32, "inputs_json": "{}", "stage": "立案",
               "created_at": "2026-01-31T08:00:00Z", "updated_at": "2026-01-31T08:00:00Z"}
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO cases (case_number, lender, ruleset_id, ruleset_version, ruleset_sha256, "
                              "inputs_json, stage, created_at, updated_at) VALUES (:case_number, :lender, :ruleset_id, "
                              ":ruleset_version, :ruleset_sha256, :inputs_json, :stage, :created_at, :updated_at)"), row)
        cs.migrate(engine)
        with engine.connect() as conn:
            (got,) = conn.execute(text("SELECT case_number, claimed_fen, verdict FROM cases")).all()
        assert tuple(got) == ("(2026)浙0192民初1号", None, None)
        with engine.begin() as conn:
            command.downgrade(cs.alembic_config(conn), "0001")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT case_number FROM cases")).scalars().all() == ["(2026)浙0192民初1号"]
        assert "verdict" not in {c["name"] for c in inspect(engine).get_columns("cases")}
    finally:
        engine.dispose()


def test_the_case_store_never_meets_the_evidence_log(db_url: str):
    """Both schemas in one database (a shared PostgreSQL): each keeps its own tables."""
    engine = cs.open_store(db_url)
    try:
        db.create_schema(engine)
        cs.migrate(engine)
        names = set(inspect(engine).get_table_names())
        assert TABLES <= names and {"evidence_logs", "evidence_leaves"} <= names
        assert not set(db.metadata.tables) & set(cs.metadata.tables)
    finally:
        engine.dispose()


def test_open_store_is_cases_db_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("RULEDSL_DB_URL", raising=False)
    monkeypatch.setenv("RULEDSL_DATA_DIR", str(tmp_path))
    engine = cs.open_store()
    try:
        cs.migrate(engine)
        assert engine.url.database == str(tmp_path / "cases.db")
        assert (tmp_path / "cases.db").exists()
    finally:
        engine.dispose()
    assert db.database_url() == f"sqlite:///{tmp_path / 'evidence.db'}"  # the evidence log's is unchanged


def test_the_audit_log_is_append_only(store: Engine):
    create_user(store, "judge1", PASSWORD, "judge", "王法官")
    sign_in(store, "judge1", PASSWORD, now=T0)
    for statement in ("UPDATE audit_log SET action = 'view'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), store.begin() as conn:
            conn.execute(text(statement))
    assert actions(store) == ["sign_in"]


# ---------------------------------------------------------------- users


def test_create_user_and_sign_in(store: Engine):
    uid = create_user(store, "judge1", PASSWORD, "judge", "王法官")
    s = sign_in(store, "judge1", PASSWORD, now=T0)
    assert s == Session(s.token, uid, "judge1", "judge", None, T0 + timedelta(hours=8))
    row = user_row(store, "judge1")
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    assert (row.failed_attempts, row.locked_until, row.display_name) == (0, None, "王法官")
    with store.connect() as conn:  # the store holds the token's SHA-256, never the token
        stored = conn.execute(select(cs.user_sessions)).one()
    assert stored.token_hash == hashlib.sha256(s.token.encode()).hexdigest() != s.token
    assert (stored.created_at, stored.last_seen, stored.expires_at) == (
        "2026-01-31T08:00:00Z", "2026-01-31T08:00:00Z", "2026-01-31T16:00:00Z")
    assert audit(store) == [(uid, "sign_in", None, "{}")]


def test_a_lender_user_belongs_to_its_lender(store: Engine):
    create_user(store, "bank", PASSWORD, "lender", "甲银行经办", lender="甲银行")
    assert sign_in(store, "bank", PASSWORD, now=T0).lender == "甲银行"


@pytest.mark.parametrize(("args", "message"), [
    (("u1", "short pw", "judge", "某"), "密码至少 10 个字符（a password has at least 10 characters）"),
    (("u1", PASSWORD, "president", "某"), "未知角色 'president'"),
    (("u1", PASSWORD, "lender", "某"), "a lender user needs its lender organisation"),
    (("u1", PASSWORD, "judge", "某", "甲银行"), "only lender users belong to a lender"),
    (("", PASSWORD, "judge", "某"), "a username is 1 to 64 characters"),
    (("u1", PASSWORD, "judge", " "), "a display name is required"),
])
def test_create_user_refuses(store: Engine, args: tuple, message: str):
    with pytest.raises(InputError) as err:
        create_user(store, *args)
    assert message in str(err.value)


def test_a_username_is_taken_once(store: Engine):
    create_user(store, "clerk1", PASSWORD, "clerk", "李书记员")
    with pytest.raises(InputError, match="已存在"):
        create_user(store, "clerk1", PASSWORD + "x", "clerk", "另一个")


def test_every_role_can_be_created(store: Engine):
    for role in ROLES:
        create_user(store, role, PASSWORD, role, role, lender="甲银行" if role == "lender" else None)
        assert sign_in(store, role, PASSWORD, now=T0).role == role


# ---------------------------------------------------------------- sign-in failures and lockout


def test_wrong_password_and_unknown_user_get_the_same_answer(store: Engine):
    uid = create_user(store, "judge1", PASSWORD, "judge", "王法官")
    with pytest.raises(AccessDenied) as wrong:
        sign_in(store, "judge1", "wrong password", now=T0)
    with pytest.raises(AccessDenied) as unknown:
        sign_in(store, "nobody", PASSWORD, now=T0)
    assert wrong.value.diagnostics[0].message == unknown.value.diagnostics[0].message == "用户名或密码错误（wrong username or password）"
    assert user_row(store, "judge1").failed_attempts == 1
    assert audit(store) == [
        (uid, "sign_in_failed", None, '{"failures":1,"reason":"password"}'),
        (None, "sign_in_failed", None, '{"reason":"unknown","username":"nobody"}'),
    ]


def test_five_failures_lock_the_account_for_15_minutes(store: Engine):
    uid = create_user(store, "judge1", PASSWORD, "judge", "王法官")
    for i in range(4):
        with pytest.raises(AccessDenied, match="wrong username or password"):
            sign_in(store, "judge1", f"wrong {i}", now=T0 + timedelta(seconds=i))
    assert user_row(store, "judge1").failed_attempts == 4
    with pytest.raises(AccessDenied) as fifth:
        sign_in(store, "judge1", "wrong 5", now=T0 + timedelta(minutes=1))
    until = "2026-01-31T08:16:00Z"
    assert f"账户已锁定至 {until}" in str(fifth.value) and f"locked until {until}" in str(fifth.value)
    assert user_row(store, "judge1").locked_until == until

    for at in (T0 + timedelta(minutes=2), T0 + timedelta(minutes=15, seconds=59)):  # the right password too
        with pytest.raises(AccessDenied) as locked:
            sign_in(store, "judge1", PASSWORD, now=at)
        assert locked.value.diagnostics[0].message == f"账户已锁定至 {until}（account locked until {until}）"
    assert user_row(store, "judge1").locked_until == until  # sign-ins during the lock neither count nor extend it

    s = sign_in(store, "judge1", PASSWORD, now=T0 + timedelta(minutes=16))
    assert s.user_id == uid
    row = user_row(store, "judge1")
    assert (row.failed_attempts, row.locked_until) == (0, None)
    assert actions(store) == ["sign_in_failed"] * 7 + ["sign_in"]
    details = [d for _, _, _, d in audit(store)]
    assert details[4] == f'{{"failures":5,"locked_until":"{until}","reason":"password"}}'
    assert details[5] == details[6] == f'{{"reason":"locked","until":"{until}"}}'


def test_a_good_sign_in_resets_the_count(store: Engine):
    create_user(store, "judge1", PASSWORD, "judge", "王法官")
    for round_ in range(2):  # 4 failures, a good sign-in, 4 failures: never locked
        for i in range(4):
            with pytest.raises(AccessDenied, match="wrong username or password"):
                sign_in(store, "judge1", "wrong", now=T0 + timedelta(minutes=round_, seconds=i))
        sign_in(store, "judge1", PASSWORD, now=T0 + timedelta(minutes=round_, seconds=30))
        assert user_row(store, "judge1").failed_attempts == 0
    assert user_row(store, "judge1").locked_until is None


# ---------------------------------------------------------------- sessions


def test_resume_refreshes_and_idle_30_minutes_ends_the_session(store: Engine):
    create_user(store, "clerk1", PASSWORD, "clerk", "李书记员")
    s = sign_in(store, "clerk1", PASSWORD, now=T0)
    assert resume(store, s.token, now=T0 + timedelta(minutes=29)) == s
    assert resume(store, s.token, now=T0 + timedelta(minutes=58)) == s  # 29 minutes after the last use
    with pytest.raises(AccessDenied, match="30 minutes without use"):
        resume(store, s.token, now=T0 + timedelta(minutes=88))


def test_a_session_ends_8_hours_after_sign_in_however_busy(store: Engine):
    create_user(store, "clerk1", PASSWORD, "clerk", "李书记员")
    s = sign_in(store, "clerk1", PASSWORD, now=T0)
    at = T0
    while at < T0 + timedelta(hours=8) - timedelta(minutes=20):
        at += timedelta(minutes=20)
        resume(store, s.token, now=at)
    with pytest.raises(AccessDenied, match="8 hours after sign-in"):
        resume(store, s.token, now=T0 + timedelta(hours=8))
    # a new sign-in clears the ended session away
    sign_in(store, "clerk1", PASSWORD, now=T0 + timedelta(hours=9))
    with store.connect() as conn:
        assert conn.execute(select(cs.user_sessions.c.created_at)).scalars().all() == ["2026-01-31T17:00:00Z"]


def test_an_unknown_token_is_refused(store: Engine):
    create_user(store, "clerk1", PASSWORD, "clerk", "李书记员")
    s = sign_in(store, "clerk1", PASSWORD, now=T0)
    with pytest.raises(AccessDenied, match="unknown session"):
        resume(store, "not-a-token", now=T0)
    with pytest.raises(AccessDenied, match="unknown session"):
        resume(store, hashlib.sha256(s.token.encode()).hexdigest(), now=T0)  # the stored hash is no token
    assert sign_out(store, "not-a-token", now=T0) is False


def test_sign_out_ends_the_session_and_is_audited(store: Engine):
    uid = create_user(store, "clerk1", PASSWORD, "clerk", "李书记员")
    s = sign_in(store, "clerk1", PASSWORD, now=T0)
    other = sign_in(store, "clerk1", PASSWORD, now=T0)  # a second browser
    assert sign_out(store, s.token, now=T0 + timedelta(minutes=5)) is True
    with pytest.raises(AccessDenied, match="unknown session"):
        resume(store, s.token, now=T0 + timedelta(minutes=6))
    assert resume(store, other.token, now=T0 + timedelta(minutes=6)).user_id == uid
    assert sign_out(store, s.token, now=T0 + timedelta(minutes=7)) is False  # once only
    assert audit(store) == [(uid, "sign_in", None, "{}"), (uid, "sign_in", None, "{}"),
                            (uid, "sign_out", None, "{}")]
    with store.connect() as conn:
        assert conn.execute(select(cs.audit_log.c.at)).scalars().all()[-1] == "2026-01-31T08:05:00Z"

"""The administrator's use cases (管理): users, their lockouts and sessions, and the audit log.

* :func:`list_users` — every user with role, lender, failed sign-ins, lock and open sessions (never a
  password hash);
* :func:`add_user` — a new user, by an admin: :func:`ruledsl.service.auth.create_user` in the admin's
  transaction, with its audit entry;
* :func:`unlock_user` — a lockout (5 wrong passwords: :func:`ruledsl.service.auth.sign_in`) lifted before its
  15 minutes are up, the count of failures back to nought;
* :func:`end_sessions` — every session of a user ended (a lost laptop, a user leaving);
* :func:`audit_log` — the audit log (:func:`ruledsl.service.access.audit_entries`) filtered by user, action
  and case, with each case's 案号.

Admins only: anyone else is refused (:class:`~ruledsl.core.errors.AccessDenied`, Chinese first).  Each change
is a ``change`` entry in the audit log, in the transaction that makes it.

Two ways in for a user: :func:`ruledsl.service.auth.create_user` takes no session — it is the bootstrap and
command-line path (the first admin of a new store, the demo seeder, tests); :func:`add_user` is the admin's,
through the judge assistant's 管理 page, checked and audited.

Imports: core, store and the rest of service; nothing above.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from ruledsl.core.errors import InputError
from ruledsl.service.access import audit_entries, refusal, signed_in
from ruledsl.service.auth import Session, create_user, moment
from ruledsl.store.cases import (
    AUDIT_ACTIONS,
    append_audit,
    cases,
    exact_dumps,
    parse_utc,
    user_sessions,
    users,
)

#: who may administer
MAY_ADMINISTER = ("admin",)
#: each audit action (:data:`~ruledsl.store.cases.AUDIT_ACTIONS`) as the admin page names it
ACTION_NAMES = {"view": "查看", "change": "变更", "decide": "裁判", "export": "导出", "sign_in": "登录",
                "sign_in_failed": "登录失败", "sign_out": "退出登录"}


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user as the admin page lists it (no password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    lender: str | None
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    sessions: int  # sessions not yet ended (an expired one counts until its next sign-in clears it)

    def locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > moment(now)


@dataclass(frozen=True, slots=True)
class AuditRow:
    """An audit entry with the 案号 of its case (None when it concerns no case)."""

    id: int
    at: datetime
    username: str | None
    action: str
    case_id: int | None
    case_number: str | None
    detail: dict[str, Any]

    @property
    def detail_text(self) -> str:
        """The detail as the store keeps it, exact JSON (empty when there is none)."""
        return exact_dumps(self.detail) if self.detail else ""


def _admin(conn: Connection, session: Session, at: datetime, what: str, english: str) -> Session:
    who = signed_in(conn, session, at)
    if who.role not in MAY_ADMINISTER:
        raise refusal(who, what, english)
    return who


def _user_id(conn: Connection, username: str) -> int:
    found = conn.execute(select(users.c.id).where(users.c.username == username.strip())).scalar()
    if found is None:
        raise InputError.at(f"没有用户 {username!r}（no user {username!r}）")
    return found


def list_users(engine: Engine, session: Session, *, now: datetime | None = None) -> list[UserRow]:
    """Every user, by username."""
    at = moment(now)
    with engine.begin() as conn:
        _admin(conn, session, at, "管理用户", "manage users")
        open_sessions = dict(conn.execute(
            select(user_sessions.c.user_id, func.count()).group_by(user_sessions.c.user_id)).all())
        rows = conn.execute(select(users.c.id, users.c.username, users.c.display_name, users.c.role, users.c.lender,
                                   users.c.failed_attempts, users.c.locked_until, users.c.created_at)
                            .order_by(users.c.username)).all()
    return [UserRow(r.id, r.username, r.display_name, r.role, r.lender, r.failed_attempts,
                    parse_utc(r.locked_until) if r.locked_until else None, parse_utc(r.created_at),
                    open_sessions.get(r.id, 0)) for r in rows]


class _InTransaction:
    """An engine stand-in whose ``begin()`` is the caller's open transaction: :func:`create_user` then inserts
    the user in the admin's transaction, with the check before it and the audit entry after it."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        yield self._conn


def add_user(engine: Engine, session: Session, username: str, password: str, role: str, display_name: str,
             lender: str | None = None, *, now: datetime | None = None) -> int:
    """A new user, added by an admin; returns its id.  The same checks as
    :func:`~ruledsl.service.auth.create_user` (role, password length, lender for lender users only, a
    username not taken); one ``change`` entry (the username and role, never the password)."""
    at = moment(now)
    with engine.begin() as conn:
        who = _admin(conn, session, at, "添加用户", "add a user")
        user_id = create_user(_InTransaction(conn), username, password, role, display_name,  # type: ignore[arg-type]
                              lender=lender, now=at)
        append_audit(conn, at, who.user_id, "change", None,
                     {"user_added": username.strip(), "role": role, "lender": lender.strip() if lender else None})
    return user_id


def unlock_user(engine: Engine, session: Session, username: str, *, now: datetime | None = None) -> bool:
    """Lift ``username``'s lockout and set its failed sign-ins back to nought; True when it was locked."""
    at = moment(now)
    with engine.begin() as conn:
        who = _admin(conn, session, at, "解除锁定", "unlock a user")
        user_id = _user_id(conn, username)
        until = conn.execute(select(users.c.locked_until).where(users.c.id == user_id)).scalar()
        was_locked = until is not None and parse_utc(until) > at
        conn.execute(update(users).where(users.c.id == user_id).values(failed_attempts=0, locked_until=None))
        append_audit(conn, at, who.user_id, "change", None,
                     {"user_unlocked": username.strip(), "was_locked_until": until if was_locked else None})
    return was_locked


def end_sessions(engine: Engine, session: Session, username: str, *, now: datetime | None = None) -> int:
    """End every session of ``username`` (its next request is refused: sign in again); returns how many.
    An admin may end its own, this one too."""
    at = moment(now)
    with engine.begin() as conn:
        who = _admin(conn, session, at, "结束会话", "end a user's sessions")
        user_id = _user_id(conn, username)
        ended = conn.execute(delete(user_sessions).where(user_sessions.c.user_id == user_id)).rowcount
        append_audit(conn, at, who.user_id, "change", None, {"sessions_ended": username.strip(), "count": ended})
    return ended


def audit_log(engine: Engine, session: Session, *, username: str | None = None, action: str | None = None,
              case_number: str | None = None, limit: int | None = None,
              now: datetime | None = None) -> list[AuditRow]:
    """The audit log, newest first, only the entries of ``username``, of ``action`` and of the case
    ``case_number`` where given; the newest ``limit`` of them when given.  Admins only here (judges read a
    case's entries through :func:`~ruledsl.service.access.audit_entries`)."""
    at = moment(now)
    if action is not None and action not in AUDIT_ACTIONS:
        raise InputError.at(f"未知的审计动作 {action!r}（an action is one of {', '.join(AUDIT_ACTIONS)}）")
    case_id = None
    with engine.begin() as conn:
        _admin(conn, session, at, "查看审计日志", "read the audit log")
        if case_number is not None and case_number.strip():
            case_id = conn.execute(select(cases.c.id).where(cases.c.case_number == case_number.strip())).scalar()
            if case_id is None:
                return []
    entries = audit_entries(engine, session, case_id, now=at)
    if username is not None and username.strip():
        entries = [e for e in entries if e.username == username.strip()]
    if action is not None:
        entries = [e for e in entries if e.action == action]
    entries.reverse()
    if limit is not None:
        entries = entries[:max(0, int(limit))]
    ids = {e.case_id for e in entries if e.case_id is not None}
    numbers: dict[int, str] = {}
    if ids:
        with engine.begin() as conn:
            numbers = dict(conn.execute(select(cases.c.id, cases.c.case_number).where(cases.c.id.in_(ids))).all())
    return [AuditRow(e.id, e.at, e.username, e.action, e.case_id, numbers.get(e.case_id) if e.case_id else None,
                     e.detail) for e in entries]


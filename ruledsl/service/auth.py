"""Users, sign-in and sessions.

* A user has one role of :data:`ROLES`; a ``lender`` user belongs to one lender organisation
  (``lender``), and only lender users do.
* Passwords are hashed with argon2id (``argon2-cffi``, its recommended parameters) and are at
  least :data:`MIN_PASSWORD` characters long; a hash made with older parameters is renewed at the
  next good sign-in.
* :data:`MAX_FAILURES` wrong passwords in a row lock the account for :data:`LOCK_TIME`; during the
  lock even the right password is refused, with the time the lock ends.  A good sign-in sets the
  count back to nought.  An unknown username and a wrong password get the same answer (and take
  the same time: the password is checked against a dummy hash).
* A session lasts :data:`SESSION_TIME` from sign-in, and ends sooner after :data:`IDLE_TIME`
  without use (:func:`resume` is the use).  Its token is given once, to the caller; the store
  keeps only its SHA-256.
* Every sign-in, failed sign-in and sign-out is an entry in the audit log, in the same
  transaction as the change it records.

``now`` parameters (aware or UTC-naive datetimes) stand for the clock, so tests need not sleep.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ruledsl.core.errors import AccessDenied, InputError
from ruledsl.store.cases import append_audit, iso_utc, now_utc, parse_utc, user_sessions, users

#: 法官 judge · 书记员 clerk · 放贷机构 lender · 调解员 mediator · 管理员 admin
ROLES = ("judge", "clerk", "lender", "mediator", "admin")
#: each role as a screen or a message names it
ROLE_NAMES = {"judge": "法官", "clerk": "书记员", "lender": "放贷机构", "mediator": "调解员", "admin": "管理员"}
MIN_PASSWORD = 10
MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=15)
SESSION_TIME = timedelta(hours=8)
IDLE_TIME = timedelta(minutes=30)

#: argon2id with argon2-cffi's recommended parameters (RFC 9106's second choice)
PASSWORDS = PasswordHasher()
_DUMMY_HASH: str | None = None  # made on first use, from PASSWORDS' parameters


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in user.  ``token`` goes back with every request (:func:`resume`); ``expires_at`` is the
    latest the session can last (8 hours after sign-in; 30 minutes without use end it sooner)."""

    token: str
    user_id: int
    username: str
    role: str
    lender: str | None
    expires_at: datetime


def token_hash(token: str) -> str:
    """What the store keeps of a session token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def moment(now: datetime | None) -> datetime:
    """``now`` (or the clock) at the store's resolution, the second, in UTC."""
    return parse_utc(iso_utc(now)) if now is not None else now_utc()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return PASSWORDS.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = PASSWORDS.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# ---------------------------------------------------------------- users


def create_user(engine: Engine, username: str, password: str, role: str, display_name: str,
                lender: str | None = None, now: datetime | None = None) -> int:
    """Add a user; returns its id.  ``lender`` (the organisation's name) is required for, and only for,
    the ``lender`` role.  Refuses an unknown role, a short password and a username already taken."""
    username = username.strip()
    display_name = display_name.strip()
    if not username or len(username) > 64:
        raise InputError.at("用户名须为 1 至 64 个字符（a username is 1 to 64 characters）")
    if role not in ROLES:
        raise InputError.at(f"未知角色 {role!r}（unknown role {role!r}: one of {', '.join(ROLES)}）")
    if len(password) < MIN_PASSWORD:
        raise InputError.at(f"密码至少 {MIN_PASSWORD} 个字符（a password has at least {MIN_PASSWORD} characters）")
    if not display_name:
        raise InputError.at("显示名称不能为空（a display name is required）")
    lender = lender.strip() if lender else None
    if role == "lender" and not lender:
        raise InputError.at("放贷机构用户须注明所属机构（a lender user needs its lender organisation）")
    if role != "lender" and lender:
        raise InputError.at(f"只有放贷机构用户属于机构（only lender users belong to a lender, not a {role}）")
    try:
        with engine.begin() as conn:
            return conn.execute(
                insert(users).values(
                    username=username, display_name=display_name, role=role, lender=lender,
                    password_hash=PASSWORDS.hash(password), failed_attempts=0, locked_until=None,
                    created_at=iso_utc(moment(now)),
                ).returning(users.c.id)
            ).scalar_one()
    except IntegrityError:
        raise InputError.at(f"用户名 {username!r} 已存在（the username {username!r} is taken）") from None


# ---------------------------------------------------------------- sign-in, sessions, sign-out

WRONG = "用户名或密码错误（wrong username or password）"


def _locked(until: str) -> str:
    return f"账户已锁定至 {until}（account locked until {until}）"


def sign_in(engine: Engine, username: str, password: str, now: datetime | None = None) -> Session:
    """A new session for ``username``, or :class:`AccessDenied` (wrong password, unknown user, locked)."""
    now = moment(now)
    username = username.strip()
    refused: AccessDenied | None = None
    with engine.begin() as conn:
        user = conn.execute(select(users).where(users.c.username == username).with_for_update()).first()
        if user is None:
            _verify(_dummy_hash(), password)
            append_audit(conn, now, None, "sign_in_failed", detail={"username": username[:64], "reason": "unknown"})
            refused = AccessDenied.of(WRONG)
        elif user.locked_until is not None and parse_utc(user.locked_until) > now:
            append_audit(conn, now, user.id, "sign_in_failed", detail={"reason": "locked", "until": user.locked_until})
            refused = AccessDenied.of(_locked(user.locked_until), hint="锁定期满后再试（try again after that）")
        elif not _verify(user.password_hash, password):
            failures = user.failed_attempts + 1
            detail: dict[str, object] = {"reason": "password", "failures": failures}
            values: dict[str, object] = {"failed_attempts": failures}
            if failures >= MAX_FAILURES:
                until = iso_utc(now + LOCK_TIME)
                values = {"failed_attempts": 0, "locked_until": until}
                detail["locked_until"] = until
                refused = AccessDenied.of(_wrong_and_locked(until))
            else:
                refused = AccessDenied.of(WRONG)
            conn.execute(update(users).where(users.c.id == user.id).values(**values))
            append_audit(conn, now, user.id, "sign_in_failed", detail=detail)
        else:
            return _open_session(conn, user, password, now)
    raise refused


def _wrong_and_locked(until: str) -> str:
    return (f"用户名或密码错误，连续 {MAX_FAILURES} 次失败，账户已锁定至 {until}"
            f"（wrong username or password; after {MAX_FAILURES} failures the account is locked until {until}）")


def _open_session(conn: Connection, user, password: str, now: datetime) -> Session:  # type: ignore[no-untyped-def]
    values: dict[str, object] = {"failed_attempts": 0, "locked_until": None}
    if PASSWORDS.check_needs_rehash(user.password_hash):
        values["password_hash"] = PASSWORDS.hash(password)
    conn.execute(update(users).where(users.c.id == user.id).values(**values))
    # the user's ended sessions go (times are ISO text of one width: text order is time order)
    conn.execute(delete(user_sessions).where(
        user_sessions.c.user_id == user.id,
        or_(user_sessions.c.expires_at <= iso_utc(now), user_sessions.c.last_seen <= iso_utc(now - IDLE_TIME)),
    ))
    token = secrets.token_urlsafe(32)
    expires = now + SESSION_TIME
    conn.execute(insert(user_sessions).values(token_hash=token_hash(token), user_id=user.id, created_at=iso_utc(now),
                                              last_seen=iso_utc(now), expires_at=iso_utc(expires)))
    append_audit(conn, now, user.id, "sign_in")
    return Session(token, user.id, user.username, user.role, user.lender, expires)


def resume(engine: Engine, token: str, now: datetime | None = None) -> Session:
    """The session ``token`` opened, its last use moved to ``now``; :class:`AccessDenied` for a token that
    is unknown, signed out, or expired (8 hours after sign-in, or 30 minutes after its last use)."""
    now = moment(now)
    with engine.begin() as conn:
        return resume_in(conn, token, now)


def resume_in(conn: Connection, token: str, now: datetime) -> Session:
    """:func:`resume` inside the caller's transaction (the service's use cases check the session in the
    transaction that does the work)."""
    digest = token_hash(token)
    q = (select(user_sessions, users.c.username, users.c.role, users.c.lender)
         .join(users, users.c.id == user_sessions.c.user_id)
         .where(user_sessions.c.token_hash == digest))
    row = conn.execute(q).first()
    if row is None:
        raise AccessDenied.of("会话无效，请重新登录（unknown session: sign in again）")
    expires = parse_utc(row.expires_at)
    if now >= expires:
        raise AccessDenied.of("会话已过期（登录满 8 小时），请重新登录（session expired 8 hours after sign-in: sign in again）")
    if now >= parse_utc(row.last_seen) + IDLE_TIME:
        raise AccessDenied.of("会话因 30 分钟未操作已过期，请重新登录（session expired after 30 minutes without use: sign in again）")
    conn.execute(update(user_sessions).where(user_sessions.c.token_hash == digest).values(last_seen=iso_utc(now)))
    return Session(token, row.user_id, row.username, row.role, row.lender, expires)


def sign_out(engine: Engine, token: str, now: datetime | None = None) -> bool:
    """End the session ``token`` (the audit log records it); False when there was no such session."""
    now = moment(now)
    digest = token_hash(token)
    with engine.begin() as conn:
        user_id = conn.execute(select(user_sessions.c.user_id).where(user_sessions.c.token_hash == digest)).scalar()
        if user_id is None:
            return False
        conn.execute(delete(user_sessions).where(user_sessions.c.token_hash == digest))
        append_audit(conn, now, user_id, "sign_out")
    return True

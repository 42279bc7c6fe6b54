"""The log's store: atomic batched appends, stored subtree hashes, proofs from those hashes.

Invariants kept by every append (one database transaction):

* the log row's ``size``/``root`` move only forward, and only together with the
  leaves and hashes that produce them (``UPDATE … WHERE size = <old>``);
* leaf ``i`` and every subtree hash it completes are written in the same
  transaction, so after a crash the store holds exactly the acknowledged batches;
* appenders are serialised (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``SELECT … FOR
  UPDATE`` on the log row), so concurrent processes never interleave a batch.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, insert, select, text, update
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, SQLAlchemyError

from ruledsl.core.errors import MalformedError, RefusedError, StoreError
from ruledsl.evidence.hashing import Hasher, hasher
from ruledsl.evidence.merkle import (
    CompactRange,
    consistency_plan,
    inclusion_plan,
    resolve,
    root_plan,
    stored_count,
    stored_index,
)
from ruledsl.store import db


@dataclass(frozen=True, slots=True)
class LogInfo:
    id: int
    origin: str
    hash_alg: str
    verifier_key: str
    size: int
    root: bytes

    @property
    def hasher(self) -> Hasher:
        return hasher(self.hash_alg)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class LogStore:
    """All logs in one database (SQLite file or PostgreSQL)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = db.database_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        try:
            self.writer: Engine = db.make_engine(self.url, writer=True)
            # Readers see one snapshot per transaction (SQLite WAL does so by itself).
            self.reader: Engine = (
                db.make_engine(self.url)
                if self.is_sqlite
                else self.writer.execution_options(isolation_level="REPEATABLE READ")
            )
            with self.writer.begin() as conn:
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(7210524901)"))
                db.metadata.create_all(conn, checkfirst=True)
        except DatabaseError as exc:  # cannot connect, not a database, a corrupt file …
            raise StoreError.of(f"cannot open the log database: {_reason(exc)}", hint=self._where()) from None
        ph = "?" if self.writer.dialect.paramstyle == "qmark" else "%s"
        self._ins_hash = f"INSERT INTO evidence_hashes (log_id, sidx, hash) VALUES ({ph}, {ph}, {ph})"
        self._ins_leaf = (
            f"INSERT INTO evidence_leaves (log_id, idx, leaf_hash, record) VALUES ({ph}, {ph}, {ph}, {ph})"
        )
        self._ph = ph

    def _where(self) -> str:
        return "set RULEDSL_DB_URL or RULEDSL_DATA_DIR" if self.is_sqlite else f"database {self.url.split('@')[-1]}"

    def close(self) -> None:
        self.writer.dispose()
        if self.is_sqlite:
            self.reader.dispose()

    # ------------------------------------------------------------------ logs

    def create_log(self, origin: str, hash_alg: str, verifier_key: str) -> LogInfo:
        h = hasher(hash_alg)
        try:
            with self.writer.begin() as conn:
                conn.execute(
                    insert(db.logs).values(
                        origin=origin, hash_alg=h.name, verifier_key=verifier_key, size=0, root=h.empty(),
                        created_at=_now(),
                    )
                )
        except IntegrityError:
            raise RefusedError.of(f"a log with origin {origin!r} already exists") from None
        return self.get_log(origin)

    def logs(self) -> list[LogInfo]:
        with self.reader.connect() as conn:
            rows = conn.execute(select(db.logs).order_by(db.logs.c.id)).all()
        return [self._info(r) for r in rows]

    @staticmethod
    def _info(r) -> LogInfo:  # type: ignore[no-untyped-def]
        return LogInfo(r.id, r.origin, r.hash_alg, r.verifier_key, int(r.size), bytes(r.root))

    def get_log(self, origin: str | None = None) -> LogInfo:
        all_logs = self.logs()
        if origin is None:
            if len(all_logs) == 1:
                return all_logs[0]
            if not all_logs:
                raise StoreError.of("no log here yet", hint="create one with `ruledsl log init`")
            names = ", ".join(x.origin for x in all_logs)
            raise StoreError.of("several logs here: say which with --origin", hint=names)
        for x in all_logs:
            if x.origin == origin:
                return x
        raise StoreError.of(f"no log with origin {origin!r}", hint="`ruledsl log init` creates one")

    # ------------------------------------------------------------------ append

    def append(self, log: LogInfo | int, records: Sequence[bytes]) -> tuple[int, int, bytes]:
        """Append ``records`` atomically; returns (index of the first, new size, new root)."""
        log_id = log if isinstance(log, int) else log.id
        if not records:
            with self.reader.connect() as conn:
                info = self._locked_row(conn, log_id, lock=False)
            return info.size, info.size, info.root
        try:
            with self.writer.begin() as conn:
                info = self._locked_row(conn, log_id, lock=True)
                h = info.hasher
                n = info.size
                edge_nodes = root_plan(n) if n else []
                got = self._fetch(conn, log_id, [stored_index(*nd) for nd in edge_nodes])
                cr = CompactRange(h, n, [got[stored_index(*nd)] for nd in edge_nodes])
                if cr.root() != info.root:
                    raise StoreError.of(
                        f"stored hashes of log {info.origin!r} do not give its root: the store is damaged",
                        hint="run `ruledsl log verify`",
                    )
                new_hashes: list[tuple[int, bytes]] = []
                leaf_rows = []
                leaf = h.leaf
                for i, rec in enumerate(records):
                    lh = leaf(rec)
                    cr.append(lh, new_hashes)
                    leaf_rows.append((log_id, n + i, lh, rec))
                root = cr.root()
                conn.exec_driver_sql(self._ins_leaf, leaf_rows)
                conn.exec_driver_sql(self._ins_hash, [(log_id, s, hh) for s, hh in new_hashes])
                res = conn.execute(
                    update(db.logs)
                    .where(db.logs.c.id == log_id, db.logs.c.size == n)
                    .values(size=cr.size, root=root)
                )
                if res.rowcount != 1:
                    raise StoreError.of("the log changed under this append; nothing was written")
                conn.execute(insert(db.tree_heads).values(log_id=log_id, size=cr.size, root=root, time=_now()))
        except OperationalError as exc:
            raise StoreError.of(f"append failed, nothing was written: {_reason(exc)}") from None
        return n, cr.size, root

    def _locked_row(self, conn: Connection, log_id: int, lock: bool) -> LogInfo:
        q = select(db.logs).where(db.logs.c.id == log_id)
        if lock and not self.is_sqlite:
            q = q.with_for_update()
        r = conn.execute(q).first()
        if r is None:
            raise StoreError.of(f"no log with id {log_id}")
        return self._info(r)

    def _fetch(self, conn: Connection, log_id: int, sidxs: Iterable[int]) -> dict[int, bytes]:
        sidxs = list(sidxs)
        if not sidxs:
            return {}
        out: dict[int, bytes] = {}
        for k in range(0, len(sidxs), 500):
            chunk = sidxs[k : k + 500]
            marks = ", ".join([self._ph] * len(chunk))
            sql = f"SELECT sidx, hash FROM evidence_hashes WHERE log_id = {self._ph} AND sidx IN ({marks})"
            for s, hh in conn.exec_driver_sql(sql, (log_id, *chunk)):
                out[int(s)] = bytes(hh)
        return out

    # ------------------------------------------------------------------ reads and proofs

    def head(self, log: LogInfo | int) -> tuple[int, bytes]:
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            info = self._locked_row(conn, log_id, lock=False)
        return info.size, info.root

    def _size_check(self, conn: Connection, log_id: int, *sizes: int) -> LogInfo:
        info = self._locked_row(conn, log_id, lock=False)
        for s in sizes:
            if not 0 <= s <= info.size:
                raise RefusedError.of(f"tree size {s} is beyond the log's size {info.size}")
        return info

    def root_at(self, log: LogInfo | int, size: int) -> bytes:
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            info = self._size_check(conn, log_id, size)
            if size == 0:
                return info.hasher.empty()
            return resolve([root_plan(size)], lambda s: self._fetch(conn, log_id, s), info.hasher)[0]

    def inclusion_proof(self, log: LogInfo | int, index: int, size: int) -> list[bytes]:
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            info = self._size_check(conn, log_id, size)
            plan = inclusion_plan(index, size)
            return resolve(plan, lambda s: self._fetch(conn, log_id, s), info.hasher)

    def consistency_proof(self, log: LogInfo | int, size1: int, size2: int) -> list[bytes]:
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            info = self._size_check(conn, log_id, size1, size2)
            plan = consistency_plan(size1, size2)
            return resolve(plan, lambda s: self._fetch(conn, log_id, s), info.hasher)

    def leaf(self, log: LogInfo | int, index: int) -> tuple[bytes, bytes]:
        """(leaf hash, record bytes) of leaf ``index``."""
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            r = conn.execute(
                select(db.leaves.c.leaf_hash, db.leaves.c.record).where(
                    db.leaves.c.log_id == log_id, db.leaves.c.idx == index
                )
            ).first()
        if r is None:
            raise RefusedError.of(f"no leaf {index} in this log")
        return bytes(r[0]), bytes(r[1])

    def find(self, log: LogInfo | int, leaf_hash: bytes) -> list[int]:
        """Indexes of the leaves with this hash.

        A scan: appends stay fast because the leaf hash is not indexed (an index on
        random 32-byte keys costs a third of the append rate).
        """
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            rows = conn.execute(
                select(db.leaves.c.idx)
                .where(db.leaves.c.log_id == log_id, db.leaves.c.leaf_hash == leaf_hash)
                .order_by(db.leaves.c.idx)
            ).all()
        return [int(r[0]) for r in rows]

    def iter_leaves(self, log: LogInfo | int, start: int = 0, batch: int = 10000):
        try:
            yield from self._iter_leaves(log, start, batch)
        except SQLAlchemyError as exc:
            raise StoreError.of(f"the log database cannot be read: {_reason(exc)}") from None

    def _iter_leaves(self, log: LogInfo | int, start: int, batch: int):
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            pos = start
            while True:
                rows = conn.execute(
                    select(db.leaves.c.idx, db.leaves.c.leaf_hash, db.leaves.c.record)
                    .where(db.leaves.c.log_id == log_id, db.leaves.c.idx >= pos)
                    .order_by(db.leaves.c.idx)
                    .limit(batch)
                ).all()
                if not rows:
                    return
                for r in rows:
                    yield int(r[0]), bytes(r[1]), bytes(r[2])
                pos = int(rows[-1][0]) + 1

    # ------------------------------------------------------------------ checkpoints

    def add_checkpoint(self, log: LogInfo | int, size: int, note: str) -> None:
        log_id = log if isinstance(log, int) else log.id
        with self.writer.begin() as conn:
            info = self._locked_row(conn, log_id, lock=True)
            if size > info.size:
                raise RefusedError.of(f"checkpoint of size {size} is beyond the log's size {info.size}")
            last = conn.execute(
                select(func.max(db.checkpoints.c.size)).where(db.checkpoints.c.log_id == log_id)
            ).scalar()
            if last is not None and size < int(last):
                raise RefusedError.of(f"checkpoint of size {size} would go back from the published size {last}")
            if last is not None and size == int(last):
                return
            conn.execute(insert(db.checkpoints).values(log_id=log_id, size=size, note=note, time=_now()))

    def checkpoints(self, log: LogInfo | int) -> list[tuple[int, str]]:
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            rows = conn.execute(
                select(db.checkpoints.c.size, db.checkpoints.c.note)
                .where(db.checkpoints.c.log_id == log_id)
                .order_by(db.checkpoints.c.size)
            ).all()
        return [(int(r[0]), str(r[1])) for r in rows]

    def tree_heads(self, log: LogInfo | int) -> list[tuple[int, bytes]]:
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            rows = conn.execute(
                select(db.tree_heads.c.size, db.tree_heads.c.root)
                .where(db.tree_heads.c.log_id == log_id)
                .order_by(db.tree_heads.c.size)
            ).all()
        return [(int(r[0]), bytes(r[1])) for r in rows]

    # ------------------------------------------------------------------ integrity

    def quick_check(self, log: LogInfo | int) -> LogInfo:
        """O(log n) check on open: leaf count, stored hash count and root agree with the log row."""
        log_id = log if isinstance(log, int) else log.id
        with self.reader.connect() as conn:
            info = self._locked_row(conn, log_id, lock=False)
            n_leaves = conn.execute(
                select(func.max(db.leaves.c.idx)).where(db.leaves.c.log_id == log_id)
            ).scalar()
            n_hashes = conn.execute(
                select(func.max(db.hashes.c.sidx)).where(db.hashes.c.log_id == log_id)
            ).scalar()
            got_leaves = 0 if n_leaves is None else int(n_leaves) + 1
            got_hashes = 0 if n_hashes is None else int(n_hashes) + 1
            if got_leaves != info.size or got_hashes != stored_count(info.size):
                raise StoreError.of(
                    f"log {info.origin!r} says {info.size} leaves but stores {got_leaves} leaves"
                    f" and {got_hashes} hashes",
                    hint="the store is damaged; restore it from a backup",
                )
            if info.size:
                root = resolve([root_plan(info.size)], lambda s: self._fetch(conn, log_id, s), info.hasher)[0]
                if root != info.root:
                    raise StoreError.of(f"stored hashes of log {info.origin!r} do not give its root")
        return info

    def audit(self, log: LogInfo | int) -> int:
        """Recompute every leaf hash and every stored hash from the records; returns the leaf count."""
        info = self.quick_check(log)
        h = info.hasher
        cr = CompactRange(h)
        expected: list[tuple[int, bytes]] = []
        heads = dict(self.tree_heads(info))
        count = 0
        with self.reader.connect() as conn:
            for idx, lh, rec in self.iter_leaves(info):
                if idx != count:
                    raise StoreError.of(f"leaf {count} is missing")
                if h.leaf(rec) != lh:
                    raise StoreError.of(f"leaf {idx}: record does not hash to its stored leaf hash")
                cr.append(lh, expected)
                count += 1
                if count in heads and cr.root() != heads[count]:
                    raise StoreError.of(f"tree head at size {count} does not match the leaves")
                if len(expected) >= 20000 or count == info.size:
                    got = self._fetch(conn, info.id, [s for s, _ in expected])
                    for s, hh in expected:
                        if got.get(s) != hh:
                            raise StoreError.of(f"stored hash {s} does not match the leaves")
                    expected.clear()
        if count != info.size or cr.root() != info.root:
            raise StoreError.of("the leaves do not give the log's root")
        return count


def ensure(condition: bool, message: str) -> None:
    if not condition:
        raise MalformedError.of(message)


def _reason(exc: SQLAlchemyError) -> str:
    """The database's own words (without SQLAlchemy's SQL echo and links)."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).splitlines()[0][:200]


def _guarded(method):  # type: ignore[no-untyped-def]
    """A store method whose database failures (a corrupt file, a lost connection) are StoreErrors."""
    @functools.wraps(method)
    def guarded(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return method(*args, **kwargs)
        except SQLAlchemyError as exc:
            raise StoreError.of(f"the log database cannot be used: {_reason(exc)}",
                                hint="restore it from a backup; `ruledsl log verify` checks a restored log") from None
    return guarded


for _name, _method in list(vars(LogStore).items()):
    if callable(_method) and not _name.startswith("_") and _name not in ("iter_leaves", "close"):
        setattr(LogStore, _name, _guarded(_method))

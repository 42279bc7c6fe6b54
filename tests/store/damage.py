"""Damage a log's database the way an operator with write access could (not a test module).

``truncate`` removes the newest leaves *consistently*: their leaf rows, the subtree hashes they
completed, the tree heads and checkpoint rows above the new size, and moves the log row back —
so the database alone is a smaller log that opens and audits clean.
"""

from __future__ import annotations

from sqlalchemy import delete, update

from ruledsl.evidence.merkle import stored_count
from ruledsl.store import LogInfo, LogStore, db


def truncate(store: LogStore, info: LogInfo, size: int) -> None:
    root = store.root_at(info, size)
    with store.writer.begin() as conn:
        conn.execute(delete(db.leaves).where(db.leaves.c.log_id == info.id, db.leaves.c.idx >= size))
        conn.execute(delete(db.hashes).where(db.hashes.c.log_id == info.id, db.hashes.c.sidx >= stored_count(size)))
        conn.execute(delete(db.tree_heads).where(db.tree_heads.c.log_id == info.id, db.tree_heads.c.size > size))
        conn.execute(delete(db.checkpoints).where(db.checkpoints.c.log_id == info.id,
                                                  db.checkpoints.c.size > size))
        conn.execute(update(db.logs).where(db.logs.c.id == info.id).values(size=size, root=root))

"""Storage (SQLAlchemy 2.0): SQLite by default, PostgreSQL when ``RULEDSL_DB_URL`` is set.

* :mod:`~ruledsl.store.db` — engines and URLs
* :mod:`~ruledsl.store.logstore` — the evidence log's leaves, tree tiles and checkpoints, appended atomically
* :mod:`~ruledsl.store.log` — :class:`~ruledsl.store.log.EvidenceLog`: the court's log on that store
  (deposit, checkpoint, prove, audit), built from :mod:`ruledsl.evidence`'s Merkle trees and signed notes
* :mod:`~ruledsl.store.cases` — the judge assistant's case store (users, sessions, cases, parties,
  evidence, decisions, the append-only audit log), its schema upgraded by Alembic (``migrations/``)

Imports: core and evidence; nothing above.
"""

from ruledsl.store.db import data_dir, database_url, make_engine
from ruledsl.store.logstore import LogInfo, LogStore

__all__ = ["LogInfo", "LogStore", "data_dir", "database_url", "make_engine"]

"""Storage of the evidence log (SQLAlchemy 2.0): SQLite by default, PostgreSQL when ``RULEDSL_DB_URL`` is set."""

from ruledsl.store.db import data_dir, database_url, make_engine
from ruledsl.store.logstore import LogInfo, LogStore

__all__ = ["LogInfo", "LogStore", "data_dir", "database_url", "make_engine"]

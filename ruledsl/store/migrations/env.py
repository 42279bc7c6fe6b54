"""Alembic's environment for the case store (:mod:`ruledsl.store.cases`).

Run only through :func:`ruledsl.store.cases.migrate`, which hands over an open connection in
``config.attributes["connection"]`` (inside its transaction); there is no ``alembic.ini`` and no
URL here.  The version table is ``case_store_version``, so the case store's revisions never meet
another Alembic history in the same database.
"""

from __future__ import annotations

from alembic import context

from ruledsl.store.cases import VERSION_TABLE, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "the case store migrates through ruledsl.store.cases.migrate(engine), with a connection; "
        "offline (SQL script) mode is not supported"
    )
context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE,
                  transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()

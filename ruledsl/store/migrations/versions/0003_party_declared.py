"""The facts a case file declares about a party (当事人画像): income, employment, contactability, each with
its source, as exact JSON on the party's row.

Revision ID: 0003
Revises: 0002
Created: 2026-12-02

``parties.declared_json`` holds ``{fact: {"value": …, "source": "…"}}`` as
:func:`ruledsl.store.cases.exact_dumps` writes it (an amount as its own digits, read back as the same
Decimal); NULL when the filing declares nothing, which a profile shows as 案件材料未载明 — never a
value made up.  Nullable: the parties of a store made before this revision keep their rows, unset.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("parties", sa.Column("declared_json", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("parties") as batch:  # SQLite drops columns by copying the table
        batch.drop_column("declared_json")

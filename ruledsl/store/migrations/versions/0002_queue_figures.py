"""The queue's figures on each case: claimed, allowed and awarded (whole fen), overdue days, evidence
state and verdict, written when the case is filed so a queue of 10,000 cases sorts and filters in the
database instead of deciding every case on every view.

Revision ID: 0002
Revises: 0001
Created: 2026-12-01

Amounts are whole fen (BIGINT): exact on every database and sortable (SQLite has no exact decimal).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

def _columns() -> list[sa.Column]:
    return [sa.Column("claimed_fen", sa.BigInteger, nullable=True), sa.Column("allowed_fen", sa.BigInteger, nullable=True),
            sa.Column("awarded_fen", sa.BigInteger, nullable=True), sa.Column("overdue_days", sa.Integer, nullable=True),
            sa.Column("evidence_state", sa.String(16), nullable=True), sa.Column("verdict", sa.String(32), nullable=True)]


def upgrade() -> None:
    for column in _columns():
        op.add_column("cases", column)
    op.create_index("ix_cases_stage", "cases", ["stage"])
    op.create_index("ix_cases_verdict", "cases", ["verdict"])
    op.create_index("ix_cases_evidence_state", "cases", ["evidence_state"])


def downgrade() -> None:
    for index in ("ix_cases_evidence_state", "ix_cases_verdict", "ix_cases_stage"):
        op.drop_index(index, table_name="cases")
    with op.batch_alter_table("cases") as batch:  # SQLite drops columns by copying the table
        for column in reversed(_columns()):
            batch.drop_column(column.name)

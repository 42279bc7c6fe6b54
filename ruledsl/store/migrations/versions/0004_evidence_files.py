"""The evidence files a filing presented, kept by the store: content-addressed by SHA-256.

Revision ID: 0004
Revises: 0003
Created: 2026-12-02

A case's evidence item (``evidence_items``) names its files — the evidence file, the bundle that anchors
it, a detached signature, a timestamp token — by their SHA-256 in ``detail_json``; the bytes are here,
once each however many items share them, so the evidence can be verified again (and its verification
report drawn) long after the filing, from what the court received rather than from a party's disk.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("evidence_files")

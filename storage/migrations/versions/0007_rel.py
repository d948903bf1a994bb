"""Inbound messages under a lease: recovery of rows left `processing`, flood deferral, and the
link from a reply that went by push to its outbox row (a WeChat retry takes it back); bind codes
that expire, and wrong tries counted per sender.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.add_column(sa.Column("reply_outbox_id", sa.Integer(), nullable=True))
    # rows an old version left `ignored` (flood) were never processed: process them now
    op.execute("UPDATE inbound_messages SET status = 'deferred' WHERE status = 'ignored'")
    op.create_index("ix_inbound_due", "inbound_messages", ["status", "lease_until"])
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("bind_code_set_at", sa.DateTime(), nullable=True))
    # codes issued before they could expire count from the upgrade
    op.execute("UPDATE people SET bind_code_set_at = CURRENT_TIMESTAMP "
               "WHERE bind_code IS NOT NULL")
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("bind_failures", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("bind_locked_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("bind_locked_until")
        batch.drop_column("bind_failures")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("bind_code_set_at")
    op.drop_index("ix_inbound_due", table_name="inbound_messages")
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_column("reply_outbox_id")
        batch.drop_column("attempts")
        batch.drop_column("lease_until")

"""Supervision and corrections: ticket owner/waiting/contact/follow-up, job runs, corrections.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("owner_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("waiting_since", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("contact", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("followup_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key("fk_tickets_owner_id_people", "people", ["owner_id"], ["id"])
    op.create_table(
        "job_runs",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "category_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("old_category", sa.String(length=32), nullable=False),
        sa.Column("new_category", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_category_corrections_ticket_id"), "category_corrections",
                    ["ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_category_corrections_ticket_id"), "category_corrections")
    op.drop_table("category_corrections")
    op.drop_table("job_runs")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("fk_tickets_owner_id_people", type_="foreignkey")
        for col in ("followup_at", "contact", "waiting_since", "owner_id"):
            batch.drop_column(col)

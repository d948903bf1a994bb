"""Complaints about staff: the ticket names who it is about.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("subject_id", sa.String(length=64), nullable=True))
        batch.create_foreign_key("fk_tickets_subject_id_people", "people", ["subject_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("fk_tickets_subject_id_people", type_="foreignkey")
        batch.drop_column("subject_id")

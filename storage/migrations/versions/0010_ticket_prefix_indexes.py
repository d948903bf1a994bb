"""Drop the two indexes of `tickets` that are prefixes of others: `ix_tickets_status` of
`ix_tickets_status_resolve_by` and `ix_tickets_community_id` of `ix_tickets_community_created`.
Every lookup by status or by community (and the foreign key's check of a community's tickets)
is served by the longer index's leading column, on SQLite and PostgreSQL alike; each ticket
INSERT and each change of status maintained both. Code of 0009 runs on this schema unchanged.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROPPED = {"ix_tickets_status": "status", "ix_tickets_community_id": "community_id"}


def upgrade() -> None:
    for name in DROPPED:
        op.drop_index(name, table_name="tickets")


def downgrade() -> None:
    for name, column in DROPPED.items():
        op.create_index(name, "tickets", [column], unique=False)

"""A ticket's code drawn in its own INSERT: on SQLite a trigger moves the day's counter on to
the code a ticket was written with (storage.models.TICKET_SEQUENCE_TRIGGER). PostgreSQL needs
nothing: its INSERT carries the counter's upsert as a CTE.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from storage.models import TICKET_SEQUENCE_TRIGGER

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(TICKET_SEQUENCE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ticket_sequences_follow")

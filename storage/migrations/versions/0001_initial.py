"""Initial schema (storage/models.py as of 0.1.0).

Regions, people, identities, tickets and their events, ticket sequences, inbound messages,
outbox, conversation states, access tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns are NOT NULL unless they say otherwise: the models map `Mapped[T]` the same way.


def _col(name: str, type_: sa.types.TypeEngine, nullable: bool = False, **kw: object) -> sa.Column:
    return sa.Column(name, type_, nullable=nullable, **kw)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column:
    return _col(name, sa.String(length=length), nullable)


def _time(name: str, nullable: bool = False) -> sa.Column:
    return _col(name, sa.DateTime(), nullable)


def _index(table: str, *columns: str, name: str | None = None) -> None:
    op.create_index(name or op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns),
                    unique=False)


def upgrade() -> None:
    op.create_table(
        "access_tokens",
        _str("key", 128), _col("token", sa.Text()), _time("expires_at"), _time("updated_at"),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "conversation_states",
        _col("id", sa.Integer()), _str("channel", 8), _str("external_id", 128),
        _str("state", 32), _col("data", sa.JSON()), _time("expires_at"),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("channel", "external_id"),
    )
    op.create_table(
        "inbound_messages",
        _col("id", sa.Integer()), _str("dedupe_key", 255), _str("channel", 8),
        _str("from_user", 128), _str("msg_type", 32), _col("raw", sa.Text()),
        _str("status", 16), _col("reply", sa.Text(), True), _col("error", sa.Text(), True),
        _time("created_at"), _time("processed_at", True),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("dedupe_key"),
    )
    _index("inbound_messages", "from_user")
    op.create_table(
        "people",
        _str("id", 64), _str("name", 64), _col("roles", sa.JSON()), _str("phone", 32, True),
        _col("departments", sa.JSON()), _str("bind_code", 16, True),
        _col("bind_code_used", sa.Boolean()), _col("home_address", sa.Text(), True),
        _col("active", sa.Boolean()), _col("from_district_file", sa.Boolean()),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("people", "bind_code")
    op.create_table(
        "regions",
        _col("id", sa.Integer()), _str("code", 64), _str("name", 128), _str("level", 16),
        _col("parent_id", sa.Integer(), True), _col("aliases", sa.JSON()),
        _col("polygon", sa.JSON(), True), _str("grid_kind", 16, True),
        _col("buildings", sa.JSON()), _col("slots", sa.JSON()), _col("active", sa.Boolean()),
        sa.ForeignKeyConstraint(["parent_id"], ["regions.id"]),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("code"),
    )
    _index("regions", "parent_id")
    op.create_table(
        "ticket_sequences",
        _str("day", 8), _col("last", sa.Integer()),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "identities",
        _col("id", sa.Integer()), _str("person_id", 64), _str("channel", 8),
        _str("external_id", 128), _time("last_inbound_at", True),
        _col("pushes_since_inbound", sa.Integer()), _time("created_at"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("channel", "external_id"),
    )
    _index("identities", "person_id")
    op.create_table(
        "tickets",
        _col("id", sa.Integer()), _str("code", 32), _str("category", 32), _str("urgency", 16),
        _str("request_kind", 8), _col("text", sa.Text()), _str("community_text", 128, True),
        _str("building", 16, True), _str("unit", 16, True), _str("room", 16, True),
        _str("place", 128, True), _col("lng", sa.Float(), True), _col("lat", sa.Float(), True),
        _col("region_id", sa.Integer(), True), _col("community_id", sa.Integer(), True),
        _str("reporter_id", 64, True), _str("assignee_id", 64, True), _str("source", 16),
        _str("status", 24), _time("respond_by", True), _time("resolve_by", True),
        _time("accepted_at", True), _time("resolved_at", True), _time("closed_at", True),
        _col("escalation_level", sa.Integer()), _col("confidence", sa.Float(), True),
        _col("duplicate_of_id", sa.Integer(), True), _col("rating", sa.Integer(), True),
        _col("resolution", sa.Text(), True), _time("created_at"), _time("updated_at"),
        sa.ForeignKeyConstraint(["assignee_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["community_id"], ["regions.id"]),
        sa.ForeignKeyConstraint(["duplicate_of_id"], ["tickets.id"]),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"]),
        sa.ForeignKeyConstraint(["reporter_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("code"),
    )
    for column in ("assignee_id", "category", "community_id", "created_at", "region_id",
                   "reporter_id", "status"):
        _index("tickets", column)
    op.create_table(
        "outbox",
        _col("id", sa.Integer()), _str("channel", 8), _str("recipient", 128),
        _str("person_id", 64, True), _col("ticket_id", sa.Integer(), True),
        _col("payload", sa.JSON()), _str("state", 16), _col("attempts", sa.Integer()),
        _time("next_attempt_at"), _col("last_error", sa.Text(), True), _time("created_at"),
        _time("sent_at", True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("outbox", "state", "next_attempt_at", name="ix_outbox_due")
    _index("outbox", "recipient")
    op.create_table(
        "ticket_events",
        _col("id", sa.Integer()), _col("ticket_id", sa.Integer()), _str("kind", 24),
        _str("actor_id", 64, True), _str("from_status", 24, True), _str("to_status", 24, True),
        _col("note", sa.Text(), True), _time("created_at"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("ticket_events", "ticket_id")


def downgrade() -> None:
    # tables go in reverse dependency order; their indexes go with them
    for table in ("ticket_events", "outbox", "tickets", "identities", "ticket_sequences",
                  "regions", "people", "inbound_messages", "conversation_states",
                  "access_tokens"):
        op.drop_table(table)

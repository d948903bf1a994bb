"""Inbound messages under a lease: the queries of the gateway's exactly-once contract.

A row is claimed `processing` with a lease and an attempt number (the fence). Whoever finishes
it writes the outcome only if the row is still `processing` under that attempt, in the same
transaction as the work, so a unit that was taken over (its lease ran out) rolls back instead
of committing the work a second time. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import fast
from storage.db import flush_pending
from storage.models import Identity, InboundMessage, Outbox
from storage.repos.people import stored_id


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    channel: str
    raw: str
    attempts: int  # the fence: the outcome is written only under this attempt


def _locking(session: AsyncSession, stmt: Any, *, skip: bool) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=skip)
    return stmt  # SQLite: one writer, the transaction itself is the lock


_CLAIM = insert(InboundMessage).returning(InboundMessage.id)
# …and whether the sender has no identity yet, in the same statement
_CLAIM_SENDER = insert(InboundMessage).returning(InboundMessage.id, ~select(Identity.id).where(
    Identity.channel == bindparam("s_channel"),
    Identity.external_id == bindparam("s_id")).exists())
_FINISH: dict[frozenset[str], Any] = {}


def claim_statement(sender: tuple[str, str] | None = None,
                    **values: Any) -> tuple[Any, dict[str, Any]]:
    """The claim's INSERT and its parameters (`values` are the row's columns), for a unit of
    its own (`Database.run_one`); with `sender` (channel, external id) its RETURNING also
    says whether no identity has that address. Read its row with `claimed`."""
    if sender is None:
        return _CLAIM, values
    return _CLAIM_SENDER, values | {"s_channel": sender[0], "s_id": stored_id(*sender)}


def claimed(row: Sequence[Any]) -> tuple[int, bool]:
    """The claimed row's id, and whether its sender has no identity yet (False if not
    asked)."""
    return row[0], bool(row[1]) if len(row) > 1 else False


async def claim(session: AsyncSession, sender: tuple[str, str] | None = None,
                **values: Any) -> tuple[int, bool]:
    """Store a new inbound row (`values` are its columns) in the caller's unit: its id, and
    with `sender` (channel, external id) whether no identity has that address (False
    without). The unique dedupe key raises IntegrityError here. Core, not the ORM: nothing
    reads the row back in the unit (storage.fast)."""
    stmt, params = claim_statement(sender, **values)
    return claimed((await fast.execute(session, stmt, params))[0])


def _finish_stmt(keys: frozenset[str]) -> Any:
    """The fenced UPDATE for these columns, built once (building costs more than running)."""
    stmt = _FINISH.get(keys)
    if stmt is None:
        stmt = _FINISH[keys] = (
            update(InboundMessage)
            .where(InboundMessage.id == bindparam("row_id"),
                   InboundMessage.status == "processing",
                   InboundMessage.attempts == bindparam("attempt"))
            .values(lease_until=None, **{k: bindparam(f"v_{k}") for k in sorted(keys)})
            .execution_options(synchronize_session=False))
    return stmt


async def finish(session: AsyncSession, row_id: int, attempts: int, **values: Any) -> bool:
    """Record the outcome of attempt `attempts`; False if the row was taken over since."""
    params = {"row_id": row_id, "attempt": attempts} | {f"v_{k}": v for k, v in values.items()}
    await flush_pending(session)  # the unit's pending writes first, as autoflush would
    return await fast.execute(session, _finish_stmt(frozenset(values)), params) == 1


async def retry_later(session: AsyncSession, row_id: int, attempts: int, *, until: datetime,
                      error: str) -> bool:
    """Attempt `attempts` failed and rolled back: the row waits (`deferred`) until `until`,
    when the recovery sweep (or WeChat's retry) takes it as a new attempt. Fenced like
    `finish`; False if the row was taken over since."""
    done = await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == row_id, InboundMessage.status == "processing",
               InboundMessage.attempts == attempts)
        .values(status="deferred", lease_until=until, error=error)
        .execution_options(synchronize_session=False))
    return done.rowcount == 1


async def by_key(session: AsyncSession, key: str) -> InboundMessage | None:
    return await session.scalar(_locking(
        session, select(InboundMessage).where(InboundMessage.dedupe_key == key), skip=False))


def take_over(row: InboundMessage, now: datetime, lease: timedelta) -> Claimed:
    """Claim a row whose worker died (or whose flood slot came): a new attempt, a new lease."""
    row.status, row.attempts, row.lease_until = "processing", row.attempts + 1, now + lease
    return Claimed(row.id, row.dedupe_key, row.channel, row.raw, row.attempts)


def claimable(row: InboundMessage, now: datetime) -> bool:
    """A `processing` row whose lease ran out, or a `deferred` one whose slot has come."""
    if row.status == "processing":
        return row.lease_until is None or row.lease_until < now
    return row.status == "deferred" and (row.lease_until is None or row.lease_until <= now)


async def claim_due(session: AsyncSession, now: datetime, lease: timedelta,
                    limit: int) -> list[Claimed]:
    """Take over up to `limit` claimable rows, oldest first (a sender's deferred messages are
    processed in the order they came)."""
    lapsed = or_(InboundMessage.lease_until.is_(None), InboundMessage.lease_until < now)
    due = or_(InboundMessage.lease_until.is_(None), InboundMessage.lease_until <= now)
    stmt = (select(InboundMessage)
            .where(or_(and_(InboundMessage.status == "processing", lapsed),
                       and_(InboundMessage.status == "deferred", due)))
            .order_by(InboundMessage.id).limit(limit))
    rows = (await session.scalars(_locking(session, stmt, skip=True))).all()
    return [take_over(row, now, lease) for row in rows]


async def take_back_reply(session: AsyncSession, row: InboundMessage, at: datetime) -> bool:
    """The reply of `row` went to the outbox: take it back if it has not gone out yet (it is
    answered passively to the retry instead). False if it is sent or being sent."""
    if row.reply_outbox_id is None:
        return True
    queued = await session.scalar(_locking(
        session, select(Outbox).where(Outbox.id == row.reply_outbox_id), skip=False))
    if queued is None or queued.state not in ("pending", "held"):
        return False
    queued.state, queued.sent_at = "sent", at
    queued.last_error = "delivered as the passive reply to a WeChat retry"
    return True

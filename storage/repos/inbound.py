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

from sqlalchemy import Integer, String, and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from storage import fast
from storage.db import BEFORE_COMMIT, flush_pending
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
_CLAIM_SENDER_KEYS = frozenset((*("dedupe_key", "channel", "from_user", "msg_type", "raw",
                                  "created_at", "attempts", "status", "lease_until"),
                                "s_channel", "s_id"))


def claim_statement(sender: tuple[str, str] | None = None,
                    **values: Any) -> tuple[Any, dict[str, Any]]:
    """The claim's INSERT and its parameters (`values` are the row's columns), for a unit of
    its own (`Database.run_one`); with `sender` (channel, external id) its RETURNING also
    says whether no identity has that address. Read its row with `claimed`."""
    if sender is None:
        return _CLAIM, values
    return _CLAIM_SENDER, values | {"s_channel": sender[0], "s_id": stored_id(*sender)}


# the claim's columns, as the gateway gives them, in the order of the multi-row claim's arrays
_CLAIM_COLUMNS = ("dedupe_key", "channel", "from_user", "msg_type", "raw", "created_at",
                  "attempts", "status", "lease_until")
_CLAIM_MANY: list[Any] = []


def _claim_many_stmt() -> Any:
    """PostgreSQL: the claims of a burst as one INSERT of unnested arrays (one prepared
    plan whatever their number), each row with its position (`ord`): RETURNING the position,
    the id and whether the sender has no identity, as `_CLAIM_SENDER` for one row."""
    if _CLAIM_MANY:
        return _CLAIM_MANY[0]
    table = InboundMessage.__table__
    names = (*_CLAIM_COLUMNS, "s_channel", "s_id")
    types = [table.c[n].type for n in _CLAIM_COLUMNS] + [String(), String()]
    rows = func.unnest(*[bindparam(f"a_{n}", type_=postgresql.ARRAY(t))
                         for n, t in zip(names, types, strict=True)],
                       bindparam("a_ord", type_=postgresql.ARRAY(Integer))
                       ).table_valued(*names, "ord").render_derived()
    new = select(*[rows.c[n] for n in (*names, "ord")]).cte("v")
    ins = (insert(InboundMessage).from_select(list(_CLAIM_COLUMNS),
                                              select(*[new.c[n] for n in _CLAIM_COLUMNS])
                                              .order_by(new.c.ord))
           .returning(InboundMessage.id, InboundMessage.dedupe_key).cte("ins"))
    absent = ~exists().where(Identity.channel == new.c.s_channel,
                             Identity.external_id == new.c.s_id)
    stmt = (select(new.c.ord, ins.c.id, absent)
            .select_from(ins.join(new, new.c.dedupe_key == ins.c.dedupe_key))
            .order_by(new.c.ord))
    _CLAIM_MANY.append(stmt)
    return stmt


async def claim_many(session: AsyncSession, params: Sequence[dict[str, Any]]
                     ) -> list[tuple[Any, ...]] | None:
    """PostgreSQL: several claims (each `claim_statement(sender, ...)`'s parameters) as one
    statement in the caller's transaction; each claim's row as `_CLAIM_SENDER` returns it,
    in the order given. None (nothing done) for claims of another shape, or on SQLite.
    A dedupe key already claimed raises IntegrityError for them all, as one of them would
    in the caller's transaction anyway."""
    if session.get_bind().dialect.name != "postgresql" or any(
            p.keys() != _CLAIM_SENDER_KEYS for p in params):
        return None
    arrays: dict[str, Any] = {f"a_{n}": [p[n] for p in params]
                              for n in (*_CLAIM_COLUMNS, "s_channel", "s_id")}
    arrays["a_ord"] = list(range(len(params)))
    found = await fast.execute(session, _claim_many_stmt(), arrays)
    if len(found) != len(params):  # never: each row is inserted or the statement fails
        raise RuntimeError(f"{len(params)} claims, {len(found)} rows back")
    return [tuple(row[1:]) for row in found]


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


async def finish(session: AsyncSession, row_id: int, attempts: int, *, later: bool = False,
                 **values: Any) -> bool:
    """Record the outcome of attempt `attempts`; False if the row was taken over since.

    `later`: in a PostgreSQL burst of several units (storage.pg_group), the outcome is
    written with the other units' at the end of the burst, as one statement before its
    COMMIT (`finish_later`), and True is answered now; if any of the rows was taken over
    meanwhile, that statement fails the burst and each unit runs again alone, where this
    call answers False as it would have here. Only the unit's last statement may be
    deferred so (nothing after it may read the row)."""
    hooks = session.info.get(BEFORE_COMMIT) if later else None
    if hooks is not None and frozenset(values) == _DONE_KEYS:
        deferred = session.info.setdefault(DEFERRED_DONE, [])
        if not deferred:
            hooks.append(finish_later)
        deferred.append({"id": row_id, "attempt": attempts, **values})
        await flush_pending(session)  # the unit's pending writes, as the statement would
        return True
    params = {"row_id": row_id, "attempt": attempts} | {f"v_{k}": v for k, v in values.items()}
    await flush_pending(session)  # the unit's pending writes first, as autoflush would
    return await fast.execute(session, _finish_stmt(frozenset(values)), params) == 1


# session.info key of a PostgreSQL burst's deferred outcomes (a list, set by storage.pg_group)
DEFERRED_DONE = "inbound.deferred_done"
_DONE_KEYS = frozenset(("status", "reply", "processed_at", "reply_outbox_id"))
_DONE_MANY: list[Any] = []


class TakenOver(Exception):
    """A deferred outcome's row was taken over during the burst: the burst rolls back."""


def _done_many_stmt() -> Any:
    if _DONE_MANY:
        return _DONE_MANY[0]
    table = InboundMessage.__table__
    names = ("id", "attempt", *sorted(_DONE_KEYS))
    types = [Integer(), Integer(), *[table.c[k].type for k in sorted(_DONE_KEYS)]]
    rows = func.unnest(*[bindparam(f"d_{n}", type_=postgresql.ARRAY(t))
                         for n, t in zip(names, types, strict=True)]
                       ).table_valued(*names).render_derived()
    stmt = (update(InboundMessage)
            .where(InboundMessage.id == rows.c.id, InboundMessage.status == "processing",
                   InboundMessage.attempts == rows.c.attempt)
            .values(lease_until=None, **{k: rows.c[k] for k in sorted(_DONE_KEYS)})
            .execution_options(synchronize_session=False))
    _DONE_MANY.append(stmt)
    return stmt


async def finish_later(session: AsyncSession) -> None:
    """Write the outcomes deferred in this burst (`finish(later=True)`) as one statement;
    TakenOver if fewer rows than outcomes were still this attempt's to finish."""
    deferred = session.info.get(DEFERRED_DONE)
    if not deferred:
        return
    names = ("id", "attempt", *sorted(_DONE_KEYS))
    params = {f"d_{n}": [d[n] for d in deferred] for n in names}
    deferred.clear()  # taken now: a burst that fails here reruns its units alone
    done = await fast.execute(session, _done_many_stmt(), params)
    if done != len(params["d_id"]):
        raise TakenOver(f"{len(params['d_id']) - done} of {len(params['d_id'])} taken over")


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

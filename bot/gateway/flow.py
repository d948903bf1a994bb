"""What happens to a verified callback: claim its dedupe key, apply flood control, run the
dispatcher in one unit of work, and answer within the reply budget.

The budget contract (WeChat hangs up after 5 s and resends): the unit and the gateway share a
`Handle`. The unit, once it has the reply, either sees `late` (the gateway has already answered
`success`) and writes the reply to the outbox in the same transaction, or sets `decided` (the
gateway will wait for the commit and answer passively). Both checks are synchronous, so on one
event loop exactly one of the two happens: the reply is delivered once.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.gateway.flood_shared import SharedFloodGuard
from bot.gateway.ratelimit import FloodGuard, Verdict
from bot.runtime import Runtime
from handlers.conversation.types import Update
from storage import outbox
from storage.models import InboundMessage

logger = logging.getLogger(__name__)

BUSY = "系统繁忙，您的消息已收到，我们会尽快处理。"
FLOOD_NOTICE = "您发送得太频繁了，请稍后再试。您之前的消息我们都已收到。"
MAX_KEY = 255  # width of inbound_messages.dedupe_key
# events WeChat cannot take a passive reply to: whatever the dispatcher says goes as a push
UNANSWERABLE = {"location"}
T = TypeVar("T")


@dataclass
class Handle:
    late: bool = False  # the gateway answered without the reply: it goes to the outbox
    decided: bool = False  # the unit chose the passive reply: the gateway waits for the commit
    kind: str = "passive"  # for the latency metric: passive|late|duplicate|refused|failed


def storage_key(update: Update) -> str:
    """The dedupe key, hashed when it would not fit the column (a VIEW event's URL)."""
    key = update.dedupe_key
    if len(key) <= MAX_KEY:
        return key
    return f"{key[:180]}#{hashlib.sha256(key.encode()).hexdigest()}"


def counts_for_flood(update: Update) -> bool:
    """What a person sends: messages and menu clicks. Other events come from WeChat (follow,
    location reports, template receipts) and unsubscribe must always reach its handler."""
    return update.type != "event" or (update.event or "").upper() == "CLICK"


def _settle(session: AsyncSession, handle: Handle, update: Update, reply: str | None,
            at: datetime) -> None:
    if handle.late:
        if reply:
            outbox.enqueue(session, channel=update.channel, recipient=update.sender,
                           text=reply, at=at)
    else:
        handle.decided = True


async def _maybe(value: T | Awaitable[T]) -> T:
    """The in-memory guard answers at once, the shared one (Redis) is awaited."""
    return await value if inspect.isawaitable(value) else value  # type: ignore[return-value]


class Inbound:
    """Per-app (per-worker) state of the gateway: in-flight keys, flood guard, late tasks.
    It works with `runtime`'s database, clock and dispatcher, and wakes its loops."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        server = runtime.settings.server
        self.budget = server.reply_budget_seconds
        self.flood: FloodGuard | SharedFloodGuard = (
            SharedFloodGuard.from_url(server.redis_url, server.messages_per_minute)
            if server.flood_store == "redis" else FloodGuard(server.messages_per_minute))
        self.inflight: set[str] = set()
        self.tasks: set[asyncio.Task[str | None]] = set()

    async def handle(self, update: Update, raw_xml: str) -> str | None:
        """The passive reply text, or None for "nothing now" (`success` / empty body)."""
        start = time.perf_counter()
        handle = Handle(late=(update.event or "").lower() in UNANSWERABLE)
        try:
            return await self._answer(update, raw_xml, handle)
        finally:
            kind = "late" if handle.late and handle.kind == "passive" else handle.kind
            metrics.GATEWAY.labels(update.channel, kind).observe(time.perf_counter() - start)

    async def _answer(self, update: Update, raw_xml: str, handle: Handle) -> str | None:
        key = storage_key(update)
        if key in self.inflight:
            logger.info("retry of %s while the first is still being processed: ignored", key)
            handle.kind = "duplicate"
            return None
        self.inflight.add(key)
        task = asyncio.create_task(self._pipeline(update, raw_xml, key, handle),
                                   name=f"inbound {key}")
        self.tasks.add(task)

        def done(t: asyncio.Task[str | None]) -> None:
            self.tasks.discard(t)
            self.inflight.discard(key)

        task.add_done_callback(done)
        try:
            finished, _ = await asyncio.wait({task}, timeout=self.budget)
        except asyncio.CancelledError:  # the connection went away: the reply must not be lost
            if not handle.decided:
                handle.late = True
            raise
        if finished:
            return None if handle.late else task.result()
        if not handle.decided:
            handle.late = True
            logger.info("%s took longer than %.1f s: answered now, the reply goes by push",
                        key, self.budget)
            return None
        return await asyncio.shield(task)  # decided: only the commit is left

    async def _pipeline(self, update: Update, raw_xml: str, key: str,
                        handle: Handle) -> str | None:
        db, clock = self.runtime.db, self.runtime.clock
        now = clock.now()
        flood_key = (update.channel, update.sender)
        verdict = await _maybe(self.flood.hit(flood_key, now)) if counts_for_flood(update) \
            else Verdict.ACCEPT
        notice = FLOOD_NOTICE if verdict is Verdict.NOTICE else None

        async def claim(session: AsyncSession) -> int:
            row = InboundMessage(
                dedupe_key=key, channel=update.channel, from_user=update.sender,
                msg_type=update.type, raw=raw_xml, created_at=now,
                status="processing" if verdict is Verdict.ACCEPT else "ignored",
                reply=notice, processed_at=None if verdict is Verdict.ACCEPT else now)
            session.add(row)
            await session.flush()  # the unique key fails here, inside this unit
            if verdict is not Verdict.ACCEPT:
                _settle(session, handle, update, notice, now)
            return row.id

        try:
            row_id = await db.run(claim)
        except IntegrityError:
            await _maybe(self.flood.release(flood_key, verdict, now))
            logger.info("duplicate of %s (a WeChat retry): already received", key)
            handle.kind = "duplicate"
            return None
        except Exception:
            logger.exception("could not store inbound %s", key)
            handle.kind = "failed"
            return BUSY
        if verdict is not Verdict.ACCEPT:
            handle.kind = "refused"
            logger.info("%s:%s over %d messages a minute: %s", update.channel, update.sender,
                        self.flood.limit, "notice sent" if notice else "ignored (stored)")
            self._wake()
            return notice

        async def process(session: AsyncSession) -> str | None:
            reply = await self.runtime.dispatcher.handle(session, update)
            at = clock.now()
            await session.execute(sa_update(InboundMessage).where(InboundMessage.id == row_id)
                                  .values(status="done", reply=reply, processed_at=at))
            _settle(session, handle, update, reply, at)
            return reply

        try:
            reply = await db.run(process)
        except Exception as exc:
            logger.exception("processing %s failed; the message is stored", key)
            handle.kind = "failed"
            await self._fail(row_id, update, handle, exc)
            return BUSY
        self._wake()
        return reply

    async def _fail(self, row_id: int, update: Update, handle: Handle,
                    exc: Exception) -> None:
        clock = self.runtime.clock
        error = f"{type(exc).__name__}: {exc}"[:2000]

        async def mark(session: AsyncSession) -> None:
            at = clock.now()
            await session.execute(sa_update(InboundMessage).where(InboundMessage.id == row_id)
                                  .values(status="failed", error=error, reply=BUSY,
                                          processed_at=at))
            _settle(session, handle, update, BUSY, at)

        try:
            await self.runtime.db.run(mark)
        except Exception:
            logger.exception("could not mark inbound %d failed", row_id)
        self._wake()

    def _wake(self) -> None:
        # the dispatcher may have queued notices (or the reply went late) or media to fetch
        # before its id expires: let the background loops look now rather than at their poll
        self.runtime.wake()

    async def drain(self, grace: float) -> None:
        """Wait for late units (shutdown, tests); cancel what still runs after `grace` s."""
        pending = set(self.tasks)
        if not pending:
            return
        _, still = await asyncio.wait(pending, timeout=grace)
        for task in still:
            logger.warning("cancelling %s at shutdown", task.get_name())
            task.cancel()
        if still:
            await asyncio.wait(still, timeout=1)

"""What happens to a verified callback: claim its dedupe key under a lease, apply flood
control, run the dispatcher in one unit of work, and answer within the reply budget.

Exactly once, whatever is killed when. The claim (the row, `processing` with a lease and an
attempt number) commits before any work, so an acknowledged message is never lost; the work
commits together with the row's outcome, fenced by that attempt, so it is never done twice. A row
whose lease ran out (its worker died) is taken over by the recovery sweep or by WeChat's retry;
a retry of a message already processed is answered with its stored reply (taken back from the
outbox if it went late and is still unsent, so it is not delivered twice).

The budget contract (WeChat hangs up after 5 s and resends): the unit and the gateway share a
`Handle`. The unit, once it has the reply, either sees `late` (the gateway has already answered
`success`) and writes the reply to the outbox in the same transaction, or sets `decided` (the
gateway will wait for the commit and answer passively). Both checks are synchronous, so on one
event loop exactly one of the two happens: the reply is delivered once.

Flood: a sender over the per-minute limit is slowed, not dropped (`bot.gateway.ratelimit`): the
message is stored `deferred` until its slot and the sweep processes it then.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import logging
import time
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.channels.loop import first_of
from bot.gateway.crypto import Rejected
from bot.gateway.flood_shared import SharedFloodGuard
from bot.gateway.message import to_update
from bot.gateway.ratelimit import FloodCounter, FloodGuard, Slot
from bot.runtime import Runtime
from handlers.conversation.types import Update
from handlers.ops.privacy import mask_phones, tag
from storage import outbox
from storage.db import UNIT_KIND
from storage.models import Identity, Person
from storage.queue import Backoff
from storage.repos import attachments as attachment_rows
from storage.repos import inbound as repo
from storage.repos import people

logger = logging.getLogger(__name__)

BUSY = "系统繁忙，您的消息已收到，我们会尽快处理。"
FLOOD_NOTICE = ("您发送得太快了，请稍候。您的消息都已收到，我们会按顺序逐条处理，"
                "处理结果会陆续告诉您，请不要重复发送。")
MAX_KEY = 255  # width of inbound_messages.dedupe_key
MAX_ATTEMPTS = 5  # a message that kills its worker this often is failed, not retried forever
# a unit that failed (and rolled back) is tried again after 5, 10, 20, 40 s: a database that
# went away for a moment, a connection killed under it
RETRY = Backoff(base_seconds=5)
GAVE_UP = ("很抱歉，您{what}系统多次处理都没有成功。请稍后重新发送一次；"
           "情况紧急请直接拨打 110、119 或 120。")


def gave_up_text(update: Update | None) -> str:
    """What the resident hears when their message is given up: which one, and what to do."""
    words = mask_phones(" ".join((update.text or "").split()))[:20] if update else ""
    return GAVE_UP.format(what=f"发送的消息「{words}」" if words else "刚才发送的消息")
SWEEP_BATCH = 20
SWEEP_SECONDS = 1.0
STAFF_ROLES = ("officer", "liaison", "leader", "department", "admin")
# events WeChat cannot take a passive reply to: whatever the dispatcher says goes as a push
UNANSWERABLE = {"location"}
T = TypeVar("T")


class Fenced(Exception):
    """The row was taken over while this unit ran: its work rolls back."""


class NotStored(Exception):
    """The message could not be stored (the database is locked or down): it must not be
    acknowledged, so WeChat sends it again instead of it vanishing."""


@dataclass
class Handle:
    late: bool = False  # the gateway answered without the reply: it goes to the outbox
    decided: bool = False  # the unit chose the passive reply: the gateway waits for the commit
    stored: bool = False  # the message is in the database: it may be acknowledged
    kind: str = "passive"  # for the latency metric: passive|late|duplicate|held|failed
    # set once the claim has an outcome (stored or not): a concurrent copy waits on it
    settled: asyncio.Event = field(default_factory=asyncio.Event)

    def store_outcome(self, stored: bool) -> None:
        self.stored = stored
        self.settled.set()


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
            at: datetime) -> outbox.Outbox | None:
    if handle.late:
        if reply:
            return outbox.enqueue(session, channel=update.channel, recipient=update.sender,
                                  text=reply, at=at)
    else:
        handle.decided = True
    return None


async def _maybe(value: T | Awaitable[T]) -> T:
    """The in-memory guard answers at once, the shared one (Redis) is awaited."""
    return await value if inspect.isawaitable(value) else value  # type: ignore[return-value]


class Inbound:
    """Per-app (per-worker) state of the gateway: in-flight keys, flood guard, late tasks.
    It works with `runtime`'s database, clock and dispatcher, and wakes its loops."""

    def __init__(self, runtime: Runtime, flood: FloodCounter | None = None) -> None:
        self.runtime = runtime
        server = runtime.settings.server
        self.budget = server.reply_budget_seconds
        self.lease = timedelta(seconds=server.inbound_lease_seconds)
        self.limit, self.staff_limit = server.messages_per_minute, server.staff_messages_per_minute
        self.flood: FloodCounter = flood or (
            SharedFloodGuard.from_url(server.redis_url) if server.flood_store == "redis"
            else FloodGuard())
        self.inflight: dict[str, Handle] = {}  # key → its handle, while a unit runs here
        self.tasks: set[asyncio.Task[str | None]] = set()
        self._keys: dict[asyncio.Task[str | None], str] = {}  # each task's dedupe key
        self._wake_sweep = asyncio.Event()
        self._stop = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None

    async def handle(self, update: Update, raw_xml: str) -> str | None:
        """The passive reply text, or None for "nothing now" (`success` / empty body)."""
        start = time.perf_counter()
        handle = Handle(late=(update.event or "").lower() in UNANSWERABLE)
        try:
            return await self._answer(update, raw_xml, handle)
        finally:
            kind = "late" if handle.late and handle.kind == "passive" else handle.kind
            metrics.GATEWAY_BY(update.channel, kind).observe(time.perf_counter() - start)

    async def _answer(self, update: Update, raw_xml: str, handle: Handle) -> str | None:
        key = storage_key(update)
        first = self.inflight.get(key)
        if first is not None:
            if not first.stored:  # a copy while the first is being stored: wait for that
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(first.settled.wait(), self.budget)
            if not first.stored:  # not stored within the budget: not acknowledged
                handle.kind = "failed"
                raise NotStored
            logger.info("retry of %s while the first is still being processed: ignored",
                        tag_key(key))
            handle.kind = "duplicate"
            return None
        task = self._start(key, self._pipeline(update, raw_xml, key, handle), handle)
        try:
            finished, _ = await asyncio.wait({task}, timeout=self.budget)
        except asyncio.CancelledError:  # the connection went away: the reply must not be lost
            if not handle.decided:
                handle.late = True
            raise
        if finished:
            reply = task.result()  # NotStored goes up: the gateway answers 503
            return None if handle.late else reply
        if not handle.stored:  # acknowledging now could lose it; the unit goes on meanwhile
            handle.late = True
            handle.kind = "failed"
            logger.warning("%s not stored within %.1f s: not acknowledged", tag_key(key),
                           self.budget)
            raise NotStored
        if not handle.decided:
            handle.late = True
            logger.info("%s took longer than %.1f s: answered now, the reply goes by push",
                        tag_key(key), self.budget)
            return None
        return await asyncio.shield(task)  # decided: only the commit is left

    def _start(self, key: str, work: Coroutine[Any, Any, str | None],
               handle: Handle) -> asyncio.Task[str | None]:
        self.inflight[key] = handle
        # unnamed: a name with the key's tag hashed the sender's id for every message, for
        # the shutdown's log line only (drain names what it cancels)
        task = asyncio.create_task(work)
        self.tasks.add(task)
        self._keys[task] = key

        def done(t: asyncio.Task[str | None]) -> None:
            self.tasks.discard(t)
            self._keys.pop(t, None)
            self.inflight.pop(key, None)
            handle.settled.set()  # however it ended, nobody waits on it any longer

        task.add_done_callback(done)
        return task

    async def _slot(self, update: Update, now: datetime) -> Slot:
        if not counts_for_flood(update):
            return Slot(now)
        key = (update.channel, update.sender)
        limit = self.staff_limit if update.channel == "work" else self.limit
        if limit < self.staff_limit and await _maybe(self.flood.would_wait(key, now, limit)) \
                and await self._is_staff(update.sender):
            limit = self.staff_limit
        return await _maybe(self.flood.slot(key, now, limit))

    async def _is_staff(self, openid: str) -> bool:
        """A bound officer on the Official Account works a backlog like on WeCom."""
        async def roles(session: AsyncSession) -> list[str]:
            found = await session.scalar(
                select(Person.roles).join(Identity, Identity.person_id == Person.id)
                .where(Identity.channel == "mp", Identity.external_id == openid))
            return list(found or [])

        try:
            return any(r in STAFF_ROLES for r in await self.runtime.db.read(roles))
        except Exception:  # noqa: BLE001 - a resident's limit is the safe answer
            logger.warning("could not look up the roles of a flooding sender", exc_info=True)
            return False

    async def _pipeline(self, update: Update, raw_xml: str, key: str,
                        handle: Handle) -> str | None:
        db, clock = self.runtime.db, self.runtime.clock
        UNIT_KIND.set("claim")  # this task's units until _process: storing the callback
        now = clock.now()
        slot = await self._slot(update, now)
        deferred = slot.waits(now)
        notice = FLOOD_NOTICE if slot.notice else None

        row = dict(dedupe_key=key, channel=update.channel, from_user=update.sender,
                   msg_type=update.type, raw=raw_xml, created_at=now, attempts=1,
                   status="deferred" if deferred else "processing",
                   lease_until=slot.at if deferred else now + self.lease)

        async def claim_deferred(session: AsyncSession) -> tuple[int, bool]:
            found = await repo.claim(session, None, **row)
            _settle(session, handle, update, notice, now)
            return found

        try:
            if deferred:
                row_id, new_sender = await db.run(claim_deferred)
            else:
                # one statement, committed alone (on PostgreSQL autocommitted, without a
                # session); it also tells whether the sender is new: the work then skips
                # that query
                stmt, params = repo.claim_statement((update.channel, update.sender), **row)
                row_id, new_sender = repo.claimed(
                    (await db.run_one(stmt, params, fold=repo.claim_many))[0])
        except IntegrityError:
            handle.store_outcome(True)  # by the first delivery
            handle.kind = "duplicate"
            await _maybe(self.flood.release((update.channel, update.sender), slot))
            return await self._retry(update, key, handle)
        except Exception as exc:
            logger.error("could not store inbound %s (%s): not acknowledged, WeChat resends",
                         tag_key(key), type(exc).__name__, exc_info=True)
            handle.kind = "failed"
            handle.store_outcome(False)
            raise NotStored from exc
        handle.store_outcome(True)
        if deferred:
            handle.kind = "held"  # stored, processed at its slot: not refused
            logger.info("%s over its flood limit: processed at %s%s", tag_key(key),
                        slot.at.isoformat(timespec="seconds"), " (notice sent)" if notice else "")
            self._wake_sweep.set()
            return notice
        return await self._process(row_id, 1, update, key, handle, new_sender=new_sender)

    async def _retry(self, update: Update, key: str, handle: Handle) -> str | None:
        """A second callback with a claimed key (WeChat's retry, or a resend after a crash)."""
        now = self.runtime.clock.now()

        async def look(session: AsyncSession) -> tuple[str, str | None, repo.Claimed | None]:
            row = await repo.by_key(session, key)
            if row is None:
                return "gone", None, None
            if row.status in ("done", "failed"):
                if handle.late or not await repo.take_back_reply(session, row, now):
                    return "answered", None, None  # the reply is (being) pushed: not twice
                handle.decided = True
                return "answered", row.reply, None
            if not repo.claimable(row, now):
                return "busy", None, None
            return "taken", None, repo.take_over(row, now, self.lease)

        outcome, reply, claimed = await self.runtime.db.run(look)
        logger.info("retry of %s: %s", tag_key(key), outcome)
        if claimed is None:
            return reply
        return await self._process(claimed.id, claimed.attempts, update, key, handle)

    async def _process(self, row_id: int, attempts: int, update: Update, key: str,
                       handle: Handle, new_sender: bool = False) -> str | None:
        clock = self.runtime.clock
        hint = {"new": new_sender}

        async def process(session: AsyncSession) -> str | None:
            if hint.pop("new", False):  # once: a rerun of this unit asks the database
                hint["used"] = True
                people.known_absent(session, update.channel, update.sender)
            reply = await self.runtime.dispatcher.handle(session, update)
            hint["media"] = attachment_rows.media_work(session)
            at = clock.now()
            queued = _settle(session, handle, update, reply, at)
            if queued is not None:
                await session.flush()
            # later: in a PostgreSQL burst, with the other units' outcomes before its COMMIT
            if not await repo.finish(session, row_id, attempts, later=True, status="done",
                                     reply=reply, processed_at=at,
                                     reply_outbox_id=queued.id if queued else None):
                raise Fenced
            return reply

        kind = UNIT_KIND.set("message")
        sender = (update.channel, update.sender)  # the dispatcher's lock, first in the unit
        try:
            try:
                try:
                    reply = await self.runtime.db.run(process, sender=sender)
                except IntegrityError:
                    if not hint.get("used"):
                        raise
                    # the sender's identity appeared since the claim (another message of theirs
                    # made it): again, reading it this time
                    reply = await self.runtime.db.run(process, sender=sender)
            except Fenced:
                logger.warning("%s was taken over while it was processed: rolled back here",
                               tag_key(key))
                return None
            except Exception as exc:
                logger.error("processing %s failed; the message is stored (%s)", tag_key(key),
                             type(exc).__name__, exc_info=True)
                handle.kind = "failed"
                await self._fail(row_id, attempts, update, handle, exc)
                return BUSY
            self._wake(media=bool(hint.get("media")))
            return reply
        finally:
            UNIT_KIND.reset(kind)

    async def _fail(self, row_id: int, attempts: int, update: Update, handle: Handle,
                    exc: Exception) -> None:
        """The unit failed and rolled back. Until MAX_ATTEMPTS it is tried again after a
        back-off (a few seconds of database trouble must not leave an acknowledged report
        undone: trial 13 lost 103 that way); the resident hears BUSY once, at the first
        failure. After the last attempt the row is `failed` and the resident is told to send
        it again (GAVE_UP), not left waiting on «我们会尽快处理»."""
        clock = self.runtime.clock
        error = mask_phones(f"{type(exc).__name__}: {exc}")[:2000]
        again = attempts < MAX_ATTEMPTS

        async def mark(session: AsyncSession) -> None:
            at = clock.now()
            if again:
                queued = _settle(session, handle, update, BUSY, at) if attempts == 1 else None
                if queued is not None:
                    await session.flush()
                await repo.retry_later(session, row_id, attempts, until=at + RETRY.delay(attempts),
                                       error=error)
                return
            said = gave_up_text(update)
            queued = _settle(session, handle, update, said, at)
            if queued is not None:
                await session.flush()
            await repo.finish(session, row_id, attempts, status="failed", error=error,
                              reply=said, processed_at=at,
                              reply_outbox_id=queued.id if queued else None)

        try:
            await self.runtime.db.run(mark)
        except Exception:  # the row stays `processing`: the sweep takes it when its lease ends
            logger.exception("could not mark inbound %d failed", row_id)
        else:
            metrics.INBOUND_FAILURES.labels("retried" if again else "given_up").inc()
            if again:
                logger.warning("inbound %d: attempt %d failed, tried again in %.0f s", row_id,
                               attempts, RETRY.delay(attempts).total_seconds())
        self._wake()  # the sweep (every SWEEP_SECONDS) takes the row when it is due

    # -- recovery -----------------------------------------------------------------------------
    async def sweep_once(self) -> int:
        """Process rows whose worker died and deferred rows whose slot came; the number taken."""
        UNIT_KIND.set("recovery")  # the sweep's own claims; each message's work is "message"
        now = self.runtime.clock.now()
        claimed = await self.runtime.db.run(
            lambda s: repo.claim_due(s, now, self.lease, SWEEP_BATCH))
        for item in claimed:
            if item.key in self.inflight:  # this worker is still on it (slow, not dead)
                continue
            if item.attempts > MAX_ATTEMPTS:
                await self._give_up(item)
                continue
            try:
                update = to_update(item.channel, item.raw)  # type: ignore[arg-type]
            except Rejected as exc:
                await self._give_up(item, exc.reason)
                continue
            handle = Handle(late=True, stored=True)
            task = self._start(item.key, self._process(item.id, item.attempts, update,
                                                       item.key, handle), handle)
            await asyncio.wait({task})  # one at a time: a sender's messages stay in order
        if claimed:
            logger.info("recovery: took over %d inbound message(s)", len(claimed))
        return len(claimed)

    async def _give_up(self, item: repo.Claimed, reason: str = "too many attempts") -> None:
        logger.error("inbound %d failed after %d attempts: %s", item.id, item.attempts - 1,
                     reason)
        now = self.runtime.clock.now()
        try:
            update: Update | None = to_update(item.channel, item.raw)  # type: ignore[arg-type]
        except Rejected:
            update = None

        async def mark(session: AsyncSession) -> None:
            queued = (_settle(session, Handle(late=True), update, gave_up_text(update), now)
                      if update is not None else None)
            if queued is not None:
                await session.flush()
            await repo.finish(session, item.id, item.attempts, status="failed", error=reason,
                              reply=gave_up_text(update), processed_at=now,
                              reply_outbox_id=queued.id if queued else None)

        await self.runtime.db.run(mark)
        metrics.INBOUND_FAILURES.labels("given_up").inc()

    def start_recovery(self) -> None:
        self._stop = asyncio.Event()
        self._sweeper = asyncio.create_task(self.run(self._stop), name="inbound-recovery")

    async def stop_recovery(self) -> None:
        if self._sweeper is not None:
            self._stop.set()
            self._wake_sweep.set()
            await asyncio.wait({self._sweeper}, timeout=5)
            self._sweeper = None

    async def run(self, stop: asyncio.Event) -> None:
        """The recovery sweep, until `stop`."""
        while not stop.is_set():
            self._wake_sweep.clear()
            try:
                busy = await self.sweep_once() >= SWEEP_BATCH
            except Exception:  # the loop must outlive a database hiccup
                logger.exception("inbound recovery sweep failed")
                busy = False
            if not busy:
                await first_of(self._wake_sweep, stop, seconds=SWEEP_SECONDS)

    def _wake(self, *, media: bool = False) -> None:
        # the dispatcher may have queued notices (or the reply went late), and media to fetch
        # before its id expires or files to delete (a unit that made such work says so): let
        # the loops that have work look now rather than at their poll
        if media:
            self.runtime.wake()
        else:
            self.runtime.wake_sender()

    async def drain(self, grace: float) -> None:
        """Wait for late units (shutdown, tests); cancel what still runs after `grace` s.
        A cancelled unit rolls back and its row stays `processing`: the next sweep takes it."""
        pending = set(self.tasks)
        if not pending:
            return
        _, still = await asyncio.wait(pending, timeout=grace)
        for task in still:
            logger.warning("cancelling inbound %s at shutdown", tag_key(self._keys.get(task, "")))
            task.cancel()
        if still:
            await asyncio.wait(still, timeout=1)


def tag_key(key: str) -> str:
    """A dedupe key fit for a log line: the sender's openid hashed, the rest kept."""
    channel, _, rest = key.partition(":")
    sender, sep, tail = rest.partition(":")
    return f"{channel}:{tag(sender)}{sep}{tail}" if sep else f"{channel}:{tag(rest)}"

"""The outbox sender: claims due notices, sends them outside any transaction, records the outcome.

The outbox is a `storage.queue.LeasedQueue`: due rows (`pending`, or `sending` whose lease ran
out because the worker sending them stopped) become `sending` with a lease, so two workers never
claim one row. The outcome is settled per row right after its send, guarded by the claimed
state and attempt count, so a row is sent again only when a worker died mid-send (at least
once, never twice otherwise).

Per-recipient rules are decided at claim time: the Official Account's customer-service window
(5 pushes within 48 h of the person's last message; closed → template message when configured,
else `held` for the next reply) and WeCom's pace per member (`wechat.work.max_per_minute`: rows
over the pace wait, they do not fail). Rows for one recipient go out one after another, urgent
ones (an urgent ticket's notices, escalations: `Outbox.priority`) first, each priority in id
order. When `outbox.fold_after` notices of one priority wait for the pace of one member, they
are folded into digest messages (one line a notice, `handlers.ops.messages.digests`), which
take their place in the line: a typhoon's hundreds of pages arrive in minutes, not an hour.

No head-of-line blocking: recipients with a row in flight are left out in the claim's query, so
one stuck recipient never holds back the due rows of others. A lease scales with what the
claimed rows can take: the send budget (timeout × tries, twice: a token fetch may come first)
times the row's place in its recipient's line, so a dead worker's rows come back within
seconds, not minutes. A graceful stop finishes the sends in flight and releases the rest.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import metrics
from bot.channels import SendResult, failure
from bot.channels.loop import PollLoop
from bot.channels.mp import MpClient
from bot.channels.work import WorkClient
from handlers.ops import messages as msg
from handlers.ops.notices import relay_held
from handlers.ops.privacy import tag
from storage import dialect, outbox
from storage.clock import Clock
from storage.config import Settings
from storage.db import Database
from storage.models import Identity, Outbox
from storage.queue import Backoff, LeasedQueue

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=48)
WINDOW_PUSHES = outbox.WINDOW_PUSHES
PACE_PERIOD = timedelta(minutes=1)
LEASE_MARGIN = timedelta(seconds=5)
PER_RECIPIENT = 10  # rows of one recipient per round (their sends are sequential)
CLAIM_LOCK = 0x6772_6964_626F_7402  # PostgreSQL advisory lock ("gridbot" + 2)
QUEUE = LeasedQueue(Outbox, due_states=("pending", "sending"), claim_lock=CLAIM_LOCK,
                    first=(Outbox.priority.desc(),))
PACED = "paced: waits for WeCom's per-member limit"  # last_error of a row the pace holds back
FOLD_MAX = 500  # rows folded at once for one member and priority


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    recipient: str
    text: str
    attempts: int  # as claimed: the outcome is written only if nobody reclaimed it since
    via: str  # custom | template (window closed) | work


@dataclass
class Claim:
    rows: list[Claimed]
    counts: Counter[str]
    more: bool = False  # due rows were left for the next round


class OutboxSender(PollLoop):
    name = "outbox drain"
    kind = "outbox"

    def __init__(self, settings: Settings, db: Database, clock: Clock, mp: MpClient,
                 work: WorkClient, *, concurrency: int = 8) -> None:
        super().__init__(batch=settings.outbox.batch, poll_seconds=settings.outbox.poll_seconds)
        self.settings, self.db, self.clock = settings, db, clock
        self.mp, self.work = mp, work
        self.send_budget = send_budget(settings)
        self.concurrency = concurrency  # recipients served at once (each in order)
        self.stopping = False
        self.backoff = Backoff(settings.outbox.backoff_seconds)
        self.counters: Counter[str] = Counter()
        self._started: set[int] = set()

    def metrics(self) -> dict[str, int]:
        """This process's counts (gridbot_sender_total on /metrics adds up all workers')."""
        return {k: self.counters[k] for k in metrics.SENDER_COUNTERS}

    def _count(self, kind: str, n: int = 1) -> None:
        if n:
            self.counters[kind] += n
            metrics.SENDER.labels(kind).inc(n)

    async def drain_once(self) -> int:
        """Claim due rows, send them, record outcomes; the number of rows settled."""
        claim = await self.db.run(self._claim)
        for kind, n in claim.counts.items():
            self._count(kind, n)
        groups: dict[tuple[str, str], list[Claimed]] = defaultdict(list)
        for item in claim.rows:
            groups[(item.channel, item.recipient)].append(item)
        try:
            await asyncio.gather(*(self._send_group(items) for items in groups.values()))
        finally:  # stopped or cancelled: what was claimed and not tried goes back at once (a
            # send cut off mid-way may have delivered: it waits for its lease, which is short)
            await self._release([i for i in claim.rows if i.id not in self._started])
            self._started.clear()
        settled = len(claim.rows) + claim.counts["held"] + claim.counts["failed"]
        return max(settled, self.batch) if claim.more else settled

    @property
    def stop_grace(self) -> float:
        """Seconds a graceful stop waits for the send in flight (one send's budget)."""
        return self.send_budget.total_seconds() / 2 + 2

    async def run(self, stop: asyncio.Event) -> None:
        waiter = asyncio.ensure_future(stop.wait())
        waiter.add_done_callback(lambda _: setattr(self, "stopping", True))
        try:
            await super().run(stop)
        finally:
            waiter.cancel()

    async def _release(self, items: list[Claimed]) -> None:
        if not items:
            return
        now = self.clock.now()

        async def unit(session: AsyncSession) -> None:
            for item in items:
                await QUEUE.settle(session, item.id, state="sending", attempts=item.attempts,
                                   values={"state": "pending", "next_attempt_at": now})

        try:
            await asyncio.shield(self.db.run(unit))
            logger.info("outbox: released %d claimed row(s) unsent", len(items))
        except Exception:  # noqa: BLE001 - their leases run out and they are claimed again
            logger.warning("outbox: could not release %d row(s)", len(items), exc_info=True)

    round = drain_once

    # -- claim ------------------------------------------------------------------------------
    async def _claim(self, session: AsyncSession) -> Claim:
        now, cfg = self.clock.now(), self.settings
        rows = await QUEUE.due(session, now, cfg.outbox.batch, ~_in_flight(now))
        claim = Claim([], Counter())
        if not rows:
            return claim
        paces = await _paces(session, now, {r.recipient for r in rows if r.channel == "work"})
        windows = await _windows(session, {r.recipient for r in rows if r.channel == "mp"})
        lines: Counter[tuple[str, str]] = Counter()  # rows kept per recipient this round
        looked: set[tuple[str, int]] = set()  # (member, priority) whose backlog was looked at
        relays: list[Outbox] = []  # urgent notices to staff held by a closed window
        for row in rows:
            if row.state == "folded":  # into a digest, a moment ago in this claim
                continue
            line = (row.channel, row.recipient)
            if line not in lines and len(lines) >= self.concurrency \
                    or lines[line] >= PER_RECIPIENT:
                claim.more = True  # left for the next round, which comes at once
                continue
            if row.state == "sending":  # the lease ran out: that worker stopped mid-send
                row.attempts += 1
                row.last_error = "reclaimed: the worker sending it stopped"
                claim.counts["reclaimed"] += 1
                if row.channel == "mp":
                    # the Official Account has no duplicate check and the POST may have gone
                    # out before the worker died: held for the resident's next reply, as after
                    # a timeout, never pushed a second time
                    row.state = "held"
                    row.last_error = "held: the worker sending it stopped, it may have gone out"
                    claim.counts["held"] += 1
                    continue
                if row.attempts >= cfg.outbox.max_attempts:
                    row.state = "failed"
                    claim.counts["failed"] += 1
                    continue
            via = row.channel
            if row.channel == "work":
                sent, free_at = paces.get(row.recipient, (0, None))
                if sent >= cfg.wechat.work.max_per_minute:
                    free = free_at or now + PACE_PERIOD
                    if (row.recipient, row.priority) not in looked:
                        looked.add((row.recipient, row.priority))
                        claim.counts["folded"] += await self._fold(session, row, free, now)
                        if row.state == "folded":
                            continue
                    if row.last_error != PACED:  # a notice held back, counted once
                        claim.counts["deferred"] += 1
                    row.state, row.next_attempt_at, row.last_error = "pending", free, PACED
                    continue
                paces[row.recipient] = (sent + 1, free_at)
            elif row.channel == "mp":
                via = "custom"
                window = windows.get(row.recipient)
                if window is not None and not _open(window, now):
                    if not cfg.wechat.mp.template_id:
                        row.state, row.last_error = "held", _why_held(window, now)
                        claim.counts["held"] += 1
                        if row.priority > outbox.ORDINARY and row.person_id:
                            relays.append(row)  # staff's urgent notice: told to stand-ins
                        continue
                    via = "template"
                elif window is not None:
                    windows[row.recipient] = (window[0], window[1] + 1)
            lines[line] += 1
            QUEUE.lease(row, now, self.send_budget * lines[line] + LEASE_MARGIN,
                        state="sending")
            claim.rows.append(Claimed(row.id, row.channel, row.recipient,
                                      str((row.payload or {}).get("text", "")), row.attempts, via))
        for row in relays:  # in the claim's transaction: held and relayed, or neither
            claim.counts["relayed"] += await relay_held(session, row, at=now)
        return claim

    async def _fold(self, session: AsyncSession, row: Outbox, free: datetime,
                    now: datetime) -> int:
        """`row`'s member is at WeCom's pace: when `outbox.fold_after` notices of its priority
        wait for them, they become digest rows (due when the pace has room, as old as the
        oldest notice they carry) and are marked `folded`; how many were folded."""
        fold_after = self.settings.outbox.fold_after
        if not fold_after:
            return 0
        waiting = [w for w in (await session.scalars(dialect.for_update(session, select(Outbox)
                   .where(Outbox.channel == "work", Outbox.recipient == row.recipient,
                          Outbox.state == "pending", Outbox.priority == row.priority)
                   .order_by(Outbox.id).limit(FOLD_MAX), skip_locked=True))).all()
                   if (w.payload or {}).get("kind") != "digest"]  # never a digest of digests
        if len(waiting) < fold_after:
            return 0
        urgent = row.priority == outbox.URGENT
        texts = msg.digests([str((w.payload or {}).get("text", "")) for w in waiting], urgent,
                            self.settings.wechat.work.max_per_minute)
        made = [outbox.enqueue(session, channel="work", recipient=row.recipient, text=text,
                               at=now, person_id=row.person_id, kind="digest", urgent=urgent)
                for text in texts]
        oldest = min(w.created_at or now for w in waiting)
        for digest in made:
            digest.next_attempt_at, digest.created_at = free, oldest
        await session.flush()
        note = "folded into digest " + ", ".join(f"#{d.id}" for d in made)
        for w in waiting:
            w.state, w.last_error = "folded", note
        logger.info("outbox: %d %s notice(s) to %s folded into %d digest(s)", len(waiting),
                    "urgent" if urgent else "ordinary", tag(row.recipient), len(made))
        return len(waiting)

    # -- send -------------------------------------------------------------------------------
    async def _send_group(self, items: list[Claimed]) -> None:
        closed = False  # once the API says the window is closed, it is for the rest too
        for item in items:
            if self.stopping:
                return  # released by drain_once: the next process sends it at once
            self._started.add(item.id)
            start = time.perf_counter()
            try:
                result, outcome = await self._send(item, closed)
            except Exception as exc:  # a bug must not lose the row: it is retried
                logger.exception("outbox row %d: send raised", item.id)
                result, outcome = failure(-1, repr(exc)[:200], retryable=True), ""
            metrics.SEND.labels(item.channel).observe(time.perf_counter() - start)
            metrics.ERRCODES.labels(item.channel, str(result.errcode)).inc()
            closed = closed or result.window_closed
            await asyncio.shield(self._settle(item, result, outcome))

    async def _send(self, item: Claimed, closed: bool) -> tuple[SendResult, str]:
        """The result and how the row ends: sent, pushed (a custom message: one of the window's
        pushes), held, or "" (decided by the result: retry or fail)."""
        if item.channel == "work":
            res = await self.work.send_text(item.recipient, item.text)
            return res, "sent" if res.ok else ""
        if item.channel != "mp":
            return failure(-1, f"unknown channel {item.channel!r}"), ""
        if item.via == "custom" and not closed:
            res = await self.mp.send_text(item.recipient, item.text)
            if res.maybe_done:  # see ambiguous(): no blind resend to a resident
                return res, "held"
            if not res.window_closed:
                return res, "pushed" if res.ok else ""
        else:
            res = SendResult(ok=False, errcode=45015, errmsg="window closed", window_closed=True)
        if not self.settings.wechat.mp.template_id:
            return res, "held"
        tpl = await self.mp.send_template(item.recipient, item.text)
        if tpl.maybe_done:
            return tpl, "held"
        if tpl.ok or tpl.retryable:
            return tpl, "sent" if tpl.ok else ""
        return SendResult(ok=False, errcode=tpl.errcode, errmsg=tpl.errmsg,
                          window_closed=True), "held"  # kept for the next reply, not dropped

    async def _settle(self, item: Claimed, result: SendResult, outcome: str) -> None:
        now, cfg = self.clock.now(), self.settings.outbox
        attempts = item.attempts + 1
        values: dict[str, Any] = {"attempts": attempts}
        if outcome in ("sent", "pushed"):
            values.update(state="sent", sent_at=now, last_error=None)
            kind = "sent"
        elif outcome == "held" and result.maybe_done:
            # The Official Account has no duplicate check: a push that timed out after it went
            # out may have arrived. It is not pushed again (a resident would read it twice and
            # it would cost a second of the window's 5 pushes); it rides with their next reply.
            values.update(state="held", last_error=f"{result.error} after sending: may have "
                                                   "arrived; held for the next reply")
            kind = "held"
        elif outcome == "held":
            values.update(state="held", last_error=f"window closed ({result.error}): held for "
                                                   "the next reply")
            kind = "held"
        elif result.retryable and attempts < cfg.max_attempts:
            values.update(state="pending", next_attempt_at=now + self.backoff.delay(attempts),
                          last_error=result.error)
            kind = "retried"
        else:
            values.update(state="failed", last_error=result.error)
            kind = "failed"
            logger.warning("outbox row %d to %s %s failed after %d attempt(s): %s", item.id,
                           item.channel, tag(item.recipient), attempts, result.error)

        async def unit(session: AsyncSession) -> bool:
            if not await QUEUE.settle(session, item.id, state="sending",
                                      attempts=item.attempts, values=values):
                return False
            if outcome == "pushed":  # one more of the window's 5 customer-service pushes
                await session.execute(
                    update(Identity).where(Identity.channel == "mp",
                                           Identity.external_id == item.recipient)
                    .values(pushes_since_inbound=Identity.pushes_since_inbound + 1))
            return True

        if await self.db.run(unit):
            self._count(kind)
        else:
            logger.warning("outbox row %d was reclaimed while it was being sent", item.id)


def _in_flight(now: datetime) -> Any:
    """A row whose recipient has another row being sent (lease running): it waits, so a person
    reads notices in order and pacing and window counts stay exact across workers."""
    other = aliased(Outbox)
    return exists().where(other.channel == Outbox.channel, other.recipient == Outbox.recipient,
                          other.state == "sending", other.next_attempt_at > now)


def send_budget(settings: Settings) -> timedelta:
    """The longest one row's send can take: every try timing out, the backoff between them,
    and as much again for a token fetch before it."""
    http = settings.http
    tries = http.retries + 1
    one = http.timeout_seconds * tries + 0.5 * (2 ** http.retries - 1)
    return timedelta(seconds=2 * one)


async def _paces(session: AsyncSession, now: datetime,
                 recipients: set[str]) -> dict[str, tuple[int, datetime | None]]:
    """WeCom member → (messages sent in the last minute, when the oldest of them ages out)."""
    if not recipients:
        return {}
    sent = await session.execute(
        select(Outbox.recipient, func.count(), func.min(Outbox.sent_at))
        .where(Outbox.channel == "work", Outbox.recipient.in_(recipients),
               Outbox.state == "sent", Outbox.sent_at > now - PACE_PERIOD)
        .group_by(Outbox.recipient))
    return {r: (n, first + PACE_PERIOD) for r, n, first in sent.all()}


async def _windows(session: AsyncSession,
                   recipients: set[str]) -> dict[str, tuple[datetime | None, int]]:
    """Official Account follower → (last message from them, pushes since)."""
    if not recipients:
        return {}
    rows = await session.execute(
        select(Identity.external_id, Identity.last_inbound_at, Identity.pushes_since_inbound)
        .where(Identity.channel == "mp", Identity.external_id.in_(recipients)))
    return {ext: (last, pushes or 0) for ext, last, pushes in rows.all()}


def _why_held(window: tuple[datetime | None, int], now: datetime) -> str:
    last, _ = window
    if last is not None and now - last < WINDOW:
        return outbox.PUSHES_USED  # they wrote lately, but that message's pushes are spent
    return "window closed: held for next reply"


def _open(window: tuple[datetime | None, int], now: datetime) -> bool:
    last, pushes = window
    return last is not None and now - last < WINDOW and pushes < WINDOW_PUSHES

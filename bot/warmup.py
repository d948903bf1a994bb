"""A fresh process's first reports, made before it serves and thrown away.

What Python and the libraries build on first use (SQLAlchemy's compiled statements and
storage's prebuilt ones, the classifier's lazy indexes, regular expressions compiled where they
are first needed) was paid by the first residents a process answered: at a start under load
the first 50 reports took three to five times as long as the rest, which with 50 callbacks in
flight was the slowest 1 % of an 8-second run (bench/gateway.py --trace). `warm` runs the
dispatcher on a few reports of this district's own places from made-up senders, each in a
transaction that is rolled back: nothing is written, no notice is queued, the day's ticket
counter is where it was, and the classifier's timing metric does not see them (the caller
times the classifier only afterwards).

SQLite only: on PostgreSQL a ticket's code comes from a block the worker reserves with an
autocommitted statement (storage.codes), so a thrown-away report would leave a gap in the day's
codes at every start.
"""

from __future__ import annotations

import logging
import time

from bot.gateway.message import render_text_reply, to_update
from handlers.conversation.dispatcher import Dispatcher
from storage import fast, repo
from storage.clock import Clock
from storage.db import Database
from storage.repos import inbound

logger = logging.getLogger(__name__)

# a plain report and an urgent one (paged at once): the two ways a new report goes
TEXTS = ("{place}门口垃圾三天没人清运", "{place}楼道有人拉飞线给电动车充电")
SENDER = "gridbot-warmup-"  # no WeChat openid looks like this


def _xml(sender: str, text: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_warmup]]></ToUserName><FromUserName><![CDATA["
            f"{sender}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType>"
            f"<![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content><MsgId>{msg_id}"
            "</MsgId></xml>")


async def warm(db: Database, dispatcher: Dispatcher, clock: Clock) -> None:
    """Run the warm-up reports (SQLite only); a failure is logged and the start goes on.
    Each goes the way of a callback's text (bot.gateway.flow): parsed, claimed, dispatched,
    its row finished, its reply rendered, all in one transaction rolled back."""
    if not db.is_sqlite:
        return
    start = time.perf_counter()
    try:
        place = await db.read(repo.example_place) or ""
        for i, pattern in enumerate(TEXTS):
            xml = _xml(f"{SENDER}{i}", pattern.format(place=place), i)
            update = to_update("mp", xml)
            now = clock.now()
            stmt, params = inbound.claim_statement(
                (update.channel, update.sender), dedupe_key=f"{SENDER}{i}", channel="mp",
                from_user=update.sender, msg_type="text", raw=xml, created_at=now, attempts=1,
                status="processing", lease_until=now)
            async with db.sessions() as session:
                await session.begin()
                try:
                    row_id, _ = inbound.claimed((await fast.execute(session, stmt, params))[0])
                    reply = await dispatcher.handle(session, update)
                    await inbound.finish(session, row_id, 1, later=True, status="done",
                                         reply=reply, processed_at=clock.now(),
                                         reply_outbox_id=None)
                    await session.flush()
                finally:
                    await session.rollback()
            render_text_reply(update, reply or "", update.create_time)
    except Exception:  # noqa: BLE001 - a cold first report is slower, not wrong
        logger.warning("start-up warm-up failed; the first reports are made cold",
                       exc_info=True)
        return
    logger.info("warmed up in %.0f ms", 1000 * (time.perf_counter() - start))

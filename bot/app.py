"""The aiohttp application factory: everything long-lived is made in cleanup_ctx."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import ClientSession, ClientTimeout, web

from bot.api.intake import setup_intake_api
from bot.api.stats import setup_stats_api
from bot.api.tickets import setup_api
from bot.channels.media_store import MediaStore
from bot.channels.sender import OutboxSender
from bot.gateway.routes import INBOUND, setup_gateway
from bot.keys import CLOCK, DB, DISPATCHER, MEDIA, SENDER, SETTINGS
from bot.scheduler.runner import start_scheduler
from handlers.conversation.dispatcher import Dispatcher
from handlers.ops.services import Services
from nlp import Analyzer
from storage import repo
from storage.clock import Clock
from storage.config import Settings
from storage.db import Database
from storage.sla import WorkCalendar

logger = logging.getLogger(__name__)

ANALYZER = web.AppKey("analyzer", object)
HTTP = web.AppKey("http", ClientSession)


def create_app(settings: Settings, *, clock: Clock | None = None, db: Database | None = None,
               background: bool = True) -> web.Application:
    """Build the app. `db` lets tests share a database; `background` starts the outbox
    sender and the scheduler (tests of the gateway alone turn it off)."""
    app = web.Application(client_max_size=settings.server.max_body_bytes)
    app[SETTINGS] = settings
    app[CLOCK] = clock or Clock()
    app.cleanup_ctx.append(_database(db))
    app.cleanup_ctx.append(_services)
    if background:
        app.cleanup_ctx.append(_background)
    setup_gateway(app)
    setup_api(app)
    setup_stats_api(app)
    setup_intake_api(app)
    return app


def _database(given: Database | None):  # noqa: ANN202 - a cleanup_ctx generator factory
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        db = given or Database(app[SETTINGS].database.url)
        app[DB] = db
        yield
        if given is None:
            await db.close()

    return ctx


async def _services(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    analyzer = Analyzer.load_watching(settings.nlp.model_path)
    places = await app[DB].read(repo.gazetteer)
    analyzer.set_gazetteer(places)
    app[ANALYZER] = analyzer
    services = Services(settings=settings, analyzer=analyzer, clock=app[CLOCK],
                        calendar=WorkCalendar(settings.calendar.holidays,
                                              settings.calendar.workdays))
    app[DISPATCHER] = Dispatcher(services)
    yield


async def _background(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    http = ClientSession(timeout=ClientTimeout(total=settings.http.timeout_seconds))
    app[HTTP] = http
    sender = OutboxSender.from_settings(settings, app[DB], app[CLOCK], http)
    app[SENDER] = sender
    store = MediaStore.from_settings(settings, app[DB], app[CLOCK], http)
    app[MEDIA] = store
    stop = asyncio.Event()
    tasks = [asyncio.create_task(sender.run(stop), name="outbox-sender"),
             asyncio.create_task(store.run(stop), name="media-store"),
             asyncio.create_task(app[INBOUND].run(stop), name="inbound-recovery")]
    scheduler = start_scheduler(app)
    yield
    stop.set()
    sender.wake()
    store.wake()
    for task in tasks:
        try:
            await asyncio.wait_for(task, timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    await http.close()

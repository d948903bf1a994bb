"""The aiohttp application factory: everything long-lived is made in cleanup_ctx, as one
`bot.runtime.Runtime` that the routes reach through `RUNTIME`."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from aiohttp import ClientSession, ClientTimeout, web

from bot import metrics, warmup
from bot.api.intake import setup_intake_api
from bot.api.stats import setup_stats_api
from bot.api.tickets import setup_api
from bot.channels.clients import ChannelClients
from bot.channels.media_store import MediaStore
from bot.channels.sender import OutboxSender
from bot.console.app import setup_console
from bot.gateway.routes import setup_gateway
from bot.runtime import RUNTIME, Runtime
from bot.scheduler.runner import start_scheduler
from handlers.conversation.dispatcher import Dispatcher
from handlers.ops.services import Services
from nlp import Analyzer
from storage import repo
from storage.clock import Clock
from storage.config import Settings
from storage.db import Database
from storage.district_model import Snapshot
from storage.sla import WorkCalendar, calendar_warnings

logger = logging.getLogger(__name__)


def create_app(settings: Settings, *, clock: Clock | None = None, db: Database | None = None,
               background: bool = True) -> web.Application:
    """Build the app. `db` lets tests share a database; `background` starts the outbox
    sender, the media store and the scheduler (tests of the gateway alone turn it off)."""
    app = web.Application(client_max_size=settings.server.max_body_bytes)
    app.cleanup_ctx.append(_runtime(settings, clock or Clock(), db, background))
    setup_gateway(app, settings, recover=background)
    setup_api(app)
    setup_stats_api(app)
    setup_intake_api(app)
    setup_console(app, settings)
    return app


Ctx = Callable[[web.Application], AsyncIterator[None]]


def _runtime(settings: Settings, clock: Clock, given: Database | None, background: bool) -> Ctx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            db = given or Database(settings.database.url,
                                   sqlite_writer=settings.database.sqlite_writer,
                                   pg_lanes=settings.database.pg_lanes)
            if given is None:
                stack.push_async_callback(db.close)
            services = await _services(settings, clock, db)
            stack.callback(await _follow_district(db, services.analyzer))
            dispatcher = Dispatcher(services)
            await warmup.warm(db, dispatcher, clock)
            analyzer = services.analyzer  # timed from here on: the warm-up is not counted
            analyzer.analyze = metrics.timed_classifier(analyzer)  # type: ignore[method-assign]
            runtime = Runtime(settings, db, clock, dispatcher)
            if background:
                http = ClientSession(timeout=ClientTimeout(total=settings.http.timeout_seconds))
                stack.push_async_callback(http.close)
                runtime = _with_loops(runtime, ChannelClients.build(settings, db, clock, http))
            app[RUNTIME] = runtime
            if background:
                await stack.enter_async_context(_background(runtime))
            yield

    return ctx


async def _services(settings: Settings, clock: Clock, db: Database) -> Services:
    analyzer = Analyzer.load_watching(settings.nlp.model_path)
    db.observer = metrics.DatabaseObserver()
    services = Services(settings=settings, analyzer=analyzer, clock=clock,
                        calendar=WorkCalendar(settings.calendar.holidays,
                                              settings.calendar.workdays,
                                              settings.calendar.workday_end))
    for warning in calendar_warnings(services.calendar, clock.now()):
        logger.warning("%s", warning)
    return services


async def _follow_district(db: Database, analyzer: Analyzer) -> Callable[[], None]:
    """Give the analyser the district's gazetteer now and each new one the worker's district
    model loads (an import or a console edit, in this worker or another), so a place added
    since the start is recognised without a restart. Returns the call that stops following."""
    last = [await db.read(repo.gazetteer)]
    analyzer.set_gazetteer(last[0])

    def follow(snap: Snapshot) -> None:
        if snap.gazetteer != last[0]:  # a change of staff reloads the model, not the names
            analyzer.set_gazetteer(snap.gazetteer)
            last[0] = snap.gazetteer

    db.district.listeners.append(follow)
    return lambda: db.district.listeners.remove(follow)


def _with_loops(runtime: Runtime, clients: ChannelClients) -> Runtime:
    """The runtime with the one set of API clients and the loops that use them."""
    settings, db, clock = runtime.settings, runtime.db, runtime.clock
    sender = OutboxSender(settings, db, clock, clients.mp, clients.work)
    media = MediaStore(settings.media, settings.media_dir, db, clock, clients.by_channel())
    return dataclasses.replace(runtime, clients=clients, sender=sender, media=media)


@asynccontextmanager
async def _background(runtime: Runtime) -> AsyncIterator[None]:
    """The outbox sender, the media store and the scheduler, for as long as the app runs."""
    assert runtime.sender is not None and runtime.media is not None
    stop = asyncio.Event()
    tasks = [asyncio.create_task(runtime.sender.run(stop), name="outbox-sender"),
             asyncio.create_task(runtime.media.run(stop), name="media-store")]
    scheduler = start_scheduler(runtime)
    yield
    stop.set()
    runtime.wake()
    # a send in flight is let finish (it may deliver: cancelling it would send it twice later);
    # what the sender claimed and did not start is released for the next process
    grace = max(5.0, runtime.sender.stop_grace)
    for task in tasks:
        try:
            await asyncio.wait_for(task, timeout=grace)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
    if scheduler is not None:
        scheduler.shutdown(wait=False)

"""Python's garbage collector in a serving process (`gridbot serve`, each `--workers` worker).

A worker's start-up leaves ~180,000 objects that the cyclic collector tracks and that live as
long as the process: the classifier's model and dictionaries, the district's read model, the
routes, SQLAlchemy's mappers and compiled statements. A collection of the oldest generation
walks all of them, and under load one came every few seconds and held the event loop for
80-160 ms (bench/gateway.py --trace): every request in flight then waited that long, which
was the tail of the latency (p99 at twice p50).

So once start-up is done the heap is collected and frozen (`gc.freeze()`: the collector
leaves those objects alone from then on; reference counting still frees them), and later
collections walk only what the requests made. A new district snapshot (an import, a console
edit) replaces the old one: the old one's cycles could not be collected while frozen, so the
heap is unfrozen, collected and frozen again once then (one such pause per district change).
A new classifier model file is rare enough (a retrain) to leave to reference counting.

The generations' thresholds stay Python's own (700, 10, 10): the young collections took
about 1 % of the loop's time in the same traces.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

from aiohttp import web

from bot.runtime import RUNTIME

logger = logging.getLogger(__name__)


def freeze() -> None:
    """Collect what start-up left for garbage, then exempt the rest from later collections."""
    start = time.perf_counter()
    gc.collect()
    gc.freeze()
    logger.info("heap frozen after start-up: %d objects (%.0f ms)", gc.get_freeze_count(),
                1000 * (time.perf_counter() - start))


def refreeze() -> None:
    """The long-lived part of the heap changed (a new district snapshot): collect it once."""
    gc.unfreeze()
    freeze()


async def _settle(app: web.Application) -> None:
    freeze()
    loop = asyncio.get_running_loop()
    # after the unit that loaded the new snapshot, not inside it
    app[RUNTIME].db.district.listeners.append(lambda _snap: loop.call_soon(refreeze))


def settle_after_start(app: web.Application) -> web.Application:
    """Freeze the heap once the app has started (its cleanup_ctx made the runtime)."""
    app.on_startup.append(_settle)
    return app

"""The serving process's heap (bot.heap): frozen after start-up so that the collector's full
passes do not walk the classifier's and the district's objects under load, and collected
again when a new district snapshot replaces the old one, so the old one's cycles are freed."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from aiohttp import web

from bot.app import create_app
from bot.demo.run import demo_settings
from bot.heap import freeze, settle_after_start
from storage.db import Database
from storage.district import import_district
from storage.migrate import upgrade
from tests.support.district import DISTRICT


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest_asyncio.fixture
async def served(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'heap.db'}"
    await upgrade(url)
    db = Database(url)
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    app = settle_after_start(create_app(demo_settings(url, "http://127.0.0.1:9"), db=db,
                                        background=False))
    runner = web.AppRunner(app)
    try:
        await runner.setup()
        yield db
    finally:
        await runner.cleanup()
        await db.close()
        gc.unfreeze()  # the rest of the test session collects as usual


async def test_the_start_up_heap_is_frozen(served: Database) -> None:
    # what a full collection still walks: the objects made since, not the start-up's
    assert gc.get_freeze_count() > 10 * len(gc.get_objects())


async def test_a_new_district_snapshot_lets_the_old_heap_be_collected(
        served: Database) -> None:
    old = Cycle()
    gone = weakref.ref(old)
    freeze()  # as if it were part of the start-up heap (the first snapshot's objects)
    del old
    gc.collect()
    assert gone() is not None  # frozen: a full collection leaves it

    gold = 'name = "金色港湾"'
    changed = DISTRICT.replace(gold, f'{gold}\n      aliases = ["金港"]', 1)
    assert changed != DISTRICT
    await served.run(lambda s: import_district(s, changed, source="console"))
    await served.run(served.district.fresh)  # the next unit loads the new snapshot
    await asyncio.sleep(0)  # the refreeze runs after that unit, on the loop
    assert gone() is None
    assert gc.get_freeze_count() > 0

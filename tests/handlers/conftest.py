"""A bot over the test district for the conversation, ops and jobs tests (settings a test may
change through `make_bot`), and WeChat's XML callbacks into it (`wx`)."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio

from handlers.conversation.dispatcher import Dispatcher
from handlers.ops.services import Services
from storage import repo
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from tests.support.bot import START, Bot, BotFactory, analyzer
from tests.support.district import DISTRICT
from tests.support.wechat import WeChat


@pytest_asyncio.fixture
async def make_bot(db: Database) -> BotFactory:
    await db.run(lambda s: import_district(s, DISTRICT, source="test", now=START))
    an = analyzer()
    an.set_gazetteer(await db.read(repo.gazetteer))

    def make(**settings: Any) -> Bot:
        clock = FrozenClock(START)
        services = Services(settings=Settings(emergency={"gas": "96777"}, **settings),
                            analyzer=an, clock=clock)
        return Bot(db, Dispatcher(services), clock)

    return make


@pytest_asyncio.fixture
async def bot(make_bot: BotFactory) -> Bot:
    return make_bot()


@pytest.fixture
def wx(bot: Bot) -> WeChat:
    return WeChat(bot)

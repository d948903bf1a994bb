"""Fixtures for the outbound channels: the WeChat stand-in, and a rig that builds clients and
senders against it on a given database with a frozen clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.clients import ChannelClients
from bot.channels.http import JsonHttp
from bot.channels.mp import MpClient
from bot.channels.sender import OutboxSender
from bot.channels.work import WorkClient
from bot.demo.standin import WeChatStandIn
from storage import outbox
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.models import Identity, Outbox, Person

APP_ID = "wxtest0000000001"
CORP_ID = "wwtest0000000001"
MP_SECRET = "mp-secret-must-not-be-logged"
WORK_SECRET = "work-secret-must-not-be-logged"
START = datetime(2026, 11, 22, 2, 0)  # naive UTC, 10:00 in Shanghai


def channel_settings(base: str, *, template_id: str = "", **sections: dict[str, Any]) -> Settings:
    cfg: dict[str, Any] = {
        "wechat": {
            "mp": {"app_id": APP_ID, "app_secret": MP_SECRET, "mode": "plain",
                   "api_base_url": base, "template_id": template_id},
            "work": {"corp_id": CORP_ID, "agent_id": 1000002, "secret": WORK_SECRET,
                     "api_base_url": base, "max_per_minute": 20},
        },
        "http": {"timeout_seconds": 5.0, "retries": 2},  # a loaded CI box is slow
        "outbox": {"max_attempts": 3, "backoff_seconds": 5.0, "batch": 50},
    }
    for name, values in sections.items():
        cfg[name] = {**cfg.get(name, {}), **values}
    return Settings(**cfg)


@dataclass
class Rig:
    standin: WeChatStandIn
    settings: Settings
    db: Database
    clock: FrozenClock
    session: ClientSession

    def http(self) -> JsonHttp:
        return JsonHttp(self.session, timeout_seconds=self.settings.http.timeout_seconds,
                        retries=self.settings.http.retries, backoff_seconds=0)

    def mp(self) -> MpClient:
        """A fresh client: a new worker, as far as tokens go (nothing cached in memory)."""
        return MpClient(self.settings.wechat.mp, self.http(), self.db, self.clock)

    def work(self) -> WorkClient:
        return WorkClient(self.settings.wechat.work, self.http(), self.db, self.clock)

    def sender(self, **kw: Any) -> OutboxSender:
        clients = ChannelClients.build(self.settings, self.db, self.clock, self.session,
                                       backoff_seconds=0)
        return OutboxSender(self.settings, self.db, self.clock, clients.mp, clients.work, **kw)

    async def enqueue(self, channel: str, recipient: str, *texts: str,
                      urgent: bool = False) -> list[int]:
        async def unit(s: AsyncSession) -> list[int]:
            rows = [outbox.enqueue(s, channel=channel, recipient=recipient, text=t,
                                   at=self.clock.now(), urgent=urgent) for t in texts]
            await s.flush()
            return [r.id for r in rows]

        return await self.db.run(unit)

    async def row(self, row_id: int) -> Outbox:
        async def q(s: AsyncSession) -> Outbox:
            found = await s.get(Outbox, row_id)
            assert found is not None
            return found

        return await self.db.read(q)

    async def follower(self, openid: str, *, last_inbound_at: datetime | None,
                       pushes: int = 0) -> None:
        """A resident on the Official Account whose last message came at `last_inbound_at`."""
        async def unit(s: AsyncSession) -> None:
            s.add(Person(id=f"p-{openid}", roles=["resident"], created_at=self.clock.now()))
            await s.flush()
            s.add(Identity(person_id=f"p-{openid}", channel="mp", external_id=openid,
                           last_inbound_at=last_inbound_at, pushes_since_inbound=pushes))

        await self.db.run(unit)

    async def pushes(self, openid: str) -> int:
        async def q(s: AsyncSession) -> int:
            return await s.scalar(select(Identity.pushes_since_inbound).where(
                Identity.channel == "mp", Identity.external_id == openid))

        return await self.db.read(q)


@pytest_asyncio.fixture
async def standin() -> AsyncIterator[WeChatStandIn]:
    s = WeChatStandIn()
    await s.start()
    yield s
    await s.stop()


@pytest_asyncio.fixture
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as s:
        yield s


@pytest.fixture
def make_rig(standin: WeChatStandIn,
             session: ClientSession) -> Callable[..., Rig]:
    def make(db: Database, *, template_id: str = "", **sections: dict[str, Any]) -> Rig:
        settings = channel_settings(standin.base_url, template_id=template_id, **sections)
        return Rig(standin, settings, db, FrozenClock(START), session)

    return make

"""`gridbot menu push`: the Official Account's custom menu, created through `menu/create`.

Each button is a CLICK whose key the resident router answers like the matching words
(REPORT → how to report, MY_TICKETS → 查询, GUIDE → 帮助). WeChat replaces the whole menu on
every push, so pushing again is harmless; clients show the new menu within minutes.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from aiohttp import ClientSession, ClientTimeout

from bot.channels import SendResult
from bot.channels.clients import ChannelClients
from storage.clock import Clock
from storage.config import Settings
from storage.db import Database

logger = logging.getLogger(__name__)

MENU: dict[str, Any] = {"button": [
    {"type": "click", "name": "我要反映", "key": "REPORT"},
    {"type": "click", "name": "我的反映", "key": "MY_TICKETS"},
    {"type": "click", "name": "办事指南", "key": "GUIDE"},
]}


class MenuClient(Protocol):
    async def menu_create(self, menu: dict[str, Any]) -> SendResult: ...


class MenuError(Exception):
    """The API refused the menu; the message says why (errcode and errmsg)."""


async def push_menu(client: MenuClient, menu: dict[str, Any] | None = None) -> None:
    result = await client.menu_create(menu or MENU)
    if not result.ok:
        raise MenuError(f"menu/create failed: {result.error}")
    logger.info("Official Account menu pushed (%d buttons)", len((menu or MENU)["button"]))


async def push(settings: Settings) -> None:
    """Push MENU with the configured Official Account credentials (`gridbot menu push`: this
    process's clients, built as the server builds its own)."""
    db = Database(settings.database.url)  # the access token is shared through the database
    try:
        async with ClientSession(timeout=ClientTimeout(total=settings.http.timeout_seconds)) \
                as session:
            await push_menu(ChannelClients.build(settings, db, Clock(), session).mp)
    finally:
        await db.close()

"""Typed keys for what lives as long as the app (no module-level globals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from storage.clock import Clock
from storage.config import Settings
from storage.db import Database

if TYPE_CHECKING:
    from bot.channels.media_store import MediaStore
    from bot.channels.sender import OutboxSender
    from handlers.conversation.dispatcher import Dispatcher

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
CLOCK = web.AppKey("clock", Clock)
DISPATCHER: web.AppKey[Dispatcher] = web.AppKey("dispatcher")
SENDER: web.AppKey[OutboxSender] = web.AppKey("sender")
MEDIA: web.AppKey[MediaStore] = web.AppKey("media")

"""What one process runs on, as one typed object: settings, database, clock, the dispatcher
(with the handlers' Services), and, when the background loops run, the API clients, the outbox
sender and the media store.

`bot.app` builds it in its cleanup_ctx and hands it to what needs it: the gateway's `Inbound`,
the scheduler and the background loops take it (or its parts) as constructor arguments.
aiohttp handlers reach it through the one typed key `RUNTIME`; there are no other service keys
and no module-level globals, so tests build a Runtime of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from storage.clock import Clock
from storage.config import Settings
from storage.db import Database

if TYPE_CHECKING:
    from bot.channels.clients import ChannelClients
    from bot.channels.media_store import MediaStore
    from bot.channels.sender import OutboxSender
    from handlers.conversation.dispatcher import Dispatcher
    from handlers.ops.services import Services


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    dispatcher: Dispatcher
    clients: ChannelClients | None = None  # built once per process, shared by what calls out
    sender: OutboxSender | None = None
    media: MediaStore | None = None

    @property
    def services(self) -> Services:
        """What every layer of handlers/ is given (the dispatcher's own)."""
        return self.dispatcher.services

    def wake(self) -> None:
        """Something was committed (notices, media to fetch): the loops look now."""
        for loop in (self.sender, self.media):
            if loop is not None:
                loop.wake()

    def wake_sender(self) -> None:
        if self.sender is not None:
            self.sender.wake()


RUNTIME = web.AppKey("runtime", Runtime)

"""The API clients of one process: one JsonHttp over the shared ClientSession, one MpClient and
one WorkClient (so one token store per app secret), built once and handed to everything that
calls out: the outbox sender, the media store and `gridbot menu push`."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import ClientSession

from bot.channels.http import JsonHttp
from bot.channels.mp import MpClient
from bot.channels.work import WorkClient
from storage.clock import Clock
from storage.config import Settings
from storage.db import Database


@dataclass(frozen=True)
class ChannelClients:
    http: JsonHttp
    mp: MpClient
    work: WorkClient

    @classmethod
    def build(cls, settings: Settings, db: Database, clock: Clock, session: ClientSession, *,
              backoff_seconds: float = 0.5) -> ChannelClients:
        http = JsonHttp(session, timeout_seconds=settings.http.timeout_seconds,
                        retries=settings.http.retries, backoff_seconds=backoff_seconds)
        return cls(http, MpClient(settings.wechat.mp, http, db, clock),
                   WorkClient(settings.wechat.work, http, db, clock))

    def by_channel(self) -> dict[str, MpClient | WorkClient]:
        """Channel name → its client (what the media store fetches with)."""
        return {"mp": self.mp, "work": self.work}

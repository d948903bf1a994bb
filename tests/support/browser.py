"""The console's site for the browser tests: where it listens and what it was seeded with."""

from __future__ import annotations

from dataclasses import dataclass

from bot.demo.data import DEMO_PASSWORD
from bot.demo.standin import WeChatStandIn
from storage.db import Database


@dataclass
class Site:
    base: str
    db: Database
    standin: WeChatStandIn
    codes: list[str]
    password: str = DEMO_PASSWORD

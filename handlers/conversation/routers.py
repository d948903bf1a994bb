"""Which routers hear a message, in order: the one place that declares it (aiogram's
`include_routers`). Every audience whose test passes adds its routers; the dispatcher runs the
first handler that matches, across them, in this order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.conversation import (
    correspondents,
    desk,
    duplicates,
    handoffs,
    media,
    officers,
    residents,
)
from handlers.conversation.context import Ctx
from handlers.conversation.router import Router
from handlers.ops.roles import STAFF_ROLES


@dataclass(frozen=True)
class Audience:
    name: str
    applies: Callable[[Ctx], bool]
    routers: tuple[Router, ...]


AUDIENCES: tuple[Audience, ...] = (
    # photos, voice and locations first: a voice message becomes text for everyone after it
    Audience("everyone", lambda ctx: True, (media.router,)),
    # staff words; correspondents' 通过/拒绝/核实/驳回/兑换 before the officers' fallback
    Audience("staff", lambda ctx: ctx.person.has_role(*STAFF_ROLES),
             (officers.router, handoffs.router, desk.router, correspondents.staff_router,
              duplicates.router,
              officers.fallback_router)),
    # the Official Account: 注册通讯员/积分 before the residents' words and free-text reports
    Audience("official-account", lambda ctx: ctx.update.channel == "mp",
             (correspondents.router, residents.router)),
)


def routers_for(ctx: Ctx) -> list[Router]:
    return [r for a in AUDIENCES if a.applies(ctx) for r in a.routers]

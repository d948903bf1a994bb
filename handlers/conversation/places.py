"""Where a resident's report is: a shared position or the last LOCATION event, placed in a grid."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.ops.geo import grid_at
from handlers.ops.tickets import Placement
from storage import repo

if TYPE_CHECKING:
    from handlers.conversation.context import Ctx


def recent_position(ctx: Ctx) -> tuple[float, float] | None:
    """(lng, lat) from the last LOCATION event or location message, if recent enough."""
    i = ctx.identity
    if i.last_lng is None or i.last_lat is None or i.last_position_at is None:
        return None
    if ctx.now - i.last_position_at > timedelta(minutes=ctx.settings.location.position_minutes):
        return None
    return i.last_lng, i.last_lat


async def placement_at(ctx: Ctx, lng: float, lat: float) -> Placement:
    grid = await grid_at(ctx.session, lng, lat, ctx.settings.location.nearest_grid_metres)
    if grid is None:
        return Placement(None, None)
    return Placement(grid, await repo.community_of(ctx.session, grid))

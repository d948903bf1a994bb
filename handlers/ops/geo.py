"""Points and grids: which grid a WeChat position falls in, how far apart two points are, and
the sender's last known position.

WeChat positions and district polygons are both GCJ-02 `[lng, lat]`; over a district a local
flat projection is accurate to well under a metre, which is all a grid lookup needs.
"""

from __future__ import annotations

import math

from shapely.geometry import Point, Polygon
from sqlalchemy.ext.asyncio import AsyncSession

from storage import district_model, repo
from storage.models import Region

EARTH_RADIUS_M = 6_371_000.0


def valid_point(lng: float | None, lat: float | None) -> bool:
    """A position on Earth: finite, longitude within ±180 and latitude within ±90."""
    return (lng is not None and lat is not None and math.isfinite(lng) and math.isfinite(lat)
            and -180 <= lng <= 180 and -90 <= lat <= 90)


def metres_between(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance (haversine); infinitely far when either point is not a position
    (a bad row stored before coordinates were checked must not break every later lookup)."""
    if not (valid_point(lng1, lat1) and valid_point(lng2, lat2)):
        return math.inf
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def _local(ring: list[list[float]], lng0: float, lat0: float) -> Polygon:
    """The ring in metres east/north of (lng0, lat0)."""
    kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    ky = math.radians(1) * EARTH_RADIUS_M
    return Polygon([((x - lng0) * kx, (y - lat0) * ky) for x, y in ring])


async def nearest_grid(session: AsyncSession, lng: float, lat: float,
                       max_metres: float) -> tuple[Region, float] | None:
    """The active grid whose polygon edge is closest to the point, if within `max_metres`."""
    best: tuple[float, Region] | None = None
    for grid in await district_model.of(session).active_grids(session):
        if not grid.polygon:
            continue
        d = _local(grid.polygon, lng, lat).distance(Point(0.0, 0.0))
        if best is None or d < best[0]:
            best = (d, grid)
    if best is None or best[0] > max_metres:
        return None
    return best[1], best[0]


async def grid_at(session: AsyncSession, lng: float, lat: float,
                  max_metres: float) -> Region | None:
    """Point in polygon (a special grid wins), else the nearest grid within `max_metres`."""
    if not valid_point(lng, lat):
        return None
    grid = await repo.grid_for_point(session, lng, lat)
    if grid is not None:
        return grid
    near = await nearest_grid(session, lng, lat, max_metres)
    return near[0] if near else None



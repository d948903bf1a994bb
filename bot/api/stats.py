"""`GET /api/v1/stats?since=&until=&by=`: the supervision rates as JSON.

The route lives under `/api/`, so the admin-token middleware of `bot.api.tickets` guards it like
every other admin endpoint and renders its refusals; `setup_stats_api(app)` is called after
`setup_api(app)`. Empty values count as not given; unknown or repeated parameters are refused.
The definitions of the rates are in `storage.stats`.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from aiohttp import web

from bot.api.tickets import ApiError
from bot.runtime import RUNTIME
from nlp.taxonomy import CATEGORIES
from storage import stats

logger = logging.getLogger(__name__)

_dumps = partial(json.dumps, ensure_ascii=False)  # names stay readable Chinese


def stats_payload(report: stats.Report) -> dict[str, Any]:
    """The JSON both the API and `gridbot stats --json` give: the totals, or with `by` the
    groups under `items` (key None = no grid / community) and the totals under `total`."""
    head: dict[str, Any] = {"since": report.range.since.isoformat(),
                            "until": report.range.until.isoformat()}
    if report.by is None:
        return head | report.total.as_dict()
    items = []
    for g in report.groups:
        name = g.name
        if report.by == "category" and g.key is not None:
            name = CATEGORIES.get(g.key, g.key)
        items.append({"key": g.key, "name": name} | g.counts.as_dict())
    return head | {"by": report.by, "items": items, "total": report.total.as_dict()}


PARAMS = ("since", "until", "by")


async def handle_stats(request: web.Request) -> web.Response:
    # refusals are ApiError: the /api/ middleware logs them and answers {"error": ...}
    for name in request.query:
        if name not in PARAMS:
            raise ApiError(400, f"unknown parameter {name!r}; use {', '.join(PARAMS)}")
        if len(request.query.getall(name)) > 1:
            raise ApiError(400, f"parameter {name!r} given more than once")
    q = {name: request.query[name].strip() for name in PARAMS if name in request.query}
    now = request.app[RUNTIME].clock.now()
    try:
        rng = stats.parse_range(q.get("since"), q.get("until"), now=now)
        by = stats.parse_by(q.get("by"))
    except stats.StatsError as e:
        raise ApiError(400, str(e)) from None
    report = await request.app[RUNTIME].db.read(lambda s: stats.compute(s, rng, now=now, by=by))
    return web.json_response(stats_payload(report), dumps=_dumps)


def setup_stats_api(app: web.Application) -> None:
    app.router.add_get("/api/v1/stats", handle_stats, name="api-stats")

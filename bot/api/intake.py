"""POST /api/v1/tickets: a ticket handed over by another system (e.g. a 12345 hotline).

The body is JSON: `text` (required), and optionally `category` (a taxonomy code; classified
from the text when absent), `urgency`, `location` {community, building, unit, room, place, lng,
lat}, `contact` (kept on the ticket, never shown in notices) and `external_id` (the other
system's reference: sending the same one again returns the ticket already made, 200 instead of
201, so a retrying sender never makes two). It is routed like any report, never asked about:
without a place it goes to the triage desk.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api import views
from bot.api.tickets import ApiError
from bot.runtime import RUNTIME
from handlers.ops.geo import grid_at
from handlers.ops.tickets import Placement, create_ticket
from nlp.taxonomy import CATEGORIES, URGENCIES, category_name
from storage import repo
from storage.models import InboundMessage

logger = logging.getLogger(__name__)

MAX_TEXT = 2000
_LOCATION_TEXT = ("community", "building", "unit", "room", "place")


def _parse(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    unknown = set(body) - {"text", "category", "urgency", "location", "contact", "external_id"}
    if unknown:
        raise ApiError(400, f"unknown field(s): {', '.join(sorted(unknown))}")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "text is required")
    if len(text) > MAX_TEXT:
        raise ApiError(400, f"text longer than {MAX_TEXT} characters")
    if body.get("category") is not None and body["category"] not in CATEGORIES:
        raise ApiError(400, f"unknown category: {body['category']}")
    if body.get("urgency") is not None and body["urgency"] not in URGENCIES:
        raise ApiError(400, "urgency must be one of urgent, high, normal")
    loc = body.get("location") or {}
    if not isinstance(loc, dict) or set(loc) - set(_LOCATION_TEXT) - {"lng", "lat"}:
        raise ApiError(400, "location takes community, building, unit, room, place, lng, lat")
    if ("lng" in loc) != ("lat" in loc):
        raise ApiError(400, "location needs both lng and lat")
    for key in ("lng", "lat"):
        if key in loc and not isinstance(loc[key], int | float):
            raise ApiError(400, f"location.{key} must be a number")
    for key in _LOCATION_TEXT:
        if loc.get(key) is not None and not isinstance(loc[key], str | int):
            raise ApiError(400, f"location.{key} must be text")
    for key in ("contact", "external_id"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise ApiError(400, f"{key} must be text")
    return {**body, "text": text.strip(), "location": loc}


async def create(request: web.Request) -> web.Response:
    try:
        body = _parse(await request.json())
    except json.JSONDecodeError:
        raise ApiError(400, "body is not JSON") from None
    runtime = request.app[RUNTIME]
    services = runtime.services
    analysis = services.analyzer.analyze(body["text"])
    loc = body["location"]
    given = {k: str(loc[k]) for k in _LOCATION_TEXT if loc.get(k) is not None}
    category = body.get("category") or analysis.category
    analysis = dataclasses.replace(
        analysis, category=category, category_name=category_name(category),
        urgency=body.get("urgency") or analysis.urgency,
        location=dataclasses.replace(analysis.location, **given))
    key = f"api:{body['external_id']}" if body.get("external_id") else None

    async def unit(session: AsyncSession) -> str:
        place = await _place(session, services, analysis.location, loc)
        ticket = await create_ticket(session, services, now=services.clock.now(),
                                     text=body["text"], analysis=analysis, reporter=None,
                                     source="api", place=place, lng=loc.get("lng"),
                                     lat=loc.get("lat"))
        ticket.contact = body.get("contact")
        if key:
            session.add(InboundMessage(dedupe_key=key, channel="api", from_user="api",
                                       msg_type="ticket", raw=json.dumps(body, ensure_ascii=False),
                                       status="done", reply=ticket.code,
                                       created_at=services.clock.now()))
        return ticket.code

    status = 201
    try:
        code = await runtime.db.run(unit)
    except IntegrityError:
        if key is None:
            raise
        code = await runtime.db.read(lambda s: _code_for(s, key))
        status = 200
        logger.info("hand-off %s already made %s", key, code)
    runtime.wake_sender()
    item = await runtime.db.read(lambda s: _item(s, code))
    return web.json_response(item, status=status)


async def _place(session: AsyncSession, services: Any, location: Any,
                 loc: dict[str, Any]) -> Placement:
    if "lng" in loc:
        grid = await grid_at(session, float(loc["lng"]), float(loc["lat"]),
                             services.settings.location.nearest_grid_metres)
        if grid is not None:
            return Placement(grid, await repo.community_of(session, grid))
    grid, community = await repo.grid_for_place(session, location.community, location.building)
    return Placement(grid, community)


async def _code_for(session: AsyncSession, key: str) -> str:
    row = await session.scalar(select(InboundMessage).where(InboundMessage.dedupe_key == key))
    if row is None or not row.reply:
        raise ApiError(409, "this external_id is being processed; retry")
    return row.reply


async def _item(session: AsyncSession, code: str) -> dict[str, Any]:
    found = await views.get_ticket(session, code)
    assert found is not None
    return await views.ticket_detail(session, *found)


def setup_intake_api(app: web.Application) -> None:
    app.router.add_post("/api/v1/tickets", create)


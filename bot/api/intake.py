"""POST /api/v1/tickets: a ticket handed over by another system (e.g. a 12345 hotline).

The body is JSON: `text` (required), and optionally `category` (a taxonomy code; classified
from the text when absent), `urgency`, `location` {community, building, unit, room, place, lng,
lat}, `contact` (kept on the ticket, never shown in notices) and `external_id` (the other
system's reference: sending the same one again with the same text returns the ticket already
made, 200 instead of 201, so a retrying sender never makes two; the same one with different text
is refused 409 naming that ticket, so a reused id never silently drops a report). Free text
loses its control characters (NUL and the other C0 controls but tab and line feed);
`external_id`, `category` and `urgency` with one are refused 400 (`bot.inputs`). It is routed
like any report, never asked about: without a place it goes to the triage desk.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Annotated, Any

from aiohttp import web
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api import views
from bot.api.tickets import ApiError
from bot.inputs import clean_text, control_in, refusal
from bot.runtime import RUNTIME
from handlers.ops.geo import grid_at
from handlers.ops.tickets import Placement, create_ticket
from nlp.taxonomy import CATEGORIES, URGENCIES, category_name
from storage import repo
from storage.models import InboundMessage

logger = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_BODY = 64 * 1024
_LOCATION_TEXT = ("community", "building", "unit", "room", "place")
Text = Annotated[str, StringConstraints(strip_whitespace=True)]


def _short(width: int) -> Any:
    """Text (or a number, as a building often is) that fits a column `width` wide."""
    return Annotated[StrictStr | StrictInt | None, AfterValidator(
        lambda v: _fits(v, width))]


def _fits(value: str | int | None, width: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > width:
        raise ValueError(f"at most {width} characters")
    return text or None


Coordinate = Annotated[float, Field(allow_inf_nan=False, strict=False)]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # widths of tickets.community_text, building, unit, room, place
    community: _short(128) = None
    building: _short(16) = None
    unit: _short(16) = None
    room: _short(16) = None
    place: _short(128) = None
    lng: Annotated[Coordinate, Field(ge=-180, le=180)] | None = None
    lat: Annotated[Coordinate, Field(ge=-90, le=90)] | None = None

    @model_validator(mode="after")
    def _both(self) -> Location:
        if (self.lng is None) != (self.lat is None):
            raise ValueError("location needs both lng and lat")
        return self


class Handoff(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1,
                                                 max_length=MAX_TEXT)]
    category: StrictStr | None = None
    urgency: StrictStr | None = None
    location: Location = Location()
    contact: Annotated[StrictStr, StringConstraints(max_length=128)] | None = None  # its column
    # the dedupe key is "api:" + it, in a 255-wide column
    external_id: Annotated[StrictStr,
                           StringConstraints(min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def _known(self) -> Handoff:
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown category: {self.category[:40]}")
        if self.urgency is not None and self.urgency not in URGENCIES:
            raise ValueError("urgency must be one of urgent, high, normal")
        return self


IDENTIFIERS = ("external_id", "category", "urgency")


def _scrub(value: Any, where: str = "") -> Any:
    """The body with control characters out of its free text (text, contact, location…);
    in a field name or an identifier (external_id, category, urgency) they are refused."""
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            if isinstance(key, str) and control_in(key):
                raise ApiError(400, refusal("a field name"))
            name = f"{where}.{key}" if where else str(key)
            if name in IDENTIFIERS and isinstance(inner, str):
                if control_in(inner):
                    raise ApiError(400, refusal(name))
                out[key] = inner
            else:
                out[key] = _scrub(inner, name)
        return out
    if isinstance(value, list):
        return [_scrub(v, where) for v in value]
    return clean_text(value) if isinstance(value, str) else value


def _parse(body: Any) -> dict[str, Any]:
    """The hand-off as a plain dict, or ApiError(400) saying what is wrong with it."""
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    body = _scrub(body)
    try:
        parsed = Handoff.model_validate(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        extra = [".".join(map(str, e["loc"])) for e in errors if e["type"] == "extra_forbidden"]
        if extra:
            raise ApiError(400, f"unknown field(s): {', '.join(extra)}") from None
        first = errors[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        if first["type"] == "missing":
            raise ApiError(400, f"{where} is required") from None
        raise ApiError(400, f"{where}: {first['msg'].removeprefix('Value error, ')}") from None
    loc = {k: v for k, v in parsed.location.model_dump().items() if v is not None}
    return {**parsed.model_dump(exclude={"location"}), "location": loc}


async def _json(request: web.Request) -> Any:
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise ApiError(413, f"body over {MAX_BODY} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "body is not UTF-8") from None
    except (json.JSONDecodeError, RecursionError):
        raise ApiError(400, "body is not JSON") from None


async def create(request: web.Request) -> web.Response:
    body = _parse(await _json(request))
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
        code, first = await runtime.db.read(lambda s: _made_for(s, key))
        if first.get("text") != body["text"]:  # not a retry: another report under a used id
            raise ApiError(409, f"external_id {body['external_id']!r} already made ticket "
                           f"{code} with different text; nothing was changed. Send a new "
                           "report with a new external_id, or add to this one on the "
                           "console", ticket=code) from None
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


async def _made_for(session: AsyncSession, key: str) -> tuple[str, dict[str, Any]]:
    """The code of the ticket a hand-off's key made, and the hand-off that made it."""
    row = await session.scalar(select(InboundMessage).where(InboundMessage.dedupe_key == key))
    if row is None or not row.reply:
        raise ApiError(409, "this external_id is being processed; retry")
    try:
        first = json.loads(row.raw or "{}")
    except json.JSONDecodeError:
        first = {}
    return row.reply, first if isinstance(first, dict) else {}


async def _item(session: AsyncSession, code: str) -> dict[str, Any]:
    found = await views.get_ticket(session, code)
    assert found is not None
    return await views.ticket_detail(session, *found)


def setup_intake_api(app: web.Application) -> None:
    app.router.add_post("/api/v1/tickets", create)


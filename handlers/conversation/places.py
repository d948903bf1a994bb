"""Where a resident's report is: a shared position or the last LOCATION event placed in a
grid, or the place its words name, resolved against the gazetteer (`resolve`)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from handlers.ops.geo import grid_at
from handlers.ops.services import Services
from handlers.ops.tickets import Placement, create_ticket, place_for
from nlp.pipeline import Analysis
from nlp.taxonomy import category_name
from storage import repo
from storage.district_match import heard_at
from storage.models import Person, Region, Ticket

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


# a building written after a compound's name: 「溪畔新村3号楼」, 「枫林苑A座」, 「樟树里 7 栋」
_BUILDING_AFTER = re.compile(r"^\s*([0-9A-Za-z]{1,4})\s*(?:号楼|栋|幢|座|号)")
# facility words a place text must not end inside: 「门口路灯坏了」 is 门口 + 路灯, not 门口路
# (not 楼道: 「3号楼道」 is a building's stairwell, and 楼 ends a place of its own)
_FACILITY_WORDS = ("路灯", "路面", "路牙", "路沿", "路障", "井盖", "灯杆", "电梯", "垃圾", "墙面",
                   "墙皮", "车位", "车棚", "水管", "管道", "下水道", "树枝", "栏杆", "台阶")


_RESOLVED = "places.resolved"  # the unit's scratch: (analysis, what resolve made of it)


async def resolve(session: AsyncSession, analysis: Analysis) -> tuple[Placement, Analysis]:
    """The grid and community a message names, and its analysis with that place.

    nlp's extraction is the first try; when it finds no grid, the message's own words are
    matched against the gazetteer, so 「金溪社区溪畔新村垃圾没人清」 (a community name, then the
    compound) finds the compound whatever nlp kept of it. A compound split over grids without
    a building, or a community alone, stays (None, community): the caller asks where.

    A report is resolved twice in its unit, with the very same analysis (the near-repeat
    check, then the ticket it files): the answer is kept in the unit's scratch for that, as
    it depends on nothing else the unit can change (the district's read model)."""
    scratch = session.info.get("unit")
    if scratch is not None:
        found = scratch.get(_RESOLVED)
        if found is not None and found[0] is analysis:
            return found[1]  # type: ignore[no-any-return]
    answer = await _resolve(session, analysis)
    if scratch is not None:
        scratch[_RESOLVED] = (analysis, answer)
    return answer


async def _resolve(session: AsyncSession, analysis: Analysis) -> tuple[Placement, Analysis]:
    analysis = _clean_place(analysis)
    place = await place_for(session, analysis)
    if place.grid is not None:
        return place, analysis
    text = analysis.text or ""
    loc = analysis.location
    gazetteer = await repo.gazetteer(session)
    names = sorted({(n, canon) for canon, aliases in gazetteer
                    for n in (canon, *aliases) if len(n) >= 2 and n in text},
                   key=lambda p: -len(p[0]))
    if not names:
        # voice input's 石流苑 / 石榴院 for 石榴苑: the span heard with the name's sound
        heard = {(text[i:i + len(n)], canon) for canon, aliases in gazetteer
                 for n in (canon, *aliases) if (i := heard_at(text, n)) is not None}
        names = sorted(heard, key=lambda p: -len(p[0])) if len({c for _, c in heard}) == 1 \
            else []
    fallback: tuple[Placement, str, str | None] | None = None
    for name, canon in names:
        after = text[text.index(name) + len(name):]
        m = _BUILDING_AFTER.match(after)
        building = loc.building or (m.group(1).upper() if m else None)
        grid, community = await repo.grid_for_place(session, canon, building)
        if grid is not None:
            return Placement(grid, community), _located(analysis, canon, building)
        if community is not None and fallback is None and not _is_community(community, canon):
            fallback = (Placement(None, community), canon, building)  # a split compound
    if fallback is not None and place.community in (None, fallback[0].community):
        return fallback[0], _located(analysis, fallback[1], fallback[2])
    return place, analysis


def _is_community(community: Region, name: str) -> bool:
    return name == community.name or name in (community.aliases or [])


def _located(analysis: Analysis, compound: str, building: str | None) -> Analysis:
    loc = replace(analysis.location, community=compound,
                  building=building or analysis.location.building)
    return replace(analysis, location=loc)


def _clean_place(analysis: Analysis) -> Analysis:
    """The place text cut at a word's end: never 「门口路」 out of 「门口路灯」."""
    loc = analysis.location
    text = analysis.text or ""
    place = loc.place
    if not place or place not in text:
        return analysis
    end = text.index(place) + len(place)
    for word in _FACILITY_WORDS:
        for cut in range(1, len(word)):
            if place.endswith(word[:cut]) and text.startswith(word[cut:], end):
                kept = place[:-cut].strip() or None
                return replace(analysis, location=replace(loc, place=kept))
    return analysis


def with_details(text: str, data: dict[str, Any]) -> str:
    """The report's words with what the resident added while we asked (「我家卫生间天花板」)."""
    return text + "".join(f"\n补充：{d}" for d in data.get("details") or [] if d)


async def file_draft(session: AsyncSession, services: Services, data: dict[str, Any], *,
                     reporter: Person, now: datetime) -> Ticket:
    """A draft filed as it stands, nothing it knew dropped: the place its words (and the
    answer to «where?») named, a compound's grid or else its community's desk; the category
    the resident chose, else the classifier's best; the details given while we asked."""
    text = data.get("text") or "（居民发送了照片，未附文字说明）"
    where = data.get("where")
    analyzer = services.analyzer
    place, located = await resolve(session, analyzer.analyze(f"{where} {text}" if where
                                                             else text))
    analysis = replace(analyzer.analyze(text), location=located.location)
    category = data.get("category") or (data.get("choices") or [None])[0]
    if category:
        analysis = replace(analysis, category=category, category_name=category_name(category))
    if data.get("triage"):  # 0: the community desk decides the category
        place = Placement(None, place.community)
    t = await create_ticket(session, services, now=now, text=with_details(text, data),
                            analysis=analysis, reporter=reporter, source="resident",
                            place=place, extra_place=where if place.grid is None else None,
                            attachment_ids=[int(i) for i in data.get("attachments") or []])
    # the grid and community stay loaded for the reply (the identity map holds them weakly)
    set_committed_value(t, "region", place.grid)
    if place.community is not None:
        set_committed_value(t, "community", place.community)
    return t

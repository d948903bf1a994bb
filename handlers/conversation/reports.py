"""Filing a resident's report: where it is, whether it repeats an open ticket (附议), then the
ticket with its attachments. Shared by the resident's words, the answer to «where?», a location
message that completes a draft and the answer 2 (仍然新建) to a 附议 offer."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from handlers.conversation import drafts, duplicates
from handlers.conversation.context import Ctx
from handlers.conversation.places import placement_at, recent_position, resolve, with_details
from handlers.conversation.states import DRAFTS, Conv
from handlers.ops import followers
from handlers.ops import messages as msg
from handlers.ops.tickets import Placement, create_ticket
from nlp.taxonomy import category_name
from storage import repo
from storage.models import Person, Region
from storage.repo import triage_people
from storage.repos.tickets import of_resident
from storage.statemachine import OPEN_STATUSES


async def file_report(ctx: Ctx, text: str, *, where: str | None = None,
                      draft: dict[str, Any] | None = None, check_duplicates: bool = True) -> str:
    """Place the report, offer 附议 when it repeats an open ticket, else make the ticket.

    Where, in this order: a location message of the draft (point in polygon, nearest grid)
    → the place named in the text (or in `where`, the answer to our question) → the last
    position a LOCATION event gave, if recent → the bound home address → ask once.
    """
    draft = dict(draft or {})
    draft["attachments"] = list(draft.get("attachments") or []) + \
        await drafts.voice_attachment_ids(ctx)
    analyzer = ctx.services.analyzer
    analysis = analyzer.analyze(text)
    if where:
        place, located = await resolve(ctx.session, analyzer.analyze(f"{where} {text}"))
        analysis = _with_location(analysis, located)
    else:
        place, analysis = await resolve(ctx.session, analysis)
    lng, lat, label = draft.get("lng"), draft.get("lat"), draft.get("label")
    if lng is not None and lat is not None:
        at_point = await placement_at(ctx, lng, lat)
        if at_point.grid is not None:
            place = at_point
    elif place.grid is None and (pos := recent_position(ctx)) is not None:
        at_point = await placement_at(ctx, *pos)
        if at_point.grid is not None and place.community in (None, at_point.community):
            place, (lng, lat) = at_point, pos
    inherited = None
    states_place = bool(analysis.location.community or analysis.location.building)
    pointed = place.grid is None and refers_back(f"{where or ''} {text}")
    if place.grid is None and (
            pointed and (earlier := await _placed_just_now(ctx))
            or not where and not states_place and lng is None and (earlier := await
                _placed_just_now(ctx, ctx.settings.conversation.piece_minutes)) is not None):
        # 「刚才那条狗把一个小孩咬了」 20 s after 「丹桂苑3栋门口有条大狗没拴绳」: that place; so
        # is a new problem that names no place minutes after a placed report (trial 14: «一楼
        # 大厅全是污水» after «石榴苑14栋 下水道堵了» was an urgent ticket at the district desk,
        # «天花板都泡了» after the flat's leak a draft asking where)
        inherited = earlier
        place = Placement(await ctx.session.get(Region, earlier.region_id),
                          await ctx.session.get(Region, earlier.community_id)
                          if earlier.community_id else None)
        loc = analysis.location
        analysis = replace(analysis, location=replace(
            loc, community=loc.community or earlier.community_text,
            building=loc.building or earlier.building,
            # 「就是刚才说的那里」 means that very spot; a new problem only that compound/building
            place=loc.place or (earlier.place if pointed else None)))
    if place.grid is None and ctx.person.home_address:
        home_place, home = await resolve(ctx.session, analyzer.analyze(ctx.person.home_address))
        if place.community is None or place.community == home_place.community:
            place = Placement(home_place.grid or place.grid,
                              home_place.community or place.community)
            if not analysis.location.community:
                analysis = _at_home(analysis, home.location, text)
    if where and place.grid is None and (kept := _address_kept(where, analysis)):
        # 「西溪印象城北门」, a plausible address the gazetteer does not know: kept whole
        analysis = replace(analysis, location=replace(analysis.location, place=kept))
    if place.grid is None and where is None and lng is None and analysis.urgency != "urgent":
        # urgent work never waits on a question: it is filed first and asked after
        await ctx.set_state(Conv.AWAITING_LOCATION, {**draft, "text": text},
                            ctx.settings.conversation.draft_minutes)
        compound = analysis.location.community
        if await repo.is_compound(ctx.session, compound):  # a split compound: which building
            return f"请告诉我具体位置：{compound}的几号楼（几栋、几座）？也可以直接发送位置。"
        if place.community is not None:  # 「翠屏社区有个路灯坏了」: which compound of it
            return (f"请告诉我具体位置：{place.community.name}的哪个小区、几号楼？"
                    "也可以直接发送位置。")
        return msg.ask_location(await repo.example_place(ctx.session))
    if draft.get("category"):  # the resident chose it (the question below)
        forced = draft["category"]
        analysis = replace(analysis, category=forced, category_name=category_name(forced))
    elif not where and _unsure(ctx, analysis) and await _choice_matters(
            ctx, place, [c for c, _ in analysis.alternatives[:2]]):
        # asked where already: one question is enough
        choices = [c for c, _ in analysis.alternatives[:2]]
        prompt = "回复 " + "，".join(f"{i} {category_name(c)}" for i, c in enumerate(choices, 1))
        await ctx.set_state(Conv.AWAITING_CATEGORY, {**draft, "text": text, "where": where,
                                                  "choices": choices, "prompt": prompt},
                            ctx.settings.conversation.draft_minutes)
        return (f"为了派给合适的人，请确认问题类别：\n{prompt}\n"
                "（也可以直接用文字说明；不确定请回复 0，交社区工作人员判断）")
    # someone in danger now is paged at once: an urgent report is never held behind a 附议
    # question; it is filed, and its page names the open ticket it may repeat (trial 12, J5)
    related = None
    if check_duplicates and ctx.settings.duplicates.enabled:
        dup = await followers.find(ctx.session, ctx.settings, ctx.now, person=ctx.person,
                                    category=analysis.category, place=place,
                                    community_text=analysis.location.community,
                                    building=analysis.location.building, lng=lng, lat=lat,
                                    same=lambda t: duplicates.same_problem(ctx, t, text,
                                                                           analysis))
        # only the same problem is offered: another problem of the category in the building
        # (消火栓漏水 beside a drowned e-bike's ticket) is a ticket of its own
        if dup is not None and analysis.urgency != "urgent":
            return await duplicates.offer(ctx, dup, {**draft, "text": text, "where": where})
        related = dup
    if related is None and inherited is not None and inherited.status in OPEN_STATUSES:
        related = inherited  # the officer sees the two together and may 合并 them
    if label:  # a location message's place text is kept as the ticket's place
        loc = analysis.location
        both = label if not loc.place or loc.place in label else f"{label} {loc.place}"
        analysis = replace(analysis, location=replace(loc, place=both))
    if ctx.state is not None and ctx.state.state in DRAFTS:
        await ctx.clear_state()
    if draft.get("triage"):  # 0: the resident leaves the category to the community desk
        place = Placement(None, place.community)
    ticket = await create_ticket(ctx.session, ctx.services, now=ctx.now,
                                 text=with_details(text, draft),
                                 analysis=analysis, reporter=ctx.person, source=_source(ctx),
                                 place=place, extra_place=where if place.grid is None else None,
                                 lng=lng, lat=lat, related=related,
                                 attachment_ids=await drafts.draft_attachment_ids(ctx, draft))
    desk = await triage_people(ctx.session, place.community) if ticket.assignee is None else []
    reply = msg.accepted_reply(ticket, ctx.services, desk,
                               district_desk=await is_district_desk(ctx, desk))
    if inherited is not None:
        reply += (f"\n（位置按您{msg.ago(inherited.created_at, ctx.now)}反映的"
                  f"「{msg.where(inherited)}」登记；如不在那里，请直接告诉我具体位置。）")
    elif related is not None:
        reply += "\n" + msg.related_for_reporter(related, ctx.now)
    if ticket.region_id is None and where is None and lng is None and not draft.get("triage"):
        # urgent and nowhere: paged already; the answer to this question re-routes it
        await ctx.set_state(Conv.AWAITING_PLACE, {"code": ticket.code},
                            ctx.settings.conversation.draft_minutes)
        reply += "\n" + msg.ask_location(await repo.example_place(ctx.session)).replace(
            "请告诉我", "为了让网格员尽快赶到，请告诉我")
    return reply


async def is_district_desk(ctx: Ctx, desk: list[Person]) -> bool:
    """Whether the desk a ticket went to is the district's (no community, or a community with
    no triage list of its own falls back to it), not a community's."""
    return bool(desk) and [p.id for p in desk] == \
        [p.id for p in await triage_people(ctx.session, None)]


RUNNER_UP = 0.5  # ask only when the second category scores at least half of the first


def _unsure(ctx: Ctx, analysis: Any) -> bool:
    """The classifier cannot tell what the one complaint is: a low best score and a close
    runner-up. Decided for issue 12: a message that states two complaints is never put to the
    resident as «1 … 2 …» (either answer drops the other complaint, and residents do not know
    our categories); it is filed for the main one, and its handler reads both in the text and
    转办s or 改类s. Urgent reports are never asked."""
    alts = analysis.alternatives
    if analysis.urgency == "urgent" or len(alts) < 2:
        return False
    return (analysis.confidence < ctx.settings.conversation.choice_below
            and alts[1][1] >= RUNNER_UP * alts[0][1])


async def _choice_matters(ctx: Ctx, place: Placement, choices: list[str]) -> bool:
    """Whether the two categories go to different people in the report's grid: the question
    says «为了派给合适的人», so it is asked only when the answer changes who gets the report
    (「楼下有人吵架」: the community police or the grid officer). When both go to the same
    officer, the report is filed with the best guess and the officer can 改类."""
    if place.grid is None or len(choices) < 2:
        return False  # no grid: the desk decides the category with the place
    officer = await repo.slot_person(ctx.session, place.grid, "officer")
    handlers = set()
    for category in choices:
        cfg = ctx.settings.categories.get(category)
        slot = cfg.slot if cfg else "officer"
        person = await repo.slot_person(ctx.session, place.grid, slot) \
            if slot != "officer" else officer
        person = person if person is not None and person.active else officer
        handlers.add(person.id if person is not None else None)
    return len(handlers) > 1


def _address_kept(where: str, analysis: Any) -> str | None:
    """The answer to «where?» as the ticket's place text when nlp kept only a piece of it."""
    words = where.strip()
    loc = analysis.location
    if loc.community or not words or len(words) > 30:
        return None
    return words if not loc.place or (loc.place in words and loc.place != words) else None


def _with_location(original: Any, located: Any) -> Any:
    return replace(original, location=located.location)


# the resident's own home is the place: 「我家卫生间天花板漏水」 (then the door matters)
_INSIDE_HOME = re.compile(r"我家|家里|屋里|室内|卫生间|厨房|阳台|天花板|客厅|卧室|房间|我屋")


# 「刚才那条狗」「就是刚才说的那里」「还是那个地方」: the place of the report just made
_BACK = re.compile(
    r"(?:刚才|刚刚|刚|上面|前面|之前)(?:说|讲|报|反映|发)?(?:的|了的)?(?:那|这)"
    r"(?:条|只|个|棵|辆|里|儿|边|家|位|根|块|处|间|栋|座|楼)?|"
    r"同一个(?:地方|位置)|同一(?:个)?地方|还是那(?:里|儿|个地方|边)|就是那(?:里|儿|边)")
BACK_MINUTES = 30  # how long after a report 「刚才那里」 still means its place


def refers_back(text: str) -> bool:
    return bool(_BACK.search(text))


async def _placed_just_now(ctx: Ctx, minutes: int = BACK_MINUTES) -> Any:
    """The resident's latest report of the last `minutes` that has a grid, else None."""
    for t in await of_resident(ctx.session, ctx.person.id, limit=3):
        if t.reporter_id == ctx.person.id and t.region_id is not None and \
                (ctx.now - t.created_at).total_seconds() <= minutes * 60:
            return t
        break  # only the latest: an older report's place is not what 「刚才」 means
    return None


def _at_home(analysis: Any, home: Any, text: str) -> Any:
    """The bound address as the place of a report that names none: the compound and building
    only, unless the problem is inside the home. A public problem (「门口的垃圾桶又满了」)
    never carries the resident's unit and room into a ticket others read."""
    loc = analysis.location
    inside = bool(_INSIDE_HOME.search(text))
    return replace(analysis, location=replace(
        loc, community=home.community, building=loc.building or home.building,
        unit=loc.unit or (home.unit if inside else None),
        room=loc.room or (home.room if inside else None)))


def _source(ctx: Ctx) -> str:
    if ctx.person.has_role("correspondent"):
        return "correspondent"
    if ctx.person.has_role("officer"):
        return "officer"
    return "resident"

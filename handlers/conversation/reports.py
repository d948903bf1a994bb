"""Filing a resident's report: where it is, whether it repeats an open ticket (附议), then the
ticket with its attachments. Shared by the resident's words, the answer to «where?», a location
message that completes a draft and the answer 2 (仍然新建) to a 附议 offer."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from handlers.conversation import drafts, duplicates
from handlers.conversation.context import Ctx
from handlers.conversation.places import placement_at, recent_position
from handlers.conversation.states import DRAFTS, Conv
from handlers.ops import followers
from handlers.ops import messages as msg
from handlers.ops.tickets import Placement, create_ticket, place_for
from nlp.taxonomy import category_name
from storage import repo
from storage.repo import triage_people


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
        located = analyzer.analyze(f"{where} {text}")
        place = await place_for(ctx.session, located)
        analysis = _with_location(analysis, located)
    else:
        place = await place_for(ctx.session, analysis)
    lng, lat, label = draft.get("lng"), draft.get("lat"), draft.get("label")
    if lng is not None and lat is not None:
        at_point = await placement_at(ctx, lng, lat)
        if at_point.grid is not None:
            place = at_point
    elif place.grid is None and (pos := recent_position(ctx)) is not None:
        at_point = await placement_at(ctx, *pos)
        if at_point.grid is not None and place.community in (None, at_point.community):
            place, (lng, lat) = at_point, pos
    if place.grid is None and ctx.person.home_address:
        home = analyzer.analyze(ctx.person.home_address)
        home_place = await place_for(ctx.session, home)
        if place.community is None or place.community == home_place.community:
            place = Placement(home_place.grid or place.grid,
                              home_place.community or place.community)
            if not analysis.location.community:
                analysis = _with_location(analysis, home)
    if place.grid is None and where is None and lng is None and analysis.urgency != "urgent":
        # urgent work never waits on a question: it is filed first and asked after
        await ctx.set_state(Conv.AWAITING_LOCATION, {**draft, "text": text},
                            ctx.settings.conversation.draft_minutes)
        return msg.ask_location(await repo.example_place(ctx.session))
    if draft.get("category"):  # the resident chose it (the question below)
        forced = draft["category"]
        analysis = replace(analysis, category=forced, category_name=category_name(forced))
    elif _unsure(ctx, analysis):
        choices = [c for c, _ in analysis.alternatives[:2]]
        prompt = "回复 " + "，".join(f"{i} {category_name(c)}" for i, c in enumerate(choices, 1))
        await ctx.set_state(Conv.AWAITING_CATEGORY, {**draft, "text": text, "where": where,
                                                  "choices": choices, "prompt": prompt},
                            ctx.settings.conversation.draft_minutes)
        return (f"为了派给合适的人，请确认问题类别：\n{prompt}\n"
                "（不确定请回复 0，交社区工作人员判断）")
    # someone in danger now is paged at once: an urgent report is never held behind a 附议 question
    if check_duplicates and ctx.settings.duplicates.enabled and analysis.urgency != "urgent":
        dup = await followers.find(ctx.session, ctx.settings, ctx.now, person=ctx.person,
                                    category=analysis.category, place=place,
                                    community_text=analysis.location.community,
                                    building=analysis.location.building, lng=lng, lat=lat)
        if dup is not None:
            return await duplicates.offer(ctx, dup, {**draft, "text": text, "where": where})
    if label:  # a location message's place text is kept as the ticket's place
        loc = analysis.location
        both = label if not loc.place or loc.place in label else f"{label} {loc.place}"
        analysis = replace(analysis, location=replace(loc, place=both))
    if ctx.state is not None and ctx.state.state in DRAFTS:
        await ctx.clear_state()
    if draft.get("triage"):  # 0: the resident leaves the category to the community desk
        place = Placement(None, place.community)
    ticket = await create_ticket(ctx.session, ctx.services, now=ctx.now, text=text,
                                 analysis=analysis, reporter=ctx.person, source=_source(ctx),
                                 place=place, extra_place=where if place.grid is None else None,
                                 lng=lng, lat=lat,
                                 attachment_ids=await drafts.draft_attachment_ids(ctx, draft))
    desk = await triage_people(ctx.session, place.community) if ticket.assignee is None else []
    reply = msg.accepted_reply(ticket, ctx.services, desk)
    if ticket.region_id is None and where is None and lng is None and not draft.get("triage"):
        # urgent and nowhere: paged already; the answer to this question re-routes it
        await ctx.set_state(Conv.AWAITING_PLACE, {"code": ticket.code},
                            ctx.settings.conversation.draft_minutes)
        reply += "\n" + msg.ask_location(await repo.example_place(ctx.session)).replace(
            "请告诉我", "为了让网格员尽快赶到，请告诉我")
    return reply


RUNNER_UP = 0.5  # ask only when the second category scores at least half of the first
SECOND_PROBLEM = 0.4  # … or, when nlp found it as a problem of its own clause, 0.4 of it
_CLAUSES = re.compile(r"[，,。；;！!？?\s]+")


def _unsure(ctx: Ctx, analysis: Any) -> bool:
    """Two categories genuinely compete: a low best score and a close runner-up, or a
    runner-up that nlp also found as a problem of its own clause (`also`: 「狗天天叫，楼道里
    还堆着他家的东西」). A low score alone is common when a message is mostly address, and
    asking then only annoys."""
    alts = analysis.alternatives
    if analysis.urgency == "urgent" or len(alts) < 2:
        return False
    if alts[1][0] in getattr(analysis, "also", ()) and alts[1][1] >= SECOND_PROBLEM * alts[0][1] \
            and len(_CLAUSES.split(analysis.text.strip(" ，,。"))) >= 2:
        return True
    return (analysis.confidence < ctx.settings.conversation.choice_below
            and alts[1][1] >= RUNNER_UP * alts[0][1])


def _with_location(original: Any, located: Any) -> Any:
    return replace(original, location=located.location)


def _source(ctx: Ctx) -> str:
    if ctx.person.has_role("correspondent"):
        return "correspondent"
    if ctx.person.has_role("officer"):
        return "officer"
    return "resident"

"""What people send besides text: photos, video, voice and locations.

This router runs first for everyone. A voice message whose `Recognition` is not empty becomes a
text message here and goes on to the next routers; the update keeps its media id, so a text
update that carries a `media_id` is a recognised voice message (`voice_media`) and the ticket it
makes keeps the recording. Every photo, video or voice kept as evidence becomes an Attachment at
once, so `bot.channels.media_store` can download it before WeChat's media id expires (3 days);
a draft (conversation state) holds the attachment ids until its ticket exists.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from handlers.conversation import pieces
from handlers.conversation.context import Ctx
from handlers.conversation.drafts import (
    draft_of,
    last_acted,
    link,
    new_attachment,
    recent_ticket,
)
from handlers.conversation.places import placement_at, recent_position
from handlers.conversation.reports import file_report
from handlers.conversation.router import Event, MsgType, NotHandled, Router
from handlers.conversation.states import DRAFTS, Conv
from handlers.conversation.text import normalize
from handlers.ops import messages as msg
from handlers.ops.attachments import KIND_NAMES
from handlers.ops.privacy import mask_phones
from handlers.ops.roles import STAFF_ROLES
from handlers.ops.tickets import Placement, create_ticket
from storage import repo
from storage.models import Attachment, Region
from storage.repos.tickets import ticket_by_code
from storage.statemachine import record

logger = logging.getLogger(__name__)
router = Router("media")

VOICE_TEXT = "（语音留言，未识别出文字，请收听附件）"


def ask_what(example: str | None) -> str:
    """What a photo or video needs: words and a place, the example from this district."""
    where = example or msg.EXAMPLE_PLACE
    return (f"请用文字说明是什么问题、在哪里（小区、楼号），例如「{where}门口井盖丢了」；"
            "也可以发送位置。")


ASK_WHAT_ONLY = "请用文字说明是什么问题，例如「井盖丢了」「路灯不亮」。"
OFFICER_HOLD = ("照片已收到。请接着发送「进度 工单号 说明」或「办结 工单号 结果」，"
                "照片会作为该工单的办理凭证。")


def is_staff(ctx: Ctx) -> bool:
    return ctx.person.has_role(*STAFF_ROLES) or ctx.update.channel == "work"


def _remember(ctx: Ctx) -> None:
    u = ctx.update
    if u.lat is not None and u.lng is not None:
        ctx.identity.last_lat, ctx.identity.last_lng = u.lat, u.lng
        ctx.identity.last_position_at = ctx.now


# -- handlers -------------------------------------------------------------------------------
@router.on(MsgType("voice"), lambda ctx: bool(normalize(ctx.update.text)))
async def recognised_voice(ctx: Ctx) -> str:
    """Handled as the words WeChat recognised, by whichever router takes text."""
    ctx.update.type = "text"
    ctx.text = normalize(ctx.update.text)
    raise NotHandled


@router.on(Event("LOCATION"))
async def position_event(ctx: Ctx) -> None:
    _remember(ctx)  # kept for a later report; WeChat shows no answer to this event
    return None


@router.on(MsgType("image", "video", "shortvideo"), lambda ctx: bool(ctx.update.media_id))
async def photo(ctx: Ctx) -> str:
    kind = "image" if ctx.update.type == "image" else "video"
    name = KIND_NAMES[kind][0]
    att = await new_attachment(ctx, kind, ctx.update.media_id or "")
    if is_staff(ctx):
        return await _officer_photo(ctx, att)
    answered = await _to_asker(ctx, att)
    if answered is not None:
        return answered
    st = ctx.state
    if st is not None and st.state in DRAFTS:
        data = dict(st.data or {})
        data["attachments"] = list(data.get("attachments") or []) + [att.id]
        await ctx.set_state(st.state, data, ctx.settings.conversation.draft_minutes)
        example = await repo.example_place(ctx.session)
        return f"已收到{name}。" + _next_step(st.state, data, example)
    t = await recent_ticket(ctx)
    if t is not None:
        await link(ctx, t, [att.id])
        if t.assignee is not None:  # a piece of the report: its officer hears of it
            await ctx.notify(t.assignee, f"工单 {t.code} 居民补充了{name}，"
                             f"发送「工单 {t.code}」查看。", t)
            return f"已把{name}补充到工单 {t.code}，并转告负责人。发送「查询 {t.code}」查看进度。"
        return f"已把{name}补充到工单 {t.code}。发送「查询 {t.code}」查看进度。"
    await ctx.set_state(Conv.AWAITING_DESCRIPTION, {"attachments": [att.id]},
                        ctx.settings.conversation.draft_minutes)
    return f"已收到{name}。{ask_what(await repo.example_place(ctx.session))}"


async def _to_asker(ctx: Ctx, att: Attachment) -> str | None:
    """An officer asked this resident (追问): what they send goes to that ticket's officer.
    The question stays open for words (the clock runs again on a text answer)."""
    st = ctx.state
    code = (st.data or {}).get("code") if st is not None and st.state == Conv.ANSWERING else None
    t = await ticket_by_code(ctx.session, str(code)) if code else None
    if t is None or t.reporter_id != ctx.person.id:
        return None
    await link(ctx, t, [att.id])
    name = KIND_NAMES[att.kind][0]
    if t.assignee is not None:
        await ctx.notify(t.assignee, f"工单 {t.code} 居民发来{name}作为补充，已存入工单附件。", t)
    return f"已把{name}补充到工单 {t.code} 并转告工作人员。如有文字说明，请直接回复。"


def _next_step(state: str, data: dict[str, Any], example: str | None) -> str:
    if state == Conv.AWAITING_LOCATION:
        return msg.ask_location(example)
    if state in (Conv.AWAITING_DUPLICATE, Conv.AWAITING_CATEGORY, Conv.AWAITING_PIECE):
        return str(data.get("prompt") or "请回复数字选择。")
    return ASK_WHAT_ONLY if data.get("lng") is not None else ask_what(example)


async def _officer_photo(ctx: Ctx, att: Attachment) -> str:
    t = await last_acted(ctx)
    if t is None:  # held: the next 进度/办结 takes it (attach_evidence)
        return OFFICER_HOLD
    await link(ctx, t, [att.id])
    return f"已把照片作为工单 {t.code} 的办理凭证。"


@router.on(MsgType("location"),
           lambda ctx: ctx.update.lat is not None and ctx.update.lng is not None)
async def location(ctx: Ctx) -> str:
    _remember(ctx)
    u = ctx.update
    label = mask_phones(normalize(u.label or ""))[:120] or None
    here = {"lng": u.lng, "lat": u.lat, "label": label}
    if is_staff(ctx) and ctx.update.channel == "work":
        return "已收到位置。处理工单请发送「进度 工单号 说明」或「办结 工单号 结果」。"
    st = ctx.state
    if st is not None and st.state == Conv.AWAITING_LOCATION:  # the place the draft waited for
        data = dict(st.data or {})
        await ctx.clear_state()
        return await file_report(ctx, data.get("text", ""), where=label,
                                 draft={**data, **here})
    if st is not None and st.state in DRAFTS:
        data = {**(st.data or {}), **here}
        await ctx.set_state(st.state, data, ctx.settings.conversation.draft_minutes)
        return "已收到位置。" + _next_step(st.state, data, await repo.example_place(ctx.session))
    t = await recent_ticket(ctx)
    if t is not None and t.lng is None and t.region_id is None:
        # the report lacked its place: this one completes it and routes it (its holder told)
        grid = (await placement_at(ctx, u.lng, u.lat)).grid  # type: ignore[arg-type]
        if grid is not None and await pieces.locate(ctx, t, label or "", lng=u.lng, lat=u.lat,
                                                    grid=grid):
            return (f"已把位置补充到工单 {t.code}，{msg.responsible_line(t)}。"
                    f"发送「查询 {t.code}」查看进度。")
    if t is not None and t.lng is None:
        t.lng, t.lat = u.lng, u.lat
        t.place = t.place or label
        record(ctx.session, t, "located", actor_id=ctx.person.id,
               note=label or f"{u.lat:.5f},{u.lng:.5f}", at=ctx.now)
        return f"已把位置补充到工单 {t.code}。发送「查询 {t.code}」查看进度。"
    await ctx.set_state(Conv.AWAITING_DESCRIPTION, here, ctx.settings.conversation.draft_minutes)
    place = await placement_at(ctx, u.lng, u.lat)  # type: ignore[arg-type]
    where = f"（{place.grid.name}）" if place.grid else ""
    return f"已收到位置：{label or '您发送的位置'}{where}。{ASK_WHAT_ONLY}"


@router.on(MsgType("voice"))
async def unrecognised_voice(ctx: Ctx) -> str:
    """No words came with it: a person must listen, so it goes to the triage list."""
    if is_staff(ctx) or not ctx.update.media_id:
        return ("语音没有识别出文字，请发送文字。"
                + ("发送「帮助」查看指令。" if is_staff(ctx) else ""))
    att = await new_attachment(ctx, "voice", ctx.update.media_id)
    answered = await _to_asker(ctx, att)
    if answered is not None:
        return answered
    draft = draft_of(ctx)
    text = draft.get("text") or VOICE_TEXT
    analysis = ctx.services.analyzer.analyze(draft.get("text") or "")
    if not draft.get("text"):
        analysis = replace(analysis, confidence=0.0)
    lng, lat = draft.get("lng"), draft.get("lat")
    if lng is None or lat is None:
        lng, lat = recent_position(ctx) or (None, None)
    community = await _community_hint(ctx, lng, lat)
    ticket = await create_ticket(ctx.session, ctx.services, now=ctx.now, text=text,
                                 analysis=analysis, reporter=ctx.person, source=_source(ctx),
                                 place=Placement(None, community),
                                 extra_place=draft.get("label"), lng=lng, lat=lat)
    await link(ctx, ticket, list(draft.get("attachments") or []) + [att.id])
    if draft:
        await ctx.clear_state()
    return (f"已收到您的语音留言，工单号 {ticket.code}，已转社区工作人员收听后处理。\n"
            "方便的话也可以用文字描述问题和位置（小区、楼号），处理会更快。\n"
            f"发送「查询 {ticket.code}」查看进度。")


async def _community_hint(ctx: Ctx, lng: float | None, lat: float | None) -> Region | None:
    """Whose triage list hears the voice: from a position, else the bound address."""
    if lng is not None and lat is not None:
        place = await placement_at(ctx, lng, lat)
        if place.community is not None:
            return place.community
    if ctx.person.home_address:
        home = ctx.services.analyzer.analyze(ctx.person.home_address)
        grid, community = await repo.grid_for_place(ctx.session, home.location.community,
                                                    home.location.building)
        return community or (await repo.community_of(ctx.session, grid) if grid else None)
    return None


def _source(ctx: Ctx) -> str:
    return "correspondent" if ctx.person.has_role("correspondent") else "resident"

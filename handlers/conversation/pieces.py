"""What a resident adds to a report already filed: repeats, pieces, 补充 and 催办.

- Repeats: the same words (ignoring punctuation, emoji, spaces and width) as one of the
  resident's own open tickets from the last `[conversation] repeat_hours` make no ticket; they
  are told it is filed. New MsgIds do not matter: WeChat retries are the gateway's business.
- Pieces: within `[conversation] piece_minutes` of the resident's own report, a message that
  adds a place, a time, who did it or how it is now, but no problem of its own, is appended to
  that report, and its officer is told. A place that the report lacked completes it (and routes
  it when it waited on the triage list). A message that states its own problem (its own place
  elsewhere, another category, a danger the report did not have) is a new report however soon
  it comes (`verdict`); when it is unclear (the same kind of problem told with other words, a
  bare place elsewhere) the resident is asked once, 1 补充 / 2 新问题, and silence files it as
  a new report (the state is a draft: the draft-expiry job files it), never a silent «补充».
- `补充 CODE 内容` does the same on purpose, at any time; on a `waiting` ticket it answers the
  追问 and the clock runs again. `催办 CODE` nudges the holder, at most once a day per ticket; a
  second 催办 once the deadline has passed copies the community leader.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from handlers.conversation.context import Ctx
from handlers.conversation.meaning import bare, looks_like_problem
from handlers.conversation.states import Conv
from handlers.ops import messages as msg
from handlers.ops.privacy import mask_phones
from handlers.ops.tickets import Placement, assign, place_for, responsible, route
from nlp.taxonomy import category_name
from storage import repo
from storage.models import Region, Ticket, TicketEvent
from storage.repo import normalize_building
from storage.repos.tickets import of_resident
from storage.statemachine import OPEN_STATUSES, record, transition

logger = logging.getLogger(__name__)


async def repeat_of(ctx: Ctx, text: str) -> Ticket | None:
    hours = ctx.settings.conversation.repeat_hours
    words = bare(text)
    if not hours or not words:
        return None
    since = ctx.now - timedelta(hours=hours)
    for t in await of_resident(ctx.session, ctx.person.id, limit=20):
        # the report's words or any piece of it: in a flood, a copy of the message that
        # answered our question (「快来人啊 车堵门口了」 after «请确认类别») is a repeat too
        if t.reporter_id == ctx.person.id and t.status in OPEN_STATUSES + ("resolved",) \
                and t.created_at >= since \
                and any(bare(part) == words for part in t.text.split("\n补充：")):
            return t
    return None


async def tell_repeat(ctx: Ctx, t: Ticket, text: str) -> str | None:
    """The same words again: no ticket; «已经登记过了» once per ticket per REPEAT_TOLD, and
    the history notes the resident said it again; copies in that time (of the report, or of a
    piece just added) get no reply (each late reply is a push)."""
    told = await ctx.session.scalar(select(TicketEvent.id).where(
        TicketEvent.ticket_id == t.id, TicketEvent.actor_id == ctx.person.id,
        TicketEvent.created_at >= ctx.now - REPEAT_TOLD,
        (TicketEvent.kind == "repeated") | ((TicketEvent.kind == "supplemented")
                                            & (TicketEvent.note == mask_phones(text))))
        .limit(1))
    if told is not None:
        return None
    record(ctx.session, t, "repeated", actor_id=ctx.person.id, at=ctx.now)
    return repeat_reply(t)


_DIGITS = re.compile(r"\d+")


async def near_repeat(ctx: Ctx, text: str, analysis: Any) -> Ticket | None:
    """The resident's own report of minutes ago that this one repeats but for a number
    (「云栖公寓A座3楼有人乱扔垃圾」 then 「…5楼…」) or in other words: same category, same
    compound and building, words alike once the digits are left out. Urgent reports are never
    folded."""
    minutes = ctx.settings.conversation.piece_minutes
    words = _DIGITS.sub("", bare(text))
    loc = analysis.location
    if not minutes or not words or analysis.urgency == "urgent" or not loc.community:
        return None
    since = ctx.now - timedelta(minutes=minutes)
    for t in await of_resident(ctx.session, ctx.person.id, limit=5):
        if t.reporter_id != ctx.person.id or t.status not in OPEN_STATUSES \
                or t.created_at < since or t.urgency == "urgent":
            continue
        first = t.text.split("\n补充：")[0]
        if t.category == analysis.category and t.community_text == loc.community \
                and (t.building or None) == (loc.building or None) \
                and _alike(_DIGITS.sub("", bare(first)), words):
            return t
    return None


def _alike(a: str, b: str) -> bool:
    """The same words, or the same matter told again in other words (「门口的井盖松了 一踩就响」
    then 「门口那个井盖松了！踩上去哐哐响」): half the character pairs of the shorter shared."""
    if a == b:
        return True
    pa, pb = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
    return bool(pa and pb) and len(pa & pb) >= 0.5 * min(len(pa), len(pb))


REPEAT_TOLD = timedelta(minutes=5)  # «已经登记了» said once per ticket in this long


async def fold_repeat(ctx: Ctx, t: Ticket, text: str) -> str | None:
    """A near repeat joins the ticket as a piece, quietly: its holder is not paged again for
    the same matter (the ticket's text and history carry it). The resident is told so once per
    ticket per REPEAT_TOLD: after that a new wording gets one short line and the same words
    again nothing at all (a flood of them would otherwise come back as as many pushes)."""
    note = mask_phones(text)
    told = list((await ctx.session.scalars(
        select(TicketEvent.note).where(
            TicketEvent.ticket_id == t.id, TicketEvent.kind == "supplemented",
            TicketEvent.actor_id == ctx.person.id,
            TicketEvent.created_at >= ctx.now - REPEAT_TOLD))).all())
    if note in told:
        return None
    t.text = f"{t.text}\n补充：{text}"
    record(ctx.session, t, "supplemented", actor_id=ctx.person.id, note=note, at=ctx.now)
    if told:
        return f"已补充到工单 {t.code}。"
    who = t.assignee.name if t.assignee else "社区工作人员"
    return (f"这件事刚才已经登记了（工单 {t.code}，{who}负责），这条已补充进去，不用重复发送。"
            f"查看进度请发「查询 {t.code}」。")


def repeat_reply(t: Ticket) -> str:
    who = t.assignee.name if t.assignee else "社区工作人员"
    return (f"这件事已经登记过了（工单 {t.code}，{who}负责），不用重复发送。"
            f"要补充情况请发「补充 {t.code} 内容」，查看进度请发「查询 {t.code}」。")


async def recent_report(ctx: Ctx) -> Ticket | None:
    minutes = ctx.settings.conversation.piece_minutes
    if not minutes:
        return None
    since = ctx.now - timedelta(minutes=minutes)
    for t in await of_resident(ctx.session, ctx.person.id, limit=3):
        if t.reporter_id == ctx.person.id and t.status in OPEN_STATUSES:
            last = await ctx.session.scalar(select(TicketEvent.created_at).where(
                TicketEvent.ticket_id == t.id, TicketEvent.actor_id == ctx.person.id)
                .order_by(TicketEvent.id.desc()).limit(1))
            return t if max(t.created_at, last or t.created_at) >= since else None
    return None


# keywords nlp gives that say how many or that another matter follows, not what is wrong
_NOT_WHAT = re.compile(r"^(?:[一二两三四五六七八九十几\d]+[个棵辆只条台处根块间层]|"
                       r"还有|另外|又有|尽快|赶紧|马上|麻烦|一直|处理|派人|反映|投诉|看看|管管|"
                       # who is named (the party that did nothing, whose it is) and when: not
                       # what is wrong (trial 15: a 道闸 offered as a 附议 of a 门禁 ticket
                       # for 物业 in common; «人家、公共», «十一点、音响» shown as its subject)
                       r"物业|物业公司|物管|业主|业委会|居委会|居委|社区|街道|人家|别人|公共|邻居|"
                       r"房东|租户|大家|居民|我们|你们|他们|"
                       r"[一二两三四五六七八九十\d]+点(?:多|半|钟)?|晚上|早上|凌晨|半夜|白天|中午|"
                       r"每天|天天|最近)$")
# a building, unit, room or floor: where, not what
_WHERE_WORDS = re.compile(r"[0-9A-Za-z一二三四五六七八九十]{1,4}\s*"
                          r"(?:号楼|栋|幢|座|号|单元|室|层|楼)")


def problem_words(analysis: Any, *places: str | None) -> set[str]:
    """The domain words nlp found that say what is wrong (消火栓, 漏水, 电动车), not where
    (the place text's words, its own or `places`: 地下车库, 东门, 楼道, 人行道) nor how many
    (一棵) nor how soon (尽快)."""
    wheres = [p for p in (analysis.location.place, *places) if p]
    return {k for k in analysis.keywords or []
            if len(k) >= 2 and not _NOT_WHAT.match(k)
            and not any(k in p or p in k for p in wheres)}


def what_is_said(text: str, analysis: Any) -> str:
    """The words of a message once its place is taken out (「澄园3栋地下车库开始进水了」 →
    「开始进水了」), bare."""
    b = bare(text)
    loc = analysis.location
    for words in (loc.community, loc.place):
        if words:
            b = b.replace(bare(words), "")
    return _DIGITS.sub("", _WHERE_WORDS.sub("", b))


_CLAUSE = re.compile(r"[，,。.！!？?；;\s]+")


def first_said(text: str, analysis: Any) -> str:
    """The first clause that says something besides the place: the complaint itself, before
    the pleas and asides that end many reports alike (邻居们都很着急, 拜托了)."""
    for clause in _CLAUSE.split(text):
        said = what_is_said(clause, analysis)
        if len(said) >= 2:
            return said
    return what_is_said(text, analysis)


def states_problem(ctx: Ctx, text: str, analysis: Any) -> bool:
    """The message says something is wrong, on its own: nlp reads it as a report of a
    category with a problem word or a domain word, or (nlp read it as a bare place or a
    detail) its words beside the place do (「澄园3栋地下车库开始进水了」: 开始进水了)."""
    if analysis.act == "report" and analysis.category not in (None, "other") and \
            (looks_like_problem(text) or problem_words(analysis)
             or analysis.urgency == "urgent"):
        return True
    return problem_beside_place(ctx, text, analysis) is not None


def problem_beside_place(ctx: Ctx, text: str, analysis: Any) -> Any | None:
    """When nlp takes a message for a place or a detail although it names a place and more:
    the analysis of the words beside the place, if they are a report of a category."""
    loc = analysis.location
    if analysis.act == "report" and analysis.category not in (None, "other"):
        return None
    if not (loc.community or loc.building or loc.place):
        return None
    rest = what_is_said(text, analysis)
    if len(rest) < 2 or rest == bare(text):
        return None
    said = ctx.services.analyzer.analyze(rest)
    if said.act == "report" and said.category not in (None, "other", "consult"):
        return said
    return None


def same_matter(text: str, analysis: Any, other_text: str, other: Any, *,
                place_words: bool) -> bool:
    """Whether two reports of one category are about the same problem: a domain word of the
    complaint of one (its first clause) in the words of the other (垃圾堆 and 垃圾, 漏水 and 漏水),
    or, when one of them names no such word, the same place word (`place_words`: both «楼道»)
    or first clauses alike once places and numbers are left out. The pleas and asides after
    the complaint, which many reports share (邻居们都很着急), never make two problems one."""
    # a word that is the place of either says where, not what (人行道 beside 人行道上方)
    places = (analysis.location.place, other.location.place)
    first, other_first = first_said(text, analysis), first_said(other_text, other)
    mine = {w for w in problem_words(analysis, *places) if w in first}
    theirs = {w for w in problem_words(other, *places) if w in other_first}
    said, other_said = bare(text), bare(other_text)
    if any(w in other_said for w in mine) or any(w in said for w in theirs):
        return True
    if mine and theirs:
        return False  # 消火栓、漏水 is not 电动车、充电
    pa, pb = analysis.location.place, other.location.place
    if place_words and pa and pb and (pa in pb or pb in pa):
        return True
    return _alike(first, other_first)


async def elsewhere(ctx: Ctx, t: Ticket, analysis: Any, place: Placement) -> bool:
    """The message names a place of its own (a compound or building) that is not `t`'s: in
    another grid, or another compound (one grid may hold several: 桂井新苑 and 墨池巷) or
    building. A compound's other name (澄园小区 for 澄园) is the same place."""
    loc = analysis.location
    if not (loc.community or loc.building):
        return False
    if place.grid is not None and t.region_id is not None and place.grid.id != t.region_id:
        return True
    if loc.community and t.community_text:
        canon = {bare(n): bare(c) for c, aliases in await repo.gazetteer(ctx.session)
                 for n in (c, *aliases)}
        mine, theirs = bare(loc.community), bare(t.community_text)
        if canon.get(mine, mine) != canon.get(theirs, theirs):
            return True
    return bool(loc.building and t.building and
                normalize_building(loc.building) != normalize_building(t.building))


_ANNOUNCED = re.compile(r"^(?:还有|另外|又有|再投诉|再反映|再说一件|顺便|对了还有)")


async def verdict(ctx: Ctx, t: Ticket, text: str, analysis: Any, place: Placement) -> str:
    """What a message sent minutes after the resident's report `t` is: "piece" (a place, a
    time, who did it, how it is now: appended to `t`), "report" (it states a problem of its
    own: a new report, whatever the time since `t`) or "ask" (unclear: the resident says).
    `analysis` carries the place `resolve` found, `place` its grid."""
    problem = states_problem(ctx, text, analysis)
    if _ANNOUNCED.match(bare(text)) and (problem or looks_like_problem(text)):
        return "report"  # 「还有，3栋电梯坏了」
    if await elsewhere(ctx, t, analysis, place):
        # 「桂井新苑东门自来水突然停了」 after a 澄园11栋 car park: another place's problem;
        # a bare place elsewhere may correct the report's place or start another one
        return "report" if problem or looks_like_problem(text) else "ask"
    if not problem:
        return "piece"  # 「已经三天了」「就在2单元门口」「是楼上那家干的」
    if t.category in ("other", "consult") and t.request_kind in ("求助", "咨询"):
        return "report"  # after 「人工客服」 or a question to the desk: a problem is a report
    if analysis.urgency == "urgent" and t.urgency != "urgent":
        return "report"  # a danger now is paged at once, never a line on a calmer ticket
    first = t.text.split("\n补充：")[0]
    before = ctx.services.analyzer.analyze(first)
    category = analysis.category
    said = problem_beside_place(ctx, text, analysis)
    if said is not None:
        category = said.category
    if category != t.category:
        alts = [c for c, _ in analysis.alternatives[:2]]
        unsure = analysis.confidence < ctx.settings.conversation.choice_below
        if t.category == "other" or (unsure and t.category in alts):
            return "ask"  # the report had no category, or this one may be of its kind
        return "report"  # 「垃圾也没人清理」 after a broken lamp
    if same_matter(text, analysis, first, before, place_words=False):
        return "piece"  # 「水越来越深了」: how it is now
    return "ask"  # the same kind of problem, other words: the same one, or another?


PIECE_PROMPT = "回复 1 补充到该工单，回复 2 作为新问题反映"


async def ask(ctx: Ctx, t: Ticket, text: str, attachments: list[int] | None = None) -> str:
    """Unclear whether `text` belongs to `t`: one question. The words wait as a draft, so an
    unanswered question files them as a report of their own (never a silent «补充»)."""
    prompt = PIECE_PROMPT
    await ctx.set_state(Conv.AWAITING_PIECE, {"text": text, "code": t.code, "prompt": prompt,
                                              "attachments": list(attachments or [])},
                        ctx.settings.conversation.draft_minutes)
    return (f"这条是对工单 {t.code}（{category_name(t.category)}，{msg.where(t)}）的补充，"
            f"还是另一个问题？\n{prompt}")


async def locate(ctx: Ctx, t: Ticket, where: str, *, lng: float | None = None,
                 lat: float | None = None, grid: Region | None = None) -> bool:
    """Complete `t`'s place from `where` (words or a position already placed in `grid`);
    a ticket on the triage list is then routed, its new holder told. False: no place found."""
    located = ctx.services.analyzer.analyze(f"{where} {t.text}")
    loc = located.location
    if grid is None:
        place = await place_for(ctx.session, located)
        grid = place.grid
        community = place.community
    else:
        community = await repo.community_of(ctx.session, grid)
    if grid is None:
        return False
    # the desk that was given it to place (triage_notice): told it need not, once it is routed
    desk: list[Any] = []
    if t.assignee_id is None and t.status in ("new", "returned"):
        was = await ctx.session.get(Region, t.community_id) if t.community_id else None
        desk = await repo.triage_people(ctx.session, was)
    t.community_text = loc.community or t.community_text
    t.building, t.unit = loc.building or t.building, loc.unit or t.unit
    t.room = loc.room or t.room
    if lng is not None:
        t.lng, t.lat = lng, lat
        t.place = t.place or where
    t.region_id, t.region = grid.id, grid
    if community is not None:
        t.community_id, t.community = community.id, community
    record(ctx.session, t, "located", actor_id=ctx.person.id, note=mask_phones(where), at=ctx.now)
    if t.assignee_id is None and t.status in ("new", "returned"):
        await route(ctx.session, ctx.services, t, grid, community, now=ctx.now)
        if t.assignee is not None:
            for p in desk:
                if p.id != t.assignee_id:
                    await ctx.notify(p, f"工单 {t.code} 居民已补充位置（{msg.where(t)}），"
                                     f"已派给 {t.assignee.name}，无需再分拨。", t)
    elif t.assignee is not None:
        await ctx.notify(t.assignee, f"工单 {t.code} 居民补充了位置：{msg.where(t)}", t)
    return True


# 「不是我家那栋 是隔壁丹桂苑1栋的」「地址写错了，应该是5栋」: the place is corrected
_CORRECTION = re.compile(r"不是[^，。,.!！?？]{0,12}(?:是|在)|(?:写|说|填|弄|定位)错了|"
                         r"应该是|更正|纠正|搞错了")
NOT_YET_TAKEN = ("new", "assigned", "returned")  # a correction moves a ticket nobody accepted


def is_correction(text: str) -> bool:
    """「不对不对 是13号楼 我说错了」: the place of the report just made, corrected."""
    return bool(_CORRECTION.search(bare(text)))


async def _moved(ctx: Ctx, t: Ticket, text: str) -> str | None:
    """A place correction naming another grid moves `t` there when nobody has accepted it;
    the holder it leaves is told. None: not a correction, the same grid, or no grid found."""
    if not _CORRECTION.search(bare(text)) or t.status not in NOT_YET_TAKEN:
        return None
    said = _CORRECTION.split(text, maxsplit=1)[-1] or text  # what follows 不是…是
    analyzer = ctx.services.analyzer
    if not analyzer.analyze(said).location.community and t.community_text:
        said = f"{t.community_text}{said}"  # 「是7号楼的」: of the same compound
    located = analyzer.analyze(said)
    place = await place_for(ctx.session, located)
    if place.grid is None or place.grid.id == t.region_id or not located.location.building:
        return None
    holder, copied = await responsible(ctx.session, ctx.services, t, place.grid)
    if holder is None:
        return None
    left = t.assignee
    located = located.location
    t.community_text = located.community or t.community_text
    t.building, t.unit, t.room = located.building, located.unit, located.room
    t.region_id, t.region = place.grid.id, place.grid
    if place.community is not None:
        t.community_id, t.community = place.community.id, place.community
    record(ctx.session, t, "rerouted", actor_id=ctx.person.id, note=mask_phones(text), at=ctx.now)
    await assign(ctx.session, ctx.services, t, holder, now=ctx.now, actor_id=None, copied=copied,
                 action="reassign" if t.status == "assigned" else "assign",
                 note=f"居民更正位置后改派给 {holder.name}（{holder.id}）")
    if left is not None and left.id != t.assignee_id:
        await ctx.notify(left, f"工单 {t.code} 居民更正了位置（{msg.where(t)}），已改派，"
                         "您无需处理。", t)
    return f"已按您更正的位置改派工单 {t.code}，{msg.responsible_line(t)}。"


async def append(ctx: Ctx, t: Ticket, text: str) -> str:
    """Add `text` to `t` as the resident's own words; its holder hears it."""
    t.text = f"{t.text}\n补充：{text}"
    if (moved := await _moved(ctx, t, text)) is not None:
        return moved
    analysis = ctx.services.analyzer.analyze(f"{t.community_text or ''}{text}")
    loc = analysis.location
    if t.region_id is None and (loc.community or loc.building):
        if await locate(ctx, t, text if loc.community or not t.community_text
                        else f"{t.community_text}{text}"):
            return f"已把位置补充到工单 {t.code}，{msg.responsible_line(t)}。"
    t.unit = t.unit or loc.unit
    t.room = t.room or loc.room
    if not t.building and loc.building and t.community_text:
        t.building = loc.building
    record(ctx.session, t, "supplemented", actor_id=ctx.person.id, note=mask_phones(text),
           at=ctx.now)
    if t.assignee is not None:
        await ctx.notify(t.assignee, f"工单 {t.code} 居民补充：{mask_phones(text)}", t)
    return f"已把这条补充到工单 {t.code}，并转告负责人。发送「查询 {t.code}」查看进度。"


async def ask_holder(ctx: Ctx, t: Ticket, text: str) -> str:
    """A resident's question about the ticket just resolved (「老人家现在怎么样了 哪个医院啊」):
    its holder hears it and answers with 回复; the rating still waits."""
    note = mask_phones(text)
    record(ctx.session, t, "supplemented", actor_id=ctx.person.id, note=note, at=ctx.now)
    holder = t.assignee
    if holder is not None:
        await ctx.notify(holder, f"工单 {t.code} 居民询问：{note}\n"
                                 f"答复居民请发「回复 {t.code} 内容」。", t)
    who = holder.name if holder is not None else "社区工作人员"
    return (f"您的问题已转给工单 {t.code} 的负责人{who}，会尽快答复您。\n"
            f"对这次处理的评价，{msg.RATING_PROMPT}")


async def supplement(ctx: Ctx, t: Ticket, text: str) -> str:
    """补充 CODE 内容: on a waiting ticket it answers the 追问 (the clock runs again)."""
    if t.status == "waiting":
        transition(ctx.session, t, "answer", actor_id=ctx.person.id, actor_role="reporter",
                   note=text, at=ctx.now)
        t.text = f"{t.text}\n补充：{text}"
        if ctx.state is not None and ctx.state.state == "answering":
            await ctx.clear_state()
        if t.assignee:
            by = msg.deadline_text(t.resolve_by, ctx.services)
            await ctx.notify(t.assignee, f"工单 {t.code} 居民回复：{mask_phones(text)}\n"
                             f"办理时限已顺延至 {by}。", t)
        return f"已把您的补充转告工作人员（工单 {t.code}），感谢配合。"
    return await append(ctx, t, text)


# impatience about a report already made: 「催一下」「怎么还没人来」「等了好几天了」. A question
# about progress (「有进展吗」) is a query and lists the tickets instead.
_NUDGE = re.compile(
    r"催(?:一下|一催|催|下|办|促)|帮我催|"
    r"(?:怎么|咋)还(?:是)?没(?:有)?人?(?:来|处理|修|弄|管|回复|回|动静|解决|到)|"
    r"还没(?:有)?(?:人|人来|来人)(?:处理|修|管|弄|来)?|还没(?:修好|弄好|处理|解决|来)|"
    r"(?:什么|啥)时候(?:能|才|会|可以)?(?:来|过来|处理|修|弄|解决|派人)|"
    r"(?:要|还要|得|还得)等多久|多久(?:能|才|会)?(?:来|修|处理|弄|解决|有人)|等了(?:好久|半天|一天|一上午|一下午|一晚上|好几天|[一二两三四五六七八九十几\d]+天|这么久)|"
    r"(?:能不能|可不可以|可以|麻烦)?快(?:点|一点)(?:来|处理|修|弄|派人)?")
# words of a problem that are not the impatience itself (a nudge names none of its own)
_NUDGE_WORDS = re.compile(
    r"催|来|人|没|还|处理|修|弄|管|回复|动静|解决|时候|什么|啥|等|快|点|一下|好久|好|都|半天|天|了|"
    r"啊|呀|吗|呢|吧|啦|能|不能|可以|麻烦|你们|我|的|这么|久|怎么|咋|是|有|帮|到|过|派|会|才|"
    r"上午|下午|晚上|几|多|要|得|大概|请问|[一二两三四五六七八九十\d]")


def is_nudge(text: str) -> bool:
    """「催一下」「怎么还没人来啊」: impatience, naming no problem of its own
    (「怎么还没人来修路灯」 names one and is read as a report about it)."""
    b = bare(text)
    return 0 < len(b) <= 24 and bool(_NUDGE.search(b)) and not _NUDGE_WORDS.sub("", b)


# 「不用来了 我儿子回来已经把灯泡换好了」「已经修好了，不用麻烦了」: the resident's problem went
# away before anyone came
_FIXED = re.compile(
    r"(?:不用|不需要|不必|别)(?:再|派人)?(?:来|过来|麻烦|处理|修)了|"
    r"(?:已经|自己|我们自己|刚刚|刚才|现在)[^，。！？,.!?]{0,10}(?:修好|换好|弄好|处理好|搞好|"
    r"通了|解决)(?!了?(?:吗|么|没|不))|"
    r"(?:已经|现在)(?:好了|没事了|恢复了|不漏了|不响了|亮了)(?!吗|么|没)")


def is_fixed_already(text: str) -> bool:
    b = bare(text)
    return 0 < len(b) <= 40 and bool(_FIXED.search(b))


async def open_reports(ctx: Ctx) -> list[Ticket]:
    """The resident's own tickets still being handled, the latest first."""
    return [t for t in await of_resident(ctx.session, ctx.person.id, limit=20)
            if t.reporter_id == ctx.person.id and t.status in OPEN_STATUSES]


def sounds_impatient(text: str) -> bool:
    b = bare(text)
    return 0 < len(b) <= 30 and bool(_NUDGE.search(b))


def restated_nudge(text: str, tickets: list[Ticket]) -> Ticket | None:
    """「催一下，垃圾还是没人收」「怎么还没人来啊，门禁还是坏的」: impatience with the problem of
    one of the resident's open reports said again (a pair of characters of that report's text
    and most of the rest: the latest such report); a problem of its own is not one (trial 15:
    both were asked «在哪里» and became placeless tickets, the holder never reminded)."""
    if not sounds_impatient(text):
        return None
    rest = _NUDGE_WORDS.sub("", bare(text))
    if not rest or len(rest) > 8:
        return None
    for t in tickets:
        told = t.text.split("\n补充：")[0]
        if any(rest[i:i + 2] in told for i in range(len(rest) - 1)) \
                and 2 * sum(ch in told for ch in rest) >= len(rest):
            return t
    return None


async def nudge_latest(ctx: Ctx, text: str | None = None) -> str | None:
    """催办 without a code: the latest open report is the one meant (with `text`, the latest
    whose problem the nudge restates); None when there is none."""
    open_now = await open_reports(ctx)
    if not open_now:
        return None
    if text is not None:
        meant = restated_nudge(text, open_now)
        if meant is None:
            return None
        open_now = [meant, *(t for t in open_now if t is not meant)]
    reply = await nudge(ctx, open_now[0])
    if len(open_now) > 1:
        reply += (f"\n您还有 {len(open_now) - 1} 件工单在办理中，"
                  "催办其他工单请发送「催办 工单号」，发送「查询」查看工单号。")
    return reply


async def nudge(ctx: Ctx, t: Ticket) -> str:
    since = ctx.now - timedelta(days=1)
    earlier = (await ctx.session.scalars(select(TicketEvent.created_at).where(
        TicketEvent.ticket_id == t.id, TicketEvent.kind == "nudged"))).all()
    if any(at >= since for at in earlier):
        return (f"今天已经为您催办过工单 {t.code}，负责人已收到提醒，请再耐心等一等。"
                f"发送「查询 {t.code}」查看进度。")
    record(ctx.session, t, "nudged", actor_id=ctx.person.id, note=None, at=ctx.now)
    holder = t.assignee
    text = (f"【居民催办】工单 {t.code}（{msg.where(t)}）反映人催促处理，"
            f"时限 {msg.deadline_text(t.resolve_by, ctx.services)}。")
    told = []
    if holder is not None and await ctx.notify(holder, text, t):
        told.append(holder.name)
    overdue = t.resolve_by is not None and t.resolve_by < ctx.now
    if overdue and earlier:
        community = await ctx.session.get(Region, t.community_id) if t.community_id else None
        leader = await repo.slot_person(ctx.session, community, "leader") if community else None
        if leader is not None and leader.id != (holder.id if holder else None):
            await ctx.notify(leader, f"【超期催办】{text}该工单已超过办理时限，"
                             "居民再次催办，请督办。", t)
            told.append(leader.name)
    if not told:
        return f"已记录您的催办（工单 {t.code}），社区工作人员会尽快处理。"
    return (f"已为您催办工单 {t.code}，已提醒{'、'.join(told)}。"
            f"办理时限：{msg.deadline_text(t.resolve_by, ctx.services)}。")


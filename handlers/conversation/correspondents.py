"""Grid correspondents (网格通讯员): riders who report from the road, verified by a liaison,
paid in points. `router` serves any Official Account sender (注册通讯员, 积分, 积分排行);
`staff_router` serves liaisons and leaders (通过, 拒绝, 核实, 驳回, 兑换)."""

from __future__ import annotations

import logging
import re

from handlers.conversation.context import Ctx
from handlers.conversation.router import Command, NotHandled, Router
from handlers.conversation.steps import code_by_ending
from handlers.conversation.text import split_code
from handlers.ops import messages as msg
from handlers.ops import points
from handlers.ops.notices import tell_reporters
from handlers.ops.privacy import mask_phones
from handlers.ops.reach import may_act
from handlers.ops.roles import STAFF_ROLES, TRIAGE_ROLES
from handlers.ops.services import Services
from handlers.ops.tickets import assign, place_for, responsible, sla_for
from handlers.ops.verification import ROLE, liaisons_of
from storage import repo
from storage.models import CorrespondentApplication, Person, Region, Ticket
from storage.repos import people
from storage.repos.applications import pending_of
from storage.repos.tickets import ticket_by_code
from storage.sla import deadline
from storage.statemachine import STATUS_NAMES, TransitionError, record, transition

logger = logging.getLogger(__name__)
router = Router("correspondent")  # Official Account senders, before the resident router
staff_router = Router("correspondent-staff")  # staff, before the officers' fallback

_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
REGISTER_USAGE = "请发送「注册通讯员 姓名 手机」，例如「注册通讯员 王师傅 13800000001」。"


def _join_hint(services: Services) -> str:
    c = services.settings.correspondents
    return ("外卖、快递骑手等常在路上的朋友，可发送「注册通讯员 姓名 手机」申请成为网格通讯员："
            f"反映的问题经联络员核实 +{c.points_verified} 分，办结再 +{c.points_resolved} 分，"
            "积分可兑换社区权益。")


async def _may_verify(ctx: Ctx, t: Ticket) -> bool:
    return await may_act(ctx.session, ctx.person, t, holder=False)


# Official Account side -----------------------------------------------------------------------
@router.on(Command("注册通讯员", "申请通讯员"))
async def register(ctx: Ctx, args: str) -> str:
    if ctx.person.has_role(ROLE):
        return (f"您已是网格通讯员（{ctx.person.name}）。"
                "发送「积分」查看积分，「积分排行」看本月排名。")
    phone_m = _PHONE.search(args)
    name = " ".join(_PHONE.sub(" ", args).split()).strip(",，、:：") if phone_m else ""
    if phone_m is None or not name or len(name) > 16 or any(ch.isdigit() for ch in name):
        return REGISTER_USAGE
    pending = await pending_of(ctx.session, ctx.person.id)
    if pending is not None:
        return f"您的申请 #{pending.id} 正在等待联络员审核，审核后会通知您。期间可照常反映问题。"
    app = CorrespondentApplication(person_id=ctx.person.id, name=name, phone=phone_m.group(0),
                                   created_at=ctx.now)
    ctx.session.add(app)
    await ctx.session.flush()
    community = None
    if ctx.person.home_address:
        place = await place_for(ctx.session,
                                ctx.services.analyzer.analyze(ctx.person.home_address))
        community = place.community or await repo.community_of(ctx.session, place.grid)
    people = await liaisons_of(ctx.session, community)  # no community: the district's desk
    where = f"（{community.name}）" if community else ""
    for p in people:
        await ctx.notify(p, f"新通讯员申请 #{app.id} {name} "
                         f"{mask_phones(app.phone or '')}{where}，"
                         f"回复「通过 {app.id}」或「拒绝 {app.id} 原因」。")
    logger.info("application #%s from %s to %d liaisons", app.id, ctx.person.id, len(people))
    return (f"已提交网格通讯员申请 #{app.id}（{name} {mask_phones(app.phone or '')}），"
            "联络员审核后会通知您。期间可照常直接发文字反映路上看到的问题。")


@staff_router.on(Command("积分排行", "积分榜", "排行榜"))
@router.on(Command("积分排行", "积分榜", "排行榜"))
async def leaderboard(ctx: Ctx, args: str) -> str:
    """Names only for everyone; staff also see each one's ID and balance, for 兑换."""
    staff = ctx.person.has_role(*STAFF_ROLES)
    month = points.month_label(ctx.now)
    lines = [f"{month}通讯员积分前十："]
    for rank, p, pts in await points.month_top(ctx.session, ctx.now):
        extra = (f"（ID {p.id}，可用 {await points.balance(ctx.session, p.id)} 分）"
                 if staff else "")
        lines.append(f"{rank}. {_display(p)} {pts} 分{extra}")
    if len(lines) == 1:
        lines = [f"{month}还没有通讯员获得积分。"]
    if staff:
        lines.append("社区领导登记兑换：「兑换 通讯员ID 分数 说明」。")
    elif ctx.person.has_role(ROLE):
        lines.append("发送「积分」查看自己的积分和排名。")
    else:
        lines.append(_join_hint(ctx.services))
    return "\n".join(lines)


def _display(p: Person) -> str:
    # the name given at registration; never a phone or an openid
    return mask_phones(p.name) if p.name else "通讯员"


@router.on(Command("积分", "我的积分"))
async def my_points(ctx: Ctx, args: str) -> str:
    if not ctx.person.has_role(ROLE):
        pending = await pending_of(ctx.session, ctx.person.id)
        if pending is not None:
            return f"积分是网格通讯员的服务积分。您的申请 #{pending.id} 正在等待联络员审核。"
        return "积分是网格通讯员的服务积分。" + _join_hint(ctx.services)
    s = await points.standing(ctx.session, ctx.person.id, ctx.now)
    rank = f"，本月排名第 {s.rank} 名（共 {s.ranked} 人）" if s.rank else "，本月还没有上榜"
    c = ctx.settings.correspondents
    return "\n".join([
        f"{ctx.person.name}，您的可用积分：{s.balance} 分",
        f"本月获得 {s.month} 分{rank}。",
        f"反映的问题经核实 +{c.points_verified} 分，办结再 +{c.points_resolved} 分。",
        "发送「积分排行」查看本月前十名；路上看到问题直接发文字即可。",
    ])


@router.on(Command("帮助", "help", "?", "？", "菜单", "使用说明"))
async def help_(ctx: Ctx, args: str) -> str:
    if not ctx.person.has_role(ROLE):
        raise NotHandled
    return msg.RESIDENT_HELP + "\n通讯员：\n· 积分：我的积分和本月排名\n· 积分排行：本月前十名"


# staff side ----------------------------------------------------------------------------------
Decision = tuple[CorrespondentApplication, str] | str  # the application and the rest, or a refusal


async def _application(ctx: Ctx, args: str, verb: str) -> Decision:
    if not ctx.person.has_role(*TRIAGE_ROLES):
        return "只有联络员和社区领导可以审核通讯员申请。"
    head, _, rest = args.lstrip("#").partition(" ")
    app = await ctx.session.get(CorrespondentApplication, int(head)) if head.isdigit() else None
    if app is None:
        return f"没有找到这条申请。请发送「{verb} 申请号」，申请号见申请通知（如 #12）。"
    if app.state != "pending":
        done = "通过" if app.state == "approved" else "拒绝"
        return f"申请 #{app.id}（{app.name}）已被{done}，无需再处理。"
    return app, rest.strip()


@staff_router.on(Command("通过"))
async def approve(ctx: Ctx, args: str) -> str:
    got = await _application(ctx, args, "通过")
    if isinstance(got, str):
        return got
    app, _ = got
    person = await ctx.session.get(Person, app.person_id)
    app.state, app.decided_by, app.decided_at = "approved", ctx.person.id, ctx.now
    if person is None:
        return f"申请 #{app.id} 的申请人已注销，无法开通。"
    # a new list: an in-place append to a JSON column is not seen by the session
    person.roles = [*(person.roles or []), ROLE] if not person.has_role(ROLE) else person.roles
    person.name, person.phone = app.name, app.phone
    c = ctx.settings.correspondents
    await ctx.notify(person, f"恭喜，您的网格通讯员申请已通过（{app.name}）！路上看到安全隐患、"
                     f"设施损坏等问题，直接发文字给我们：核实后 +{c.points_verified} 分，"
                     f"办结再 +{c.points_resolved} 分。"
                     "发送「积分」查看积分，「积分排行」看本月排名。")
    logger.info("application #%s approved by %s", app.id, ctx.person.id)
    return (f"已通过申请 #{app.id} {app.name} {mask_phones(app.phone or '')}"
            f"（通讯员ID {person.id}）。"
            "此后该通讯员的反映会先发给联络员，请回复「核实 工单号」或「驳回 工单号 原因」。")


@staff_router.on(Command("拒绝"))
async def decline(ctx: Ctx, args: str) -> str:
    got = await _application(ctx, args, "拒绝")
    if isinstance(got, str):
        return got
    app, reason = got
    app.state, app.decided_by, app.decided_at = "rejected", ctx.person.id, ctx.now
    why = f"，原因：{reason}" if reason else ""
    await ctx.notify(await ctx.session.get(Person, app.person_id),
                     f"很抱歉，您的网格通讯员申请 #{app.id} 未通过{why}。"
                     "如有疑问可联系社区；您仍可随时直接发文字反映身边的问题。")
    return f"已拒绝申请 #{app.id} {app.name}，已告知申请人。"


@staff_router.on(Command("核实"))
async def verify(ctx: Ctx, args: str) -> str:
    code, _ = await code_by_ending(ctx, args, lambda t: _may_verify(ctx, t))
    if (t := await ticket_by_code(ctx.session, code) if code else None) is None:
        return ("请发送「核实 工单号」，工单号见待核实通知。" if code is None
                else f"没有找到工单 {code}。")
    if not await _may_verify(ctx, t):
        return f"工单 {t.code} 不在您负责联络的社区，不能核实。"
    try:
        transition(ctx.session, t, "verify", actor_id=ctx.person.id, actor_role="staff",
                   note="联络员核实属实", at=ctx.now)
    except TransitionError as e:
        return f"{e}发送「工单 {t.code}」查看详情。"
    # the officer's clock starts now: the wait for the liaison is not theirs
    respond, resolve = sla_for(ctx.services, t.category, t.urgency)
    t.respond_by = deadline(ctx.now, respond, ctx.services.calendar)
    t.resolve_by = deadline(ctx.now, resolve, ctx.services.calendar)
    grid = await ctx.session.get(Region, t.region_id) if t.region_id else None
    officer, copied = await responsible(ctx.session, ctx.services, t, grid) if grid else (None, [])
    if officer is not None:
        await assign(ctx.session, ctx.services, t, officer, now=ctx.now, actor_id=ctx.person.id,
                     action="reassign", copied=copied, note=f"核实后派给 {officer.name}")
    else:
        record(ctx.session, t, "triage", actor_id=ctx.person.id, note="核实后未定位到网格",
               at=ctx.now)
    reporter = await ctx.session.get(Person, t.reporter_id) if t.reporter_id else None
    bonus, pts = "", ctx.settings.correspondents.points_verified
    if reporter is not None and reporter.has_role(ROLE) and await points.credit(
            ctx.session, reporter, t, "verified", pts, ctx.now, actor_id=ctx.person.id):
        bonus = f"通讯员积分 +{pts}，现有 {await points.balance(ctx.session, reporter.id)} 分。"
    who = f"{t.region.name if t.region else ''}网格员{officer.name}" if officer else "社区"
    await tell_reporters(ctx.session, t, f"您反映的问题（{t.code}）经联络员核实，已交{who}处理。"
                         f"发送「查询 {t.code}」查看进度。", at=ctx.now,
                         reporter_suffix=f"{bonus}发送「积分」查看积分。" if bonus else "")
    return (f"已核实 {t.code}，派给 {officer.name} 处理。{'已为通讯员记分。' if bonus else ''}"
            if officer else (f"已核实 {t.code}，但未定位到网格："
                             f"请回复「派单 {t.code} 姓名」派给负责人。"))


@staff_router.on(Command("驳回"))
async def reject_report(ctx: Ctx, args: str) -> str:
    code, reason = split_code(args)
    if code is None or not reason:
        return "请发送「驳回 工单号 原因」，原因会转告通讯员。"
    if (t := await ticket_by_code(ctx.session, code)) is None:
        return f"没有找到工单 {code}。"
    if not await _may_verify(ctx, t):
        return f"工单 {t.code} 不在您负责联络的社区，不能驳回。"
    if t.status != "pending_verification":
        status = STATUS_NAMES.get(t.status, t.status)
        return f"工单 {t.code} 当前状态为「{status}」，只有待核实的反映可以驳回。"
    transition(ctx.session, t, "cancel", actor_id=ctx.person.id, actor_role="staff",
               note=f"联络员驳回：{reason}", at=ctx.now)
    await tell_reporters(ctx.session, t, f"感谢您反映的情况（{t.code}）。经联络员核实，"
                         f"此条暂不派单处理：{reason}。看到新的问题，欢迎随时发给我们。",
                         at=ctx.now)
    return f"已驳回 {t.code}，已告知通讯员。"


@staff_router.on(Command("兑换"))
async def redeem(ctx: Ctx, args: str) -> str:
    if not ctx.person.has_role("leader", "admin"):
        return "只有社区领导或管理员可以登记积分兑换。"
    parts = args.split(maxsplit=2)
    if len(parts) < 3 or not parts[1].isdigit() or int(parts[1]) <= 0:
        return "请发送「兑换 通讯员ID 分数 说明」，例如「兑换 r-1a2b3c 20 兑换洗衣液一瓶」。"
    key, amount, note = parts[0], int(parts[1]), parts[2]
    person = await ctx.session.get(Person, key)
    if person is None:  # the registered name also does, when only one correspondent has it
        named = [p for p in await people.active_named(ctx.session, key) if p.has_role(ROLE)]
        person = named[0] if len(named) == 1 else None
    if person is None or not person.has_role(ROLE):
        return f"没有找到通讯员「{key}」（或有重名）。发送「积分排行」查看通讯员ID。"
    have = await points.balance(ctx.session, person.id)
    if have < amount:
        return f"{_display(person)} 可用积分 {have} 分，不足 {amount} 分，未登记兑换。"
    points.debit(ctx.session, person, amount, ctx.now, actor_id=ctx.person.id, note=note)
    await ctx.notify(person, f"您已用 {amount} 积分兑换：{note}。剩余 {have - amount} 分，"
                     "发送「积分」查看积分和排名。感谢您为社区出力！")
    logger.info("redemption of %d points for %s by %s", amount, person.id, ctx.person.id)
    return f"已登记 {_display(person)} 兑换 {amount} 分（{note}），剩余 {have - amount} 分。"

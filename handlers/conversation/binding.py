"""Binding an officer's Official Account openid with their one-time code
(绑定 123456 or a QR scene)."""

from __future__ import annotations

import logging
from datetime import timedelta

from handlers.conversation.context import Ctx
from handlers.ops import messages as msg
from handlers.ops.notices import deliver_kept
from storage.repos import people

logger = logging.getLogger(__name__)


LOCKED = "尝试次数过多，请{minutes}分钟后再试，或向社区管理员确认绑定码。"
INVALID = "绑定码无效或已使用（或已过期），请向社区管理员索取新的绑定码。"


async def bind_officer(ctx: Ctx, code: str) -> str:
    """`绑定 123456`: this Official Account openid becomes that staff member's. Codes expire
    and are single-use; a sender who tries too many wrong ones is locked out for a while (the
    sender, not the code: nobody can lock an officer out by guessing at theirs)."""
    cfg, me = ctx.settings.binding, ctx.identity
    if me.bind_locked_until is not None and me.bind_locked_until > ctx.now:
        left = max(1, int((me.bind_locked_until - ctx.now).total_seconds() // 60))
        return LOCKED.format(minutes=left)
    person = await people.by_bind_code(ctx.session, code)
    if person is not None and ctx.person.id == person.id:  # scanned their own code again
        return f"您已绑定为 {person.name}。"
    expired = person is not None and (
        person.bind_code_set_at is None
        or ctx.now - person.bind_code_set_at > timedelta(days=cfg.code_days))
    if person is None or person.bind_code_used or expired:
        me.bind_failures = (me.bind_failures or 0) + 1
        if me.bind_failures >= cfg.max_failures:
            me.bind_failures, me.bind_locked_until = 0, ctx.now + timedelta(
                minutes=cfg.lockout_minutes)
            logger.warning("mp identity %s locked out of binding after %d wrong codes",
                           me.id, cfg.max_failures)
            return LOCKED.format(minutes=cfg.lockout_minutes)
        return INVALID
    me.bind_failures = 0
    ctx.identity.person_id = person.id
    person.bind_code_used = True
    logger.info("bound mp identity %s to %s", ctx.identity.id, person.id)
    # the notices kept while nobody could reach them (an assignment, a reminder) go out now
    fold_after = ctx.settings.outbox.fold_after
    kept = await deliver_kept(ctx.session, person, "mp", ctx.identity.external_id, at=ctx.now,
                              fold_after=fold_after)
    late = ""
    if kept and fold_after and kept >= fold_after:
        late = (f"此前有 {kept} 条通知未能送达，已合并成汇总消息补发（紧急的在前）；"
                "待办以「我的工单」为准。\n")
    elif kept:
        late = f"此前有 {kept} 条通知未能送达，现在补发给您。\n"
    return f"{person.name}，绑定成功。您可以在这里接收和处理工单。\n{late}" + msg.OFFICER_HELP

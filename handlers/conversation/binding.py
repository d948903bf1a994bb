"""Binding an officer's Official Account openid with their one-time code (绑定 123456 or a QR scene)."""

from __future__ import annotations

import logging

from handlers.conversation.context import Ctx
from handlers.ops import messages as msg
from storage.repos import people

logger = logging.getLogger(__name__)


async def bind_officer(ctx: Ctx, code: str) -> str:
    """`绑定 123456`: this Official Account openid becomes that staff member's."""
    person = await people.by_bind_code(ctx.session, code)
    if person is not None and ctx.person.id == person.id:  # scanned their own code again
        return f"您已绑定为 {person.name}。"
    if person is None or person.bind_code_used:
        return "绑定码无效或已使用，请向社区管理员索取新的绑定码。"
    ctx.identity.person_id = person.id
    person.bind_code_used = True
    logger.info("bound mp identity %s to %s", ctx.identity.id, person.id)
    return f"绑定成功，{person.name}。您可以在这里接收和处理工单。\n" + msg.OFFICER_HELP

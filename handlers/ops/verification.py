"""Correspondents' reports go to a liaison first: who verifies, and asking them."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ops import messages as msg
from handlers.ops.notices import notify
from handlers.ops.privacy import mask_phones
from handlers.ops.services import Services
from nlp.taxonomy import category_name
from storage.models import Person, Region, Ticket
from storage.repo import triage_people

logger = logging.getLogger(__name__)


ROLE = "correspondent"


# who verifies ------------------------------------------------------------------------------
async def liaisons_of(session: AsyncSession, community: Region | None) -> list[Person]:
    """The community's liaisons, else its triage list, else the district's."""
    ids = list((community.slots or {}).get("liaisons") or []) if community is not None else []
    people = [p for p in [await session.get(Person, pid) for pid in ids] if p and p.active]
    return people or await triage_people(session, community)


async def verifiers_for(session: AsyncSession, services: Services, source: str, urgency: str,
                        community: Region | None) -> list[Person]:
    """Who must verify a new report first; empty: it goes straight to the officer (not a
    correspondent's, verify_first off, urgent, or nobody there to verify it)."""
    if source != ROLE or urgency == "urgent" or not services.settings.correspondents.verify_first:
        return []
    people = await liaisons_of(session, community)
    if not people:
        logger.warning("no liaison to verify a correspondent's report; routing it directly")
    return people


async def ask_verification(session: AsyncSession, ticket: Ticket, verifiers: list[Person],
                           reporter: Person | None, *, now: datetime) -> None:
    who = reporter.name if reporter is not None and reporter.name else "通讯员"
    text = "\n".join([
        f"【待核实】通讯员{who}反映 {ticket.code} {category_name(ticket.category)}",
        f"位置：{msg.where(ticket)}", f"内容：{mask_phones(ticket.text)}",
        f"属实请回复「核实 {ticket.code}」派给网格员；不属实回复「驳回 {ticket.code} 原因」。",
    ])
    for p in verifiers:
        await notify(session, p, text, at=now, ticket=ticket)

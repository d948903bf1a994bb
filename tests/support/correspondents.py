"""Quick ways to get a correspondent: through the real flow (注册通讯员 → 通过) or seeded
straight into the database; and their points ledger."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage import repo
from storage.models import Identity, Person, PointsLedger, Ticket
from tests.support.bot import START, Bot


async def person_of(bot: Bot, openid: str) -> Person:
    async def q(s: Any) -> Person:
        return await repo.person_by_identity(s, "mp", openid)

    person = await bot.db.read(q)
    assert person is not None
    return person


async def become_correspondent(bot: Bot, openid: str, name: str = "王师傅",
                               phone: str = "13800000009") -> Person:
    """Register, and have the district desk (指挥中心, `centre`) approve."""
    reply = await bot.send(openid, f"注册通讯员 {name} {phone}")
    m = re.search(r"#(\d+)", reply or "")
    assert m, reply
    assert "已通过" in (await bot.send("centre", f"通过 {m.group(1)}", channel="work") or "")
    return await person_of(bot, openid)


async def ledger(bot: Bot, person_id: str | None = None) -> list[PointsLedger]:
    async def q(s: Any) -> list[PointsLedger]:
        stmt = select(PointsLedger).order_by(PointsLedger.id)
        if person_id:
            stmt = stmt.where(PointsLedger.person_id == person_id)
        return list((await s.scalars(stmt)).all())

    return await bot.db.read(q)


async def seed(bot: Bot, rows: list[tuple[str, str, list[tuple[int, datetime]]]]) -> None:
    """Correspondents (id, name, [(points, when)]) with an openid each and one verified
    ticket per credit, written directly: the ranking tests need many of them."""

    async def unit(s: Any) -> None:
        n = 0
        for pid, name, credits in rows:
            s.add(Person(id=pid, name=name, roles=["resident", "correspondent"],
                         phone="13900000000", created_at=START))
            s.add(Identity(person_id=pid, channel="mp", external_id=f"o-{pid}", created_at=START))
            await s.flush()
            for pts, when in credits:
                n += 1
                t = Ticket(code=f"GD20260101-{n:04d}", category="municipal", urgency="normal",
                           text="路口井盖松动", reporter_id=pid, source="correspondent",
                           status="closed", created_at=when, updated_at=when)
                s.add(t)
                await s.flush()
                s.add(PointsLedger(person_id=pid, ticket_id=t.id, points=pts, reason="verified",
                                   created_at=when))

    await bot.db.run(unit)

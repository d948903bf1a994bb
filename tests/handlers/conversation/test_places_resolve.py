"""`places.resolve` keeps its last answer for the unit (a report is placed twice there, with
the very same analysis): another message's analysis in the same unit is still placed by its
own words."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.conversation.places import resolve
from storage import repo
from storage.db import Database
from storage.district import import_district
from tests.support.bot import analyzer
from tests.support.district import DISTRICT


async def test_each_analysis_of_one_unit_is_placed_by_its_own_words(db: Database) -> None:
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    an = analyzer()
    an.set_gazetteer(await db.read(repo.gazetteer))
    first = an.analyze("幸福花园3号楼门口垃圾没人清运")
    second = an.analyze("金色港湾门口垃圾没人清运")

    async def unit(session: AsyncSession) -> list[str | None]:
        grids = []
        for analysis in (first, second, first):
            place, _ = await resolve(session, analysis)
            grids.append(place.grid.code if place.grid else None)
        return grids

    grids = await db.run(unit)
    assert None not in grids
    assert grids[0] == grids[2] != grids[1]

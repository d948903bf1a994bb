"""The district's read model: routing answers from memory, and every worker sees an import or
a console edit (this process at once, another process through the version row)."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import repo
from storage.clock import Clock
from storage.db import Database
from storage.district import import_district
from storage.migrate import upgrade
from storage.models import Person, Region
from storage.repos.people import new_resident
from tests.support.district import DISTRICT

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_c, _cur, statement, _p, _ctx, _many) -> None:  # noqa: ANN001
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def officer_of(db: Database, place: str, building: str) -> str | None:
    async def q(session: AsyncSession) -> str | None:
        grid, _ = await repo.grid_for_place(session, place, building)
        person = await repo.slot_person(session, grid, "officer")
        return person.id if person else None

    return await db.run(q)


async def test_routing_a_report_reads_nothing_once_loaded(db: Database) -> None:
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    assert await officer_of(db, "幸福花园", "3") == "zhangwei"
    with statements(db) as seen:
        assert await officer_of(db, "幸福花园", "7") == "lina"
        assert await officer_of(db, "金色港湾", "") == "lina"
    assert seen == []


async def test_an_edit_in_this_process_is_seen_at_once(db: Database) -> None:
    db.district.check_seconds = 3600  # only the in-process signal can make it reload
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    assert await officer_of(db, "幸福花园", "3") == "zhangwei"

    async def hand_over(session: AsyncSession) -> None:  # what a console edit does
        grid = await session.scalar(select(Region).where(Region.code == "FC-LJ-01"))
        grid.slots = {**grid.slots, "officer": "lina"}

    await db.run(hand_over)
    assert await officer_of(db, "幸福花园", "3") == "lina"


async def test_another_worker_learns_of_an_edit_through_the_database(
        tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'two.db'}"
    await upgrade(url)
    db = Database(url, district_check_seconds=0.2)
    try:
        await db.run(lambda s: import_district(s, DISTRICT, source="test"))
        assert await officer_of(db, "幸福花园", "3") == "zhangwei"
        script = textwrap.dedent(f"""
            import asyncio
            from sqlalchemy import select
            from storage.db import Database
            from storage.models import Region

            async def main():
                db = Database({url!r})
                async def edit(session):
                    grid = await session.scalar(select(Region).where(Region.code == "FC-LJ-01"))
                    grid.slots = {{**grid.slots, "officer": "lina"}}
                await db.run(edit)
                await db.close()
            asyncio.run(main())
        """)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script, cwd=ROOT)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
        db.district.stale()  # as if check_seconds had passed
        assert await officer_of(db, "幸福花园", "3") == "lina"
    finally:
        await db.close()


async def test_residents_writing_do_not_reload_the_model(db: Database) -> None:
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    await officer_of(db, "幸福花园", "3")
    loads = db.district.loads

    async def newcomer(session: AsyncSession) -> None:
        await new_resident(session, "mp", "o-newcomer", Clock().now())

    await db.run(newcomer)
    await officer_of(db, "幸福花园", "3")
    assert db.district.loads == loads


async def test_listeners_hear_each_load_and_a_failing_one_breaks_nothing(db: Database) -> None:
    heard: list[list[str]] = []

    def broken(_snap: object) -> None:
        raise RuntimeError("listener bug")

    db.district.listeners += [broken, lambda snap: heard.append([n for n, _ in snap.gazetteer])]
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    assert await officer_of(db, "幸福花园", "3") == "zhangwei"  # loaded despite `broken`
    assert heard and "金色港湾" in heard[-1]
    assert await officer_of(db, "幸福花园", "7") == "lina"
    assert len(heard) == 1  # no reload, nothing to hear


async def test_what_the_model_hands_out_behaves_as_if_loaded_in_the_unit(db: Database) -> None:
    """Each unit gets its own instances (persistent, unmodified, no SQL to get them); a change
    to one is written like any loaded row's, and the cached copy other units get is not."""
    await db.run(lambda s: import_district(s, DISTRICT, source="test"))
    await officer_of(db, "幸福花园", "3")  # loaded

    async def look(session: AsyncSession) -> tuple[object, ...]:
        with statements(db) as seen:
            grid, community = await repo.grid_for_place(session, "幸福花园", "3")
            again, _ = await repo.grid_for_place(session, "幸福花园", "3")
            officer = await repo.slot_person(session, grid, "officer")
        assert seen == []
        assert again is grid and grid in session and officer in session
        assert not session.dirty and not session.is_modified(grid)
        assert (grid.code, grid.level, community.level, officer.name) == (
            "FC-LJ-01", "grid", "community", "张伟")
        officer.phone = "13800000000"  # a change is tracked as on a loaded row
        assert session.is_modified(officer)
        return grid, officer.id

    first_grid, officer_id = await db.run(look)

    async def phone(session: AsyncSession) -> tuple[object, str | None, str | None]:
        grid, _ = await repo.grid_for_place(session, "幸福花园", "3")
        cached = db.district.snap.people[officer_id].phone
        stored = await session.scalar(select(Person.phone).where(Person.id == officer_id))
        return grid, cached, stored

    loads = db.district.loads
    grid, cached, stored = await db.run(phone)
    assert grid is not first_grid  # another unit, another instance
    assert stored == "13800000000"  # written by the unit that changed it
    assert db.district.loads == loads and cached != stored  # the snapshot was not mutated

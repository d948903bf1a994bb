"""`new_row` makes the same row as the model's constructor: written by the ORM's flush with
its column defaults, tracked once it is in a session, and refusing a keyword that is no
column as the constructor refuses one."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import Identity, Outbox, Person, add_new, new_row

AT = datetime(2026, 11, 22, 9, 0)


async def test_a_row_made_so_is_stored_as_the_constructors_is(any_db: Database) -> None:
    async def unit(s):  # noqa: ANN001, ANN202
        fast = new_row(Outbox, channel="mp", recipient="o1", payload={"text": "甲"},
                       next_attempt_at=AT, created_at=AT)
        slow = Outbox(channel="mp", recipient="o1", payload={"text": "甲"},
                      next_attempt_at=AT, created_at=AT)
        assert fast not in s and fast.id is None and fast.state is None  # as the constructor
        s.add_all([fast, slow])
        await s.flush()
        fast.attempts = 3  # tracked like any pending-then-persistent row
        assert s.is_modified(fast)

    await any_db.run(unit)
    rows = await any_db.read(lambda s: s.scalars(select(Outbox).order_by(Outbox.id)))
    made, built = list(rows)
    assert (made.state, made.attempts, made.payload, made.person_id) == (
        "pending", 3, {"text": "甲"}, None)  # the defaults, then the change
    assert (built.state, built.attempts, built.next_attempt_at) == ("pending", 0, AT)


def test_a_keyword_that_is_no_column_is_refused() -> None:
    with pytest.raises(TypeError, match="nmae"):
        new_row(Person, id="p-1", nmae="张伟")
    with pytest.raises(TypeError, match="identities"):
        new_row(Person, id="p-1", identities=[])  # a relationship is set afterwards


async def test_add_new_makes_rows_pending_and_written_as_add_does(any_db: Database) -> None:
    async def unit(s):  # noqa: ANN001, ANN202
        person = new_row(Person, id="r-new", roles=["resident"], created_at=AT)
        ident = new_row(Identity, person_id="r-new", channel="mp", external_id="o-new",
                        created_at=AT, pushes_since_inbound=0)
        add_new(s, person, ident)
        assert person in s and ident in s and set(s.new) == {person, ident}
        await s.flush()

    await any_db.run(unit)
    found = await any_db.read(lambda s: s.scalar(
        select(Identity.person_id).where(Identity.external_id == "o-new")))
    assert found == "r-new"


async def test_add_new_of_a_row_linked_to_an_outside_object_adds_that_one_too(
        any_db: Database) -> None:
    async def unit(s):  # noqa: ANN001, ANN202
        person = new_row(Person, id="r-linked", roles=["resident"], created_at=AT)
        ident = new_row(Identity, channel="mp", external_id="o-linked", created_at=AT,
                        pushes_since_inbound=0)
        ident.person = person  # not in the session: the save-update cascade must take it
        add_new(s, ident)
        assert person in s
        await s.flush()

    await any_db.run(unit)
    found = await any_db.read(lambda s: s.scalar(
        select(Identity.person_id).where(Identity.external_id == "o-linked")))
    assert found == "r-linked"

"""Queries of tickets. They take a session and never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    String,
    Text,
    bindparam,
    case,
    cast,
    event,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from nlp.normalize import to_halfwidth
from storage import codes, dialect, district_watch, fast, held_rows, repo
from storage.db import flush_pending
from storage.models import (
    Identity,
    Outbox,
    Person,
    Ticket,
    TicketEvent,
    TicketFollower,
    TicketSequence,
)
from storage.statemachine import FINAL_STATUSES, OPEN_STATUSES


async def ticket_by_code(session: AsyncSession, code: str | None) -> Ticket | None:
    """A ticket by its code as a person typed it: full-width digits, any case, spaces around.
    Codes are issued upper-case; one that came in from another system may not be."""
    wanted = to_halfwidth(code or "").strip().upper()
    if not wanted:
        return None
    t = (await session.scalars(select(Ticket).where(Ticket.code == wanted))).unique().first()
    if t is None:
        t = (await session.scalars(
            select(Ticket).where(func.upper(Ticket.code) == wanted))).unique().first()
    return t


async def events_of(session: AsyncSession, ticket_id: int) -> list[TicketEvent]:
    """A ticket's history in the order it happened."""
    return list((await session.scalars(select(TicketEvent).where(
        TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))).all())


async def assigned_to(session: AsyncSession, person_id: str) -> list[Ticket]:
    """What a person holds (open or waiting for the rating), the most pressing first."""
    return list((await session.scalars(select(Ticket).where(
        Ticket.assignee_id == person_id, Ticket.status.in_(OPEN_STATUSES + ("resolved",)))
        .order_by(Ticket.resolve_by))).all())


def _just_created(session: AsyncSession, person_id: str) -> bool:
    return person_id in session.info.get("unit", {}).get("new_people", ())


RESIDENT_WINDOW = 20  # the most of a resident's tickets the conversation asks for at once
_FOLLOWED = select(TicketFollower.ticket_id).where(
    TicketFollower.person_id == bindparam("person"))
_MINE = (select(Ticket.id).where(or_(Ticket.reporter_id == bindparam("person"),
                                     Ticket.id.in_(_FOLLOWED)))
         .order_by(Ticket.id.desc()).limit(RESIDENT_WINDOW))
_RESOLVED = (select(Ticket.id).where(Ticket.reporter_id == bindparam("person"),
                                     Ticket.status == "resolved")
             .order_by(Ticket.resolved_at.desc()).limit(1))
# one statement for both questions the conversation asks of every resident's message (is a
# rating due? does this repeat or add to a report?), built once
_RESIDENT = (select(Ticket, Ticket.id.in_(_RESOLVED).label("latest"))
             .where(or_(Ticket.id.in_(_MINE), Ticket.id.in_(_RESOLVED)))
             .order_by(Ticket.id.desc()))


async def _resident(session: AsyncSession, person_id: str) -> tuple[list[Ticket], Ticket | None]:
    """(their newest RESIDENT_WINDOW tickets reported or followed, their latest resolved
    report), read once per unit and again only after something was written."""
    memo = session.info.setdefault("unit", {}).setdefault("of_resident", {})
    clean = not session.new and not session.dirty and not session.deleted
    cached = memo.get(person_id)
    if clean and cached is not None:
        return cached
    rows = (await session.execute(_RESIDENT, {"person": person_id})).all()
    latest = next((t for t, is_latest in rows if is_latest), None)
    # the latest resolved one is theirs too: when it is not among the newest, it sorts last
    found = memo[person_id] = ([t for t, _ in rows][:RESIDENT_WINDOW], latest)
    return found


async def of_resident(session: AsyncSession, person_id: str, *, limit: int = 10) -> list[Ticket]:
    """The tickets a resident reported or follows (附议), newest first."""
    if _just_created(session, person_id):
        return []  # a resident created in this very unit has none yet: no query
    if limit > RESIDENT_WINDOW:
        followed = select(TicketFollower.ticket_id).where(TicketFollower.person_id == person_id)
        return list((await session.scalars(select(Ticket).where(
            or_(Ticket.reporter_id == person_id, Ticket.id.in_(followed)))
            .order_by(Ticket.id.desc()).limit(limit))).all())
    return (await _resident(session, person_id))[0][:limit]


@event.listens_for(Session, "after_flush")
def _forget(session: Session, _ctx: object) -> None:
    session.info.get("unit", {}).pop("of_resident", None)  # written since: ask again


async def latest_resolved_of(session: AsyncSession, reporter_id: str) -> Ticket | None:
    if _just_created(session, reporter_id):
        return None
    return (await _resident(session, reporter_id))[1]


async def recent_open_of(session: AsyncSession, reporter_id: str,
                         since: datetime) -> Ticket | None:
    """The resident's open ticket made since `since`, the newest."""
    if _just_created(session, reporter_id):
        return None
    return await session.scalar(select(Ticket).where(
        Ticket.reporter_id == reporter_id, Ticket.status.in_(OPEN_STATUSES),
        Ticket.created_at >= since).order_by(Ticket.id.desc()).limit(1))


async def last_acted_on(session: AsyncSession, actor_id: str, since: datetime) -> Ticket | None:
    """The unfinished ticket this person last took a step on since `since`."""
    return await session.scalar(
        select(Ticket).join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(TicketEvent.actor_id == actor_id, TicketEvent.created_at >= since,
               Ticket.status.not_in(FINAL_STATUSES))
        .order_by(TicketEvent.id.desc()).limit(1))


Spec = list[tuple[str, Any]]  # (column key, its Python default: a callable, a value or None)


def _spec(columns: list[Column]) -> Spec:
    out = []
    for c in columns:
        default = c.default
        if default is None:
            out.append((c.key, None))
        elif default.is_callable:  # type: ignore[attr-defined]
            out.append((c.key, default.arg))  # type: ignore[attr-defined]
        else:
            value = default.arg  # type: ignore[attr-defined]
            out.append((c.key, lambda _ctx, v=value: v))
    return out


def _row(obj: object, spec: Spec) -> dict[str, Any]:
    """The object's column values, or the Python defaults the ORM would have applied (read
    from its __dict__: a new object's unset attribute is None to the ORM too)."""
    get = obj.__dict__.get
    return {key: value if (value := get(key)) is not None or default is None else default(None)
            for key, default in spec}


async def settle(session: AsyncSession, ticket: Ticket,
                 rows: list[TicketEvent | Outbox] = ()) -> None:  # type: ignore[assignment]
    """Give `ticket` its real code in place of its stand-in (storage.repo.provisional_code),
    also in the texts of its pending events and notices (`rows`) written with the stand-in."""
    if not repo.is_provisional(ticket.code):
        return
    stand_in = ticket.code
    real = await repo.settle_code(session, stand_in)
    ticket.code = real
    _substitute(stand_in, real, rows)


def _substitute(stand_in: str, real: str, rows: list[TicketEvent | Outbox]) -> None:
    for obj in rows:
        if isinstance(obj, Outbox):
            text = (obj.payload or {}).get("text")
            if isinstance(text, str) and stand_in in text:
                obj.payload = {**obj.payload, "text": text.replace(stand_in, real)}
        elif obj.note and stand_in in obj.note:
            obj.note = obj.note.replace(stand_in, real)


async def flush_new(session: AsyncSession, ticket: Ticket) -> None:
    """Write a new ticket with its pending events and notices: one statement on PostgreSQL,
    three on SQLite.

    The ORM inserts rows one at a time on SQLite (it cannot match RETURNING rows to objects
    there), and nothing reads these events or notices back in the unit: so they never enter
    the session (storage.held_rows) and go as one multi-row INSERT each, once the ticket has
    its id. On PostgreSQL the ticket, its events and notices (and a resident and identity
    made in the unit) are one statement of data-modifying CTEs (`_insert_all`): one round
    trip where there were up to five."""
    rows = held_rows.take(session, ticket)
    stand_in = ticket.code if repo.is_provisional(ticket.code) else None
    if (stand_in is not None and ticket in session.new
            and dialect.name(session) == dialect.POSTGRESQL
            and await _insert_all(session, ticket, rows)):
        _substitute(stand_in, ticket.code, rows)  # the copies in memory, as the rows stored
        await session.flush()  # whatever else is pending (nothing, for a resident's report)
        return
    if ticket in session.new and await _insert_new(session, ticket):
        if stand_in is not None:  # its code came with the INSERT: into the texts with it
            _substitute(stand_in, ticket.code, rows)
    else:
        await settle(session, ticket, rows)
    await flush_pending(session)  # whatever else is pending (nothing, for a new report)
    for model in (TicketEvent, Outbox):
        mine = [o for o in rows if isinstance(o, model)]
        if not mine:
            continue
        spec, stmt = _insert_of(model)
        values = []
        for obj in mine:
            obj.ticket_id = ticket.id
            values.append(_row(obj, spec))
        # one executemany on the cursor, not ORM bulk: it would split on NULLs
        await fast.execute_many(session, stmt, values)


def _plain(obj: object) -> bool:
    """A new resident or their address: nothing the district's read model serves
    (storage.district_watch would not bump the version for it)."""
    if isinstance(obj, Person):
        return not district_watch.is_staff(obj) and not obj.from_district_file
    return isinstance(obj, Identity) and not district_watch.serves(obj.person_id)


def _new_rows_first(session: AsyncSession) -> list[Person | Identity] | None:
    """The new residents and identities pending in the session, people first; None when one
    of them is something the district's read model serves (the ORM's flush writes it)."""
    first = [o for o in session.new if isinstance(o, Person | Identity)]
    if not all(_plain(o) for o in first):
        return None
    first.sort(key=lambda o: isinstance(o, Identity))  # people before their identities
    return first


def _values_of(obj: object, spec: Spec) -> dict[str, Any]:
    """The row of `obj` to insert: its columns (a many-to-one set by object only gives its
    key) or their Python defaults."""
    for rel, pairs in _many_to_one(type(obj)):
        target = obj.__dict__.get(rel)
        if target is not None:
            for local, remote in pairs:
                if obj.__dict__.get(local) is None:
                    setattr(obj, local, getattr(target, remote))
    return _row(obj, spec)


def _written(obj: object, values: dict[str, Any]) -> None:
    for key, value in values.items():
        obj.__dict__[key] = value  # what was written, defaults included (committed below)


def _persistent(session: AsyncSession, objs: list[object]) -> None:
    """Pending → persistent, as the ORM's flush moves what it inserted: identity key, history
    committed, the transaction told (a rollback expunges them again)."""
    session.sync_session._register_persistent({sa_inspect(o) for o in objs})  # noqa: SLF001
    session.info.get("unit", {}).pop("of_resident", None)  # as after a flush: ask again


async def _insert_new(session: AsyncSession, ticket: Ticket) -> bool:
    """Insert the new `ticket` (and the new resident and identity it may depend on) by Core
    and make them persistent in the session as a flush would: the ORM's flush (unit-of-work
    sort, cascades, per-object bookkeeping) cost more than all of a report's SQL. A ticket with
    a stand-in code gets its real one in the same statement (`_coded_insert`). Anything else
    pending, or a new person the district model serves, is left to the ORM's flush (False:
    nothing done)."""
    first = _new_rows_first(session)
    if first is None:
        return False
    blocks = session.info.get(codes.INFO_KEY)
    if blocks is not None and repo.is_provisional(ticket.code):  # PostgreSQL: storage.codes
        ticket.code = await blocks.take(ticket.code[2:10])
    for obj in (*first, ticket):
        coded = obj is ticket and repo.is_provisional(ticket.code)
        spec, stmt = (_coded_insert(dialect.name(session)) if coded
                      else _insert_one(type(obj)))
        values = _values_of(obj, spec)
        if coded:
            values["code_day"] = ticket.code[2:10]  # GDyyyymmdd-~…: the day it counts in
        done = await fast.execute(session, stmt, values)
        values.pop("code_day", None)
        _written(obj, values)
        if not isinstance(obj, Person):
            obj.__dict__["id"] = done[0][0]
        if coded:
            obj.__dict__["code"] = done[0][1]
    _persistent(session, [*first, ticket])
    return True


async def _insert_all(session: AsyncSession, ticket: Ticket,
                      rows: list[TicketEvent | Outbox]) -> bool:
    """PostgreSQL: the new `ticket` with its code, its events and notices (`rows`), and the
    resident and identity made in this unit if any, as one statement (`_all_in_one`), then
    persistent in the session as `_insert_new` leaves them. The texts are written with the
    stand-in code replaced by the real one by the statement itself. False (nothing done)
    where `_insert_new` would not write them either, or for more than one new person or
    identity."""
    first = _new_rows_first(session)
    if first is None:
        return False
    people = [o for o in first if isinstance(o, Person)]
    idents = [o for o in first if isinstance(o, Identity)]
    if len(people) > 1 or len(idents) > 1:
        return False
    day = ticket.code[2:10]
    blocks = session.info.get(codes.INFO_KEY)  # the worker's reserved codes (storage.codes)
    specs, stmt = _all_in_one(bool(people), bool(idents), blocks is not None)
    params: dict[str, Any] = {"stand_in": ticket.code, "code_day": day}
    if blocks is not None:
        params["code"] = await blocks.take(day)
    written: list[tuple[object, dict[str, Any]]] = []
    for prefix, obj in (("p_", people[0] if people else None),
                        ("i_", idents[0] if idents else None)):
        if obj is not None:
            values = _values_of(obj, specs[prefix])
            params.update({prefix + k: v for k, v in values.items()})
            written.append((obj, values))
    values = _values_of(ticket, specs[""])
    params.update(values)
    written.append((ticket, values))
    for prefix, model in (("e_", TicketEvent), ("o_", Outbox)):
        mine = [_row(o, specs[prefix]) for o in rows if isinstance(o, model)]
        for key, _default in specs[prefix]:
            params[prefix + key] = [r[key] for r in mine]
    ticket_id, code, ident_id = (await fast.execute(session, stmt, params))[0]
    for obj, values in written:
        _written(obj, values)
    if idents:
        idents[0].__dict__["id"] = ident_id
    ticket.__dict__["id"], ticket.__dict__["code"] = ticket_id, code
    for obj in rows:
        obj.ticket_id = ticket_id
    _persistent(session, [o for o, _ in written])
    return True


_ALL: dict[tuple[bool, bool, bool], tuple[dict[str, Spec], Any]] = {}


def _all_in_one(person: bool, identity: bool, drawn: bool = False
                ) -> tuple[dict[str, Spec], Any]:
    """PostgreSQL: one statement of data-modifying CTEs writing a new resident (`p_…`
    parameters) and identity (`i_…`, RETURNING its id) if asked, the day's counter and the
    ticket with its code (as `_coded_insert`), the ticket's events (`e_…`) and notices
    (`o_…`), each column an array unnested into rows (any number of rows, one statement and
    one prepared plan), with the stand-in code (`stand_in`) replaced by the real one in
    their texts. Its row: the ticket's id and code, and the identity's id. The rows of
    sibling CTEs meet their foreign keys at the end of the statement, as PostgreSQL checks
    them. Specs by prefix ("" for the ticket), built once per shape. `drawn`: the code is
    given (`code`, from the worker's block, storage.codes) instead of drawn from the day's
    counter, whose row the statement then does not lock."""
    found = _ALL.get((person, identity, drawn))
    if found is not None:
        return found
    specs: dict[str, Spec] = {}
    ctes = []
    ident_id: Any = null()
    for prefix, model, wanted in (("p_", Person, person), ("i_", Identity, identity)):
        if not wanted:
            continue
        table = model.__table__  # type: ignore[attr-defined]
        columns = [c for c in table.columns if model is Person or c.key != "id"]
        specs[prefix] = _spec(columns)
        insert = table.insert().values(
            {c.key: bindparam(prefix + c.key, type_=c.type) for c in columns})
        if model is Identity:
            cte = insert.returning(table.c.id).cte("i")
            ident_id = select(cte.c.id).scalar_subquery()
        else:
            ctes.append(insert.cte("p"))
    spec, coded = _coded_insert(dialect.POSTGRESQL)
    if drawn:
        table = Ticket.__table__
        coded = table.insert().values(
            code=bindparam("code", type_=String),
            **{c.key: bindparam(c.key, type_=c.type) for c in table.columns
               if c.key not in ("id", "code")}).returning(table.c.id, table.c.code)
    specs[""] = spec
    ticket = coded.cte("t")
    stand_in = bindparam("stand_in", type_=String)
    for prefix, model in (("e_", TicketEvent), ("o_", Outbox)):
        table = model.__table__  # type: ignore[attr-defined]
        columns = [c for c in table.columns if c.key not in ("id", "ticket_id")]
        specs[prefix] = _spec(columns)
        arrays = func.unnest(*[bindparam(prefix + c.key, type_=postgresql.ARRAY(c.type))
                               for c in columns]
                             ).table_valued(*[c.key for c in columns]).render_derived()
        picked = []
        for c in columns:
            value: Any = arrays.c[c.key]
            if c.key == "note":
                value = func.replace(value, stand_in, ticket.c.code)
            elif c.key == "payload":  # JSON: the stand-in is plain ASCII in its text
                value = cast(func.replace(cast(value, Text), stand_in, ticket.c.code),
                             c.type)
            picked.append(value)
        ctes.append(table.insert().from_select(
            ["ticket_id", *[c.key for c in columns]],
            select(ticket.c.id, *picked).select_from(ticket).join(arrays, true())
        ).cte(prefix[0]))
    stmt = select(ticket.c.id, ticket.c.code, ident_id).add_cte(*ctes)
    found = _ALL[(person, identity, drawn)] = (specs, stmt)
    return found


_CODED: dict[str, tuple[Spec, Any]] = {}


def _coded_insert(dialect_name: str) -> tuple[Spec, Any]:
    """A ticket's INSERT that also draws its code from the day's counter (one statement where
    storage.repo.next_ticket_code and the INSERT were two), RETURNING id and code. The code is
    storage.repo's: GD + day + '-' + the sequence, at least four digits.
    PostgreSQL: the counter's upsert is a CTE of the INSERT, so concurrent units wait on the
    day's row as they did for the separate upsert. SQLite: one writer holds the write lock, the
    INSERT reads the counter (a subquery) and the `ticket_sequences_follow` trigger
    (storage.models) moves it to the code written."""
    found = _CODED.get(dialect_name)
    if found is not None:
        return found
    table = Ticket.__table__
    columns = [c for c in table.columns if c.key not in ("id", "code")]
    day = bindparam("code_day", type_=String)
    if dialect_name == "postgresql":
        seq = (postgresql.insert(TicketSequence).values(day=day, last=1)
               .on_conflict_do_update(index_elements=[TicketSequence.day],
                                      set_={"last": TicketSequence.last + 1})
               .returning(TicketSequence.last).cte("seq"))
        number = cast(seq.c.last, String)
        code = literal("GD") + day + literal("-") + case(
            (seq.c.last < 10000, func.lpad(number, 4, "0")), else_=number)
        chosen = select(code, *[bindparam(c.key, type_=c.type) for c in columns]
                        ).select_from(seq)
        stmt = table.insert().from_select(["code", *[c.key for c in columns]], chosen)
    else:
        last = select(TicketSequence.last).where(TicketSequence.day == day).scalar_subquery()
        code = literal("GD") + day + literal("-") + func.printf(
            "%04d", func.coalesce(last, 0) + 1)
        stmt = table.insert().values(code=code, **{c.key: bindparam(c.key, type_=c.type)
                                                   for c in columns})
    found = _CODED[dialect_name] = (_spec(columns),
                                    stmt.returning(table.c.id, table.c.code))
    return found


_M2O: dict[type, list[tuple[str, list[tuple[str, str]]]]] = {}


def _many_to_one(model: type) -> list[tuple[str, list[tuple[str, str]]]]:
    found = _M2O.get(model)
    if found is None:
        found = _M2O[model] = [
            (rel.key, [(local.key, remote.key) for local, remote in rel.local_remote_pairs])
            for rel in sa_inspect(model).relationships if rel.direction.name == "MANYTOONE"]
    return found


_INSERTS: dict[type, tuple[Spec, Any]] = {}
_ONE: dict[type, tuple[Spec, Any]] = {}


def _insert_of(model: type) -> tuple[Spec, Any]:
    """The columns and the (multi-row) INSERT of `model`'s table, built once."""
    found = _INSERTS.get(model)
    if found is None:
        table = model.__table__  # type: ignore[attr-defined]
        found = _INSERTS[model] = (_spec([c for c in table.columns if c.key != "id"]),
                                   table.insert())
    return found


def _insert_one(model: type) -> tuple[Spec, Any]:
    """The columns and the one-row INSERT of `model`'s table, RETURNING an integer key made by
    the database (a person's key is made by the caller), built once."""
    found = _ONE.get(model)
    if found is None:
        table = model.__table__  # type: ignore[attr-defined]
        if model is Person:
            found = (_spec(list(table.columns)), table.insert())
        else:
            found = (_spec([c for c in table.columns if c.key != "id"]),
                     table.insert().returning(table.c.id))
        _ONE[model] = found
    return found

"""SQLAlchemy 2.0 models of the domain (DESIGN.md, domain model).

Times are stored as naive UTC; the API renders them in Asia/Shanghai.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import instance_state

from storage.clock import utcnow


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


M = TypeVar("M", bound=Base)
_COLUMN_KEYS: dict[type, frozenset[str]] = {}


def new_row(model: type[M], **values: Any) -> M:
    """A new, transient `model(**values)` made as the ORM makes a loaded instance: its state
    created and its columns put in its __dict__ at once. The constructor instead sets each
    keyword through the attribute machinery (an event and a history entry each, for an
    object that has no history yet), which cost several times the rest of making an event
    or a notice. Columns only, checked like the constructor's keywords; a relationship is
    set afterwards as usual. Adding it to a session makes it pending, and its INSERT writes
    these values with the column defaults for the rest."""
    keys = _COLUMN_KEYS.get(model)
    if keys is None:
        keys = _COLUMN_KEYS[model] = frozenset(
            p.key for p in model.__mapper__.column_attrs)
    unknown = values.keys() - keys
    if unknown:
        raise TypeError(f"{model.__name__} has no column {sorted(unknown)[0]!r}")
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(values)
    return obj


_CASCADED: dict[type, tuple[str, ...]] = {}


def add_new(session: AsyncSession | Session, *objs: Base) -> None:
    """Make new rows (from `new_row`) pending in `session`, as `session.add` does, without
    its save-update cascade: that walks every relationship of the model looking for related
    objects to add as well (a ticket has a dozen), and a row made by `new_row` relates to
    nothing, or only to objects the session holds already (a ticket's grid and community).
    A row related to anything else, or not new, goes through `session.add`."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    for obj in objs:
        state = instance_state(obj)
        model = type(obj)
        keys = _CASCADED.get(model)
        if keys is None:
            keys = _CASCADED[model] = tuple(
                r.key for r in model.__mapper__.relationships if r.cascade.save_update)
        d = state.dict
        if state.key is not None or any(
                k in d and d[k] is not None and not _held(sync, d[k]) for k in keys):
            sync.add(obj)
            continue
        state._orphaned_outside_of_session = False  # noqa: SLF001 - as Session.add sets it
        sync._save_impl(state)  # noqa: SLF001 - what Session.add does for a new object


def _held(sync: Session, value: Any) -> bool:
    if isinstance(value, list | set | tuple):
        return all(v in sync for v in value)
    return value in sync


class Region(Base):
    """district → street → community → grid → place (a compound, street or landmark)."""

    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))  # district|street|community|grid|place
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    polygon: Mapped[list[Any] | None] = mapped_column(default=None)
    grid_kind: Mapped[str | None] = mapped_column(String(16))  # residential|special
    buildings: Mapped[list[Any]] = mapped_column(default=list)  # places: building numbers
    # slot name → people id (officer, leader, police, property) or list (triage, liaisons,
    # command_centre)
    slots: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    # not loaded with the region: walking up goes through repo (session.get hits the identity map)
    parent: Mapped[Region | None] = relationship(remote_side=[id], lazy="raise_on_sql")


class Person(Base):
    __tablename__ = "people"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    roles: Mapped[list[Any]] = mapped_column(default=list)
    phone: Mapped[str | None] = mapped_column(String(32))
    departments: Mapped[list[Any]] = mapped_column(default=list)
    bind_code: Mapped[str | None] = mapped_column(String(16), index=True)
    bind_code_used: Mapped[bool] = mapped_column(Boolean, default=False)
    bind_code_set_at: Mapped[datetime | None] = mapped_column(DateTime)  # it expires from here
    home_address: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    from_district_file: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    # "raise": reach identities with a query (handlers.ops.notices.identities_of), never lazily
    identities: Mapped[list[Identity]] = relationship(back_populates="person", lazy="raise")

    def has_role(self, *roles: str) -> bool:
        return any(r in (self.roles or []) for r in roles)


class Identity(Base):
    """A person's address on one channel: an MP openid or a WeCom userid (lower-cased)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # mp|work
    external_id: Mapped[str] = mapped_column(String(128))
    # Official Account customer-service window: last message from the person and pushes since
    last_inbound_at: Mapped[datetime | None] = mapped_column(DateTime)
    pushes_since_inbound: Mapped[int] = mapped_column(Integer, default=0)
    # the last position a LOCATION event or location message gave, for a later report
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_lng: Mapped[float | None] = mapped_column(Float)
    last_position_at: Mapped[datetime | None] = mapped_column(DateTime)
    # wrong bind codes tried from this address, and until when it may not try again
    bind_failures: Mapped[int] = mapped_column(Integer, default=0)
    bind_locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="identities", lazy="joined")


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # the console's counts at 100,000 tickets: overdue / late per grid or person, urgent open
        Index("ix_tickets_status_resolve_by", "status", "resolve_by"),
        Index("ix_tickets_urgency_status", "urgency", "status"),
        Index("ix_tickets_community_created", "community_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    urgency: Mapped[str] = mapped_column(String(16))
    request_kind: Mapped[str] = mapped_column(String(8), default="投诉")
    text: Mapped[str] = mapped_column(Text)
    community_text: Mapped[str | None] = mapped_column(String(128))
    building: Mapped[str | None] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(16))
    room: Mapped[str | None] = mapped_column(String(16))
    place: Mapped[str | None] = mapped_column(String(128))
    lng: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    # looked up by ix_tickets_community_created (its leading column), not an index of its own
    community_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    reporter_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="resident")
    # looked up by ix_tickets_status_resolve_by (its leading column)
    status: Mapped[str] = mapped_column(String(24), default="new")
    respond_by: Mapped[datetime | None] = mapped_column(DateTime)
    resolve_by: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    confidence: Mapped[float | None] = mapped_column(Float)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    rating: Mapped[int | None] = mapped_column(Integer)
    resolution: Mapped[str | None] = mapped_column(Text)
    # the grid officer who stays responsible while a department holds the ticket (转办)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    # a complaint about a staff member: who it is about (they never hold or see it)
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    waiting_since: Mapped[datetime | None] = mapped_column(DateTime)  # 追问: the clock pauses
    contact: Mapped[str | None] = mapped_column(String(128))  # from another system's hand-off
    followup_at: Mapped[datetime | None] = mapped_column(DateTime)  # rating reminder sent
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship(foreign_keys=[region_id], lazy="joined")
    community: Mapped[Region | None] = relationship(foreign_keys=[community_id], lazy="joined")
    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    reporter: Mapped[Person | None] = relationship(foreign_keys=[reporter_id], lazy="joined")


class TicketEvent(Base):
    """Append-only history: every step of a ticket, with who and why."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the console user who took the step (actor_id then names their linked person, if any)
    console_user_id: Mapped[int | None] = mapped_column(ForeignKey("console_users.id"))

    # set instead of ticket_id while the ticket is not flushed yet: one flush writes both
    ticket: Mapped[Ticket] = relationship(lazy="raise")


class TicketSequence(Base):
    """District-wide daily counter behind ticket codes (GD20261122-0007)."""

    __tablename__ = "ticket_sequences"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


# SQLite: a ticket whose code was drawn in its own INSERT (storage.repos.tickets._coded_insert
# reads the counter there) moves the day's counter on to that code; a ticket written with a
# code the counter already gave leaves it as it is. Codes of another form are not counted.
TICKET_SEQUENCE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS ticket_sequences_follow AFTER INSERT ON tickets
WHEN NEW.code GLOB 'GD[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9]*'
     AND substr(NEW.code, 12) NOT GLOB '*[^0-9]*'
BEGIN
    INSERT INTO ticket_sequences (day, last)
    VALUES (substr(NEW.code, 3, 8), CAST(substr(NEW.code, 12) AS INTEGER))
    ON CONFLICT (day) DO UPDATE SET last = max(last, excluded.last);
END
"""
event.listen(Base.metadata, "after_create",
             DDL(TICKET_SEQUENCE_TRIGGER).execute_if(dialect="sqlite"))


class InboundMessage(Base):
    """Every accepted callback: its dedupe key (claimed before processing) and raw payload."""

    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_due", "status", "lease_until"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    from_user: Mapped[str] = mapped_column(String(128), index=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    raw: Mapped[str] = mapped_column(Text)
    # processing (under a lease) | deferred (flood: until lease_until) | done | failed
    status: Mapped[str] = mapped_column(String(16), default="processing")
    # processing: a worker holds it until then; deferred: processed from then on
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)  # the fence of the current claim
    reply: Mapped[str | None] = mapped_column(Text)
    # the reply went by push: a WeChat retry takes it back as its passive reply if still unsent
    reply_outbox_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Outbox(Base):
    """A notice to send, written in the same transaction as the change it reports."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # mp|work
    recipient: Mapped[str] = mapped_column(String(128), index=True)
    person_id: Mapped[str | None] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"text": ...}
    # pending → sending → sent | failed; held = waits for the resident's next message;
    # folded = sent as a line of a digest (bot/channels/sender.py)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # 1 urgent (an urgent ticket's notices, escalations): sent before ordinary ones (0) to the
    # same recipient; folded = merged into a digest row when a paced backlog grew long
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    ticket: Mapped[Ticket | None] = relationship(lazy="raise")  # as TicketEvent.ticket


class ConversationState(Base):
    """What a person is in the middle of (a draft waiting for a place, a rating prompt…)."""

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    external_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class DistrictVersion(Base):
    """One row: bumped whenever the district (regions, staff, their channels) changes, so
    every worker's read model (storage.district_model) knows to reload."""

    __tablename__ = "district_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime)


class AccessToken(Base):
    """API access tokens shared by every worker (one row per app secret)."""

    __tablename__ = "access_tokens"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class JobRun(Base):
    """A scheduled piece of work done once: the key is claimed in the same transaction as the
    notices it sends, so a restart or a second worker never sends them twice."""

    __tablename__ = "job_runs"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CategoryCorrection(Base):
    """An officer's 改类: the text and the category it should have had (training data)."""

    __tablename__ = "category_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    old_category: Mapped[str] = mapped_column(String(32))
    new_category: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Attachment(Base):
    """A photo or voice kept as evidence: downloaded from WeChat before its media id expires."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))  # image | voice | video
    media_id: Mapped[str] = mapped_column(String(255))
    # pending → downloaded | failed; path relative to the media store
    state: Mapped[str] = mapped_column(String(16), default="pending")
    path: Mapped[str | None] = mapped_column(String(512))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TicketFollower(Base):
    """A resident who seconded (附议) an open ticket: told everything its reporter is told."""

    __tablename__ = "ticket_followers"
    __table_args__ = (UniqueConstraint("ticket_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CorrespondentApplication(Base):
    """注册通讯员 姓名 手机: waits for a liaison's 通过/拒绝."""

    __tablename__ = "correspondent_applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|approved|rejected
    decided_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class PointsLedger(Base):
    """Append-only points of grid correspondents: credits for reports, debits for redemptions."""

    __tablename__ = "points_ledger"
    __table_args__ = (UniqueConstraint("person_id", "reason", "ticket_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # verified | resolved | redeemed
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ConsoleUser(Base):
    """Someone who signs in to the command centre's console (not a resident)."""

    __tablename__ = "console_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))  # admin|centre|street|community
    area_code: Mapped[str | None] = mapped_column(String(64))  # street/community region code
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: WeCom sign-in only
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class ConsoleSession(Base):
    """A signed-in browser: the cookie carries the token, the row only its SHA-256."""

    __tablename__ = "console_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """Who did what in the console, when, from where (append-only)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("console_users.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))  # as typed, also for failed sign-ins
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

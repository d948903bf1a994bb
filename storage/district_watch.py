"""Knowing when the district changed: a flush that touches a region, a staff member or a
staff member's channel bumps `district_versions` in the same transaction, and this process's
generation once that transaction commits. Read models (storage.district_model) compare both.
Installed once for every session (SQLAlchemy session events on the Session class)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from storage.models import DistrictVersion, Identity, Person, Region

logger = logging.getLogger(__name__)

# the person fields the model serves; a resident's new home address is not the district's
PERSON_FIELDS = ("name", "roles", "active", "departments", "from_district_file")
IDENTITY_FIELDS = ("person_id", "channel", "external_id")
FLAG = "district_changed"

_generation = 0
_district_people: set[str] = set()


def generation() -> int:
    return _generation


def is_staff(person: Person) -> bool:
    return any(r != "resident" for r in person.roles or [])


def remember_people(ids: set[str]) -> None:
    """The people the latest model holds: a change of their channels changes the district."""
    _district_people.update(ids)


def serves(person_id: str | None) -> bool:
    """Whether the latest model holds this person (a change of their channels matters)."""
    return person_id in _district_people


def _changed(obj: Any, fields: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


def _touches(session: Session) -> bool:
    for obj in session.new:
        if isinstance(obj, Region):
            return True
        if isinstance(obj, Person) and (is_staff(obj) or obj.from_district_file):
            return True
        if isinstance(obj, Identity) and obj.person_id in _district_people:
            return True
    for obj in session.deleted:
        if isinstance(obj, Region | Person) or (
                isinstance(obj, Identity) and obj.person_id in _district_people):
            return True
    for obj in session.dirty:
        if isinstance(obj, Region) and session.is_modified(obj):
            return True
        if isinstance(obj, Person) and _changed(obj, PERSON_FIELDS) and (
                is_staff(obj) or obj.from_district_file or obj.id in _district_people):
            return True
        if isinstance(obj, Identity) and _changed(obj, IDENTITY_FIELDS) and (
                obj.person_id in _district_people):
            return True
    return False


def bump(session: Session) -> None:
    """Mark the district changed in this transaction (Core writes that bypass the ORM)."""
    if session.info.get(FLAG):
        return
    session.info[FLAG] = True
    conn = session.connection()
    done = conn.execute(update(DistrictVersion).where(DistrictVersion.id == 1)
                        .values(version=DistrictVersion.version + 1, changed_at=func.now()))
    if not done.rowcount:
        top = conn.execute(select(func.max(DistrictVersion.version))).scalar() or 0
        conn.execute(insert(DistrictVersion).values(id=1, version=top + 1,
                                                    changed_at=func.now()))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    if not session.info.get(FLAG) and _touches(session):
        bump(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    global _generation
    if session.info.pop(FLAG, False):
        _generation += 1
        logger.info("district changed: read models reload on next use")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(FLAG, None)

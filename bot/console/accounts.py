"""Console accounts: add, list, change password, disable. Used by `gridbot users` and by the
admin's users page; each runs in the caller's unit of work."""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.auth import ROLES, check_password_rules, hash_password
from storage.models import ConsoleSession, ConsoleUser, Person, Region

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{1,63}")


class AccountError(ValueError):
    """A refused account change; `str(e)` says why."""


async def _area(session: AsyncSession, role: str, area: str | None) -> str | None:
    if role in ("admin", "centre"):
        if area:
            raise AccountError(f"角色 {role} 管理全区，不需要 --area")
        return None
    if not area:
        raise AccountError(f"角色 {role} 需要 --area"
                           f"（{'街道' if role == 'street' else '社区'}编码）")
    region = await session.scalar(select(Region).where(Region.code == area))
    if region is None:
        raise AccountError(f"没有编码为 {area} 的区域（先导入辖区文件）")
    if region.level != role:
        raise AccountError(f"{area} 是 {region.level}，角色 {role} 需要一个 {role} 的编码")
    return area


async def add_user(session: AsyncSession, username: str, *, role: str, password: str | None,
                   area: str | None = None, name: str = "",
                   person_id: str | None = None) -> ConsoleUser:
    if not _USERNAME.fullmatch(username):
        raise AccountError("用户名用 2–64 位字母、数字、. _ -，以字母或数字开头")
    if role not in ROLES:
        raise AccountError(f"角色只能是 {'|'.join(ROLES)}")
    if await session.scalar(select(ConsoleUser).where(ConsoleUser.username == username)):
        raise AccountError(f"用户 {username} 已存在")
    area = await _area(session, role, area)
    if person_id and await session.get(Person, person_id) is None:
        raise AccountError(f"辖区名单中没有人员 {person_id}")
    if password is not None:
        why = check_password_rules(password)
        if why:
            raise AccountError(why)
    user = ConsoleUser(username=username, name=name or username, role=role, area_code=area,
                       person_id=person_id or None,
                       password_hash=hash_password(password) if password else None)
    session.add(user)
    await session.flush()
    return user


async def get_user(session: AsyncSession, username: str) -> ConsoleUser:
    user = await session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
    if user is None:
        raise AccountError(f"没有用户 {username}")
    return user


async def end_sessions(session: AsyncSession, user: ConsoleUser) -> None:
    await session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))


async def set_password(session: AsyncSession, username: str, password: str) -> ConsoleUser:
    user = await get_user(session, username)
    why = check_password_rules(password)
    if why:
        raise AccountError(why)
    user.password_hash = hash_password(password)
    await end_sessions(session, user)  # every browser signed in with the old one is out
    return user


async def set_active(session: AsyncSession, username: str, active: bool) -> ConsoleUser:
    user = await get_user(session, username)
    user.active = active
    if not active:
        await end_sessions(session, user)
    return user


async def list_users(session: AsyncSession) -> list[ConsoleUser]:
    return list((await session.scalars(select(ConsoleUser).order_by(ConsoleUser.username))).all())

"""What only `admin` does in the console: console users, and uploading the district file
(validated and imported exactly as `gridbot district import`, with the same refusals)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import core as cw
from bot.console.accounts import AccountError, add_user, list_users, set_active, set_password
from bot.console.auth import ROLE_NAMES, ROLES
from storage.district import DistrictError, import_district
from storage.models import Region

MAX_DISTRICT_BYTES = 2 * 1024 * 1024


async def users_page(request: web.Request, *, error: str | None = None,
                     ok: str | None = None) -> web.Response:
    cw.require_admin(request)

    async def q(s: AsyncSession) -> tuple[list, list[Region]]:
        users = await list_users(s)
        areas = list((await s.scalars(select(Region).where(
            Region.level.in_(("street", "community"))).order_by(Region.code))).all())
        return users, areas

    users, areas = await cw.db(request).read(q)
    return await cw.render(request, "users.html", {
        "title": "用户", "users": users, "areas": areas, "roles": ROLES,
        "role_names": ROLE_NAMES, "error": error, "ok": ok or request.query.get("ok")},
        status=400 if error else 200)


async def users_post(request: web.Request) -> web.StreamResponse:
    cw.require_admin(request)
    form = await cw.form(request)
    get = lambda k: str(form.get(k, "")).strip()  # noqa: E731

    async def unit(s: AsyncSession) -> str:
        u = await add_user(s, get("username"), role=get("role"),
                           password=str(form.get("password", "")) or None,
                           area=get("area") or None, name=get("name"),
                           person_id=get("person") or None)
        cw.audit(s, request, "user.add", u.username, f"{u.role} {u.area_code or '全区'}")
        return u.username

    try:
        name = await cw.db(request).run(unit)
    except AccountError as e:
        return await users_page(request, error=str(e))
    raise web.HTTPFound(f"/console/users?ok=已添加用户 {name}")


async def user_post(request: web.Request) -> web.StreamResponse:
    cw.require_admin(request)
    username = request.match_info["username"]
    form = await cw.form(request)
    op = str(form.get("op", ""))

    async def unit(s: AsyncSession) -> str:
        if op == "disable":
            if username == cw.user(request).username:
                raise AccountError("不能停用自己的账号。")
            await set_active(s, username, False)
            done = f"已停用 {username}"
        elif op == "enable":
            await set_active(s, username, True)
            done = f"已启用 {username}"
        elif op == "passwd":
            await set_password(s, username, str(form.get("password", "")))
            done = f"已重设 {username} 的密码"
        else:
            raise AccountError("未知操作")
        cw.audit(s, request, f"user.{op}", username)
        return done

    try:
        done = await cw.db(request).run(unit)
    except AccountError as e:
        return await users_page(request, error=str(e))
    raise web.HTTPFound(f"/console/users?ok={done}")


async def district_page(request: web.Request) -> web.Response:
    cw.require_admin(request)
    return await cw.render(request, "district.html", {"title": "辖区"})


async def district_post(request: web.Request) -> web.Response:
    cw.require_admin(request)
    form = await cw.form(request)
    field = form.get("file")
    if field is None or not hasattr(field, "file"):
        return await cw.render(request, "district.html", {
            "title": "辖区", "error": "请选择辖区文件（.toml）。"}, status=400)
    raw = field.file.read(MAX_DISTRICT_BYTES + 1)  # type: ignore[union-attr]
    name = getattr(field, "filename", "district.toml") or "district.toml"
    if len(raw) > MAX_DISTRICT_BYTES:
        error = "文件超过 2 MiB。"
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text, error = "", "文件不是 UTF-8 编码。"
        else:
            error = None
    if error is None:
        async def unit(s: AsyncSession) -> str:
            report = await import_district(s, text, source=name)
            cw.audit(s, request, "district.import", name, report.summary()[:500])
            return report.summary()

        try:
            summary = await cw.db(request).run(unit)
        except DistrictError as e:
            why = str(e)
            await cw.db(request).run(lambda s: _refused(s, request, name, why))
            return await cw.render(request, "district.html", {
                "title": "辖区", "error": f"辖区文件未导入，没有任何改动：\n{e}",
                "line": e.line, "reason": e.reason}, status=400)
        return await cw.render(request, "district.html", {"title": "辖区", "ok": summary})
    return await cw.render(request, "district.html", {"title": "辖区", "error": error},
                           status=400)


async def _refused(s: AsyncSession, request: web.Request, name: str, why: str) -> None:
    cw.audit(s, request, "district.refused", name, why[:500])

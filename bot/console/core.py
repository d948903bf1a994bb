"""The console's request plumbing: the session middleware (who is asking, CSRF, idle timeout,
security headers), rendering, the audit log, and sign-in / sign-out."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.auth import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    ROLE_NAMES,
    TOUCH_EVERY,
    ConsoleState,
    csrf_ok,
    hash_password,
    needs_rehash,
    new_token,
    token_id,
    verify_password,
)
from bot.console.scope import Scope, scope_for
from bot.inputs import bad_part, form, refusal, shown
from bot.runtime import RUNTIME, Runtime
from handlers.ops.services import Services
from storage.config import Settings
from storage.db import UNIT_KIND, Database
from storage.models import AuditEntry, ConsoleSession, ConsoleUser
from storage.sla import WorkCalendar

logger = logging.getLogger(__name__)

CONSOLE: web.AppKey[ConsoleState] = web.AppKey("console")
_RequestKey: Any = getattr(web, "RequestKey", None)  # aiohttp ≥ 3.13; plain strings before


def _key(name: str) -> Any:
    return _RequestKey(name, object) if _RequestKey else name


WHO, SCOPE, ADDRESS = _key("console_who"), _key("console_scope"), _key("console_address")
PUBLIC = {"login", "login_post", "static", "wecom_login", "wecom_callback"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Who:
    user: ConsoleUser
    session: ConsoleSession


def runtime(request: web.Request) -> Runtime:
    return request.config_dict[RUNTIME]


def db(request: web.Request) -> Database:
    return runtime(request).db


def now(request: web.Request) -> datetime:
    return runtime(request).clock.now()


def settings(request: web.Request) -> Settings:
    return runtime(request).settings


def services(request: web.Request) -> Services:
    """The handlers' Services (the dispatcher's); an app without a dispatcher (tests of the
    console alone) gets its own, without the analyzer the console never uses."""
    rt = runtime(request)
    if rt.dispatcher is not None:
        return rt.services
    s = rt.settings
    return Services(settings=s, analyzer=None,  # type: ignore[arg-type]
                    clock=rt.clock, calendar=WorkCalendar(s.calendar.holidays,
                                                          s.calendar.workdays))


def state(request: web.Request) -> ConsoleState:
    return request.config_dict[CONSOLE]


def who(request: web.Request) -> Who:
    return request[WHO]


def user(request: web.Request) -> ConsoleUser:
    return request[WHO].user


async def scope(request: web.Request) -> Scope:
    if SCOPE not in request:
        u = user(request)
        request[SCOPE] = await db(request).read(lambda s: scope_for(s, u))
    return request[SCOPE]


def address(request: web.Request) -> str:
    return request[ADDRESS]


def audit(session: AsyncSession, request: web.Request, action: str, target: str | None = None,
          detail: str | None = None, *, username: str | None = None,
          user_id: int | None = None) -> None:
    u: ConsoleUser | None = request[WHO].user if request.get(WHO) else None
    session.add(AuditEntry(
        user_id=user_id if user_id is not None else (u.id if u else None),
        username=username or (u.username if u else "-"), action=action, target=target,
        detail=detail, address=address(request), created_at=now(request)))


def not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(text="没有找到（或您无权查看）。", content_type="text/plain")


def require_admin(request: web.Request) -> None:
    if user(request).role != "admin":
        raise not_found()


async def render(request: web.Request, template: str, context: dict[str, Any], *,
                 status: int = 200) -> web.Response:
    w: Who | None = request.get(WHO)
    base: dict[str, Any] = {"request": request, "path": request.path,
                            "poll_seconds": state(request).config.poll_seconds}
    if w is not None:
        sc = await scope(request)
        base |= {"me": w.user, "csrf": w.session.csrf,
                 "role_name": ROLE_NAMES.get(w.user.role, w.user.role),
                 "area_name": sc.area.name if sc.area else "全区"}
    return aiohttp_jinja2.render_template(template, request, base | context, status=status)


# -- the middleware -----------------------------------------------------------------------

async def _load(request: web.Request) -> Who | None:
    token = state(request).signer.unsign(request.cookies.get(COOKIE))
    if token is None:
        return None
    sid = token_id(token)

    async def q(s: AsyncSession) -> tuple[ConsoleSession, ConsoleUser] | None:
        row = (await s.execute(select(ConsoleSession, ConsoleUser)
                               .join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
                               .where(ConsoleSession.id == sid))).first()
        return (row[0], row[1]) if row else None

    found = await db(request).read(q)
    if found is None:
        return None
    sess, u = found
    at = now(request)
    if not u.active or state(request).expired(sess.created_at, sess.last_seen_at, at):
        await db(request).run(lambda s: s.execute(
            delete(ConsoleSession).where(ConsoleSession.id == sid)))
        return None
    if at - sess.last_seen_at >= TOUCH_EVERY:
        async def touch(s: AsyncSession) -> None:
            row = await s.get(ConsoleSession, sid)
            if row is not None:
                row.last_seen_at = at

        await db(request).run(touch)
        sess.last_seen_at = at
    return Who(u, sess)


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[ADDRESS] = state(request).proxies.client(request)
    UNIT_KIND.set("console")  # this request's task
    bad = bad_part(request)  # a NUL in a code or a filter: PostgreSQL would refuse it
    if bad is not None:
        logger.warning("%s %s refused 400 from %s: %s", request.method, shown(request.path),
                       request[ADDRESS], refusal(bad))
        raise web.HTTPBadRequest(text=refusal(bad), content_type="text/plain")
    if request.method not in ("GET", "HEAD") and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        await form(request)  # refuses a control character in any field that is not free text
    route = request.match_info.route
    name = route.name if route is not None else None
    if name not in PUBLIC:
        w = await _load(request)
        if w is None:
            if request.method == "GET" and "application/json" not in request.headers.get(
                    "Accept", ""):
                target = request.path_qs
                resp = web.HTTPFound("/console/login?next=" + quote(target, safe=""))
                resp.del_cookie(COOKIE, path="/console")
                raise resp
            raise web.HTTPUnauthorized(text="请先登录。", content_type="text/plain")
        request[WHO] = w
        if request.method not in ("GET", "HEAD"):
            given = request.headers.get("X-CSRF-Token")
            if given is None and request.content_type in (
                    "application/x-www-form-urlencoded", "multipart/form-data"):
                given = (await form(request)).get("csrf")  # type: ignore[assignment]
            if not csrf_ok(w.session.csrf, given if isinstance(given, str) else None):
                raise web.HTTPForbidden(text="表单已过期，请刷新页面后重试。",
                                        content_type="text/plain")
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        if request.get(WHO) is None or request.method not in ("GET", "HEAD"):
            raise
        # out of scope or gone: the same 404, on a page with the way back
        response = await render(request, "notfound.html", {"title": "没有找到"}, status=404)
    h = response.headers
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                 "script-src 'self'; form-action 'self'; frame-ancestors 'none'")
    if name != "static":
        h.setdefault("Cache-Control", "no-store")
    return response


# -- sign-in ------------------------------------------------------------------------------

def _safe_next(value: str | None) -> str:
    if value and value.startswith("/console/") and not value.startswith("//"):
        return value
    return "/console/"


async def login(request: web.Request) -> web.Response:
    nonce = secrets.token_urlsafe(24)
    resp = await render(request, "login.html", {
        "login_csrf": nonce, "next": _safe_next(request.query.get("next")),
        "wecom": state(request).config.wecom_login, "error": request.query.get("error")})
    state(request).set_cookie(request, resp, LOGIN_CSRF_COOKIE, nonce, max_age=3600)
    return resp


async def start_session(request: web.Request, u: ConsoleUser, session: AsyncSession,
                        response: web.StreamResponse) -> None:
    """A fresh token for every sign-in; any session the browser had before is ended."""
    old = state(request).signer.unsign(request.cookies.get(COOKIE))
    if old is not None:
        await session.execute(delete(ConsoleSession).where(ConsoleSession.id == token_id(old)))
    token = new_token()
    at = now(request)
    session.add(ConsoleSession(id=token_id(token), user_id=u.id, csrf=secrets.token_urlsafe(24),
                               address=address(request), created_at=at, last_seen_at=at))
    u.last_login_at = at
    state(request).set_cookie(request, response, COOKIE, state(request).signer.sign(token))
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/console")


async def login_post(request: web.Request) -> web.StreamResponse:
    fields = await form(request)
    username = str(fields.get("username", "")).strip()[:64]
    password = str(fields.get("password", ""))
    nxt = _safe_next(str(fields.get("next", "")))
    if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE), str(fields.get("csrf", ""))):
        raise web.HTTPForbidden(text="表单已过期，请刷新登录页后重试。", content_type="text/plain")
    st, at, addr = state(request), now(request), address(request)

    async def again(error: str, status: int) -> web.Response:
        nonce = secrets.token_urlsafe(24)
        resp = await render(request, "login.html", {
            "login_csrf": nonce, "next": nxt, "error": error, "username": username,
            "wecom": st.config.wecom_login}, status=status)
        st.set_cookie(request, resp, LOGIN_CSRF_COOKIE, nonce, max_age=3600)
        return resp

    if st.limiter.blocked(username, addr, at):
        await db(request).run(lambda s: _audit_async(s, request, "login_blocked", username))
        return await again(f"登录失败次数过多，请 {st.config.login_window_minutes} 分钟后再试。",
                           429)
    u = await db(request).read(lambda s: s.scalar(
        select(ConsoleUser).where(ConsoleUser.username == username)))
    ok = verify_password(u.password_hash if u else None, password) and u is not None
    if not ok or not u.active:
        st.limiter.failed(username, addr, at)
        await db(request).run(lambda s: _audit_async(s, request, "login_failed", username))
        return await again("用户名或密码不正确。", 401)
    st.limiter.succeeded(username)
    resp = web.HTTPFound(nxt)

    async def unit(s: AsyncSession) -> None:
        row = await s.get(ConsoleUser, u.id)
        assert row is not None
        if row.password_hash and needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        await start_session(request, row, s, resp)
        audit(s, request, "login", username, username=row.username, user_id=row.id)

    await db(request).run(unit)
    raise resp


async def _audit_async(s: AsyncSession, request: web.Request, action: str,
                       username: str) -> None:
    audit(s, request, action, username, username=username or "-")


async def logout(request: web.Request) -> web.StreamResponse:
    w = who(request)

    async def unit(s: AsyncSession) -> None:
        await s.execute(delete(ConsoleSession).where(ConsoleSession.id == w.session.id))
        audit(s, request, "logout", w.user.username)

    await db(request).run(unit)
    resp = web.HTTPFound("/console/login")
    resp.del_cookie(COOKIE, path="/console")
    raise resp

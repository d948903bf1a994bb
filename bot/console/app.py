"""The console's sub-application: its middleware, templates and routes, mounted at /console/."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.console import admin, exports, pages, people, ticket, wecom
from bot.console import core as cw
from bot.console.auth import ConsoleState
from storage.config import Settings

HERE = Path(__file__).parent


def build_console(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[cw.session_middleware])
    app[cw.CONSOLE] = ConsoleState.from_config(settings.console)
    env = aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"),
                               autoescape=jinja2.select_autoescape(["html"]),
                               trim_blocks=True, lstrip_blocks=True)
    env.globals["static"] = lambda name: f"/console/static/{name}"
    r = app.router
    r.add_get("/login", cw.login, name="login")
    r.add_post("/login", cw.login_post, name="login_post")
    r.add_post("/logout", cw.logout, name="logout")
    r.add_get("/wecom/login", wecom.wecom_login, name="wecom_login")
    r.add_get("/wecom/callback", wecom.wecom_callback, name="wecom_callback")
    r.add_get("/", pages.overview, name="overview")
    r.add_get("/poll", pages.poll, name="poll")
    r.add_get("/tickets", pages.tickets, name="tickets")
    r.add_get("/tickets/{code}", ticket.ticket_page, name="ticket")
    r.add_post("/tickets/{code}/act", ticket.act, name="ticket_act")
    r.add_get("/media/{id}", ticket.media, name="media")
    r.add_get("/triage", pages.triage_desk, name="triage")
    r.add_get("/map", people.map_page, name="map")
    r.add_get("/people", people.people, name="people")
    r.add_get("/audit", pages.audit_page, name="audit")
    r.add_get("/export/tickets.csv", exports.tickets_csv, name="export_csv")
    r.add_get("/export/tickets.xlsx", exports.tickets_xlsx, name="export_xlsx")
    r.add_get("/export/stats.xlsx", exports.stats_xlsx, name="export_stats")
    r.add_get("/users", admin.users_page, name="users")
    r.add_post("/users", admin.users_post, name="users_post")
    r.add_post("/users/{username}", admin.user_post, name="user_post")
    r.add_get("/district", admin.district_page, name="district")
    r.add_post("/district", admin.district_post, name="district_post")
    r.add_static("/static", HERE / "static", name="static")
    return app


def setup_console(app: web.Application, settings: Settings) -> web.Application:
    console = build_console(settings)
    app.add_subapp("/console", console)
    # /console (no slash) → the overview
    app.router.add_get("/console", _redirect)
    # browsers ask for /favicon.ico on every page, whatever the page links
    app.router.add_get("/favicon.ico", _favicon)
    return console


async def _redirect(_: web.Request) -> web.Response:
    raise web.HTTPFound("/console/")


FAVICON = (HERE / "static" / "favicon.svg").read_bytes()


async def _favicon(_: web.Request) -> web.Response:
    return web.Response(body=FAVICON, content_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})

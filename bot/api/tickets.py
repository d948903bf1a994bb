"""The admin JSON API under `/api/v1/` and the public `/metrics`.

One middleware guards every `/api/` path (and only those: the WeChat gateway answers WeChat's
servers in WeChat's formats): the admin bearer token, compared in constant time, and errors as
`{"error": "..."}`, so an admin script never has to parse an HTML error page. Every refused
request logs one line; an unexpected exception is a 500 with its traceback in the log.

`/metrics` carries no secrets (counts only) and needs no token: expose it to the monitoring
network only, e.g. by not proxying it from the public reverse proxy.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api import views
from bot.inputs import bad_part, refusal, shown
from bot.metrics import exposition
from bot.runtime import RUNTIME
from nlp.taxonomy import CATEGORIES
from storage.db import UNIT_KIND
from storage.models import Outbox, Ticket
from storage.outbox import ORDINARY, URGENT
from storage.statemachine import STATUSES

logger = logging.getLogger(__name__)

_dumps = partial(json.dumps, ensure_ascii=False)  # Chinese names stay readable
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_LIMIT = 200
_LIST_PARAMS = ("status", "grid", "category", "assignee", "limit", "offset")
OUTBOX_STATES = ("pending", "sending", "sent", "failed", "held", "unreached", "folded")


class ApiError(Exception):
    """A request the API refuses: the message is shown to the caller as `{"error": ...}`."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra  # more fields of the answer, e.g. the ticket a conflict names


def _error(request: web.Request, status: int, message: str, why: str = "",
           **extra: Any) -> web.Response:
    logger.warning("%s %s refused %d from %s: %s", request.method, shown(request.path_qs),
                   status, request.remote, shown(why or message))
    return web.json_response({"error": message, **extra}, status=status, dumps=_dumps)


def _bearer(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not (request.path == "/api" or request.path.startswith("/api/")):
        return await handler(request)
    token = request.app[RUNTIME].settings.admin.token
    if not token:
        return _error(request, 403, "admin API disabled: set admin.token")
    given = _bearer(request.headers.get("Authorization", ""))
    # compare bytes: compare_digest on str accepts ASCII only, and a token need not be ASCII
    if given is None or not hmac.compare_digest(given.encode(), token.encode()):
        resp = _error(request, 401, "unauthorized",
                      "no bearer token" if given is None else "wrong token")
        resp.headers["WWW-Authenticate"] = 'Bearer realm="gridbot admin"'
        return resp
    UNIT_KIND.set("api")  # this request's task
    bad = bad_part(request)  # a NUL in a code or a filter: PostgreSQL would refuse it with a 500
    if bad is not None:
        return _error(request, 400, refusal(bad))
    try:
        return await handler(request)
    except ApiError as e:
        return _error(request, e.status, str(e), **e.extra)
    except web.HTTPException as e:
        if e.status < 400:
            raise  # redirects stay redirects
        resp = _error(request, e.status, e.reason.lower())
        if "Allow" in e.headers:  # 405 keeps telling which methods exist
            resp.headers["Allow"] = e.headers["Allow"]
        return resp
    except Exception:
        logger.exception("%s %s failed", request.method, request.path_qs)
        return web.json_response({"error": "internal error"}, status=500)


def _query(request: web.Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query string as one value per name; a typo in a name is refused, not ignored."""
    out: dict[str, str] = {}
    for name, value in request.query.items():
        if name not in allowed:
            raise ApiError(400, f"unknown parameter {name!r}; use {', '.join(allowed)}")
        if name in out:
            raise ApiError(400, f"parameter {name!r} given more than once")
        out[name] = value.strip()
    return out


MAX_OFFSET = 10**9  # far past any table; a bigger one overflows the database's integer


def _int(params: dict[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = params.get(name, "")
    if not raw:
        return default
    # the length first: int() of thousands of digits is slow, then refused by Python itself
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12) or not lo <= int(raw) <= hi:
        raise ApiError(400, f"{name} must be an integer {lo}–{hi}, not {raw[:20]!r}")
    return int(raw)


async def list_tickets(request: web.Request) -> web.Response:
    q = _query(request, _LIST_PARAMS)
    status = q.get("status") or None
    if status is not None and status != "open" and status not in STATUSES:
        raise ApiError(400, f"unknown status {status!r}; use open (every status not yet "
                            f"resolved) or one of {', '.join(STATUSES)}")
    category = q.get("category") or None
    if category is not None and category not in CATEGORIES:
        raise ApiError(400, f"unknown category {category!r}; use one of "
                            f"{', '.join(CATEGORIES)}")
    limit = _int(q, "limit", 50, 1, MAX_LIMIT)
    offset = _int(q, "offset", 0, 0, MAX_OFFSET)

    async def page(s: AsyncSession) -> tuple[list[dict[str, Any]], int]:
        rows, total = await views.list_tickets(
            s, status=status, grid=q.get("grid") or None, category=category,
            assignee=q.get("assignee") or None, limit=limit, offset=offset)
        # build the items while the session is open: nothing can lazy-load after it closes
        return [views.ticket_item(t) for t in rows], total

    items, total = await request.app[RUNTIME].db.read(page)
    return web.json_response({"items": items, "total": total, "limit": limit, "offset": offset},
                             dumps=_dumps)


async def show_ticket(request: web.Request) -> web.Response:
    _query(request, ())
    code = request.match_info["code"]

    async def one(s: AsyncSession) -> dict[str, Any] | None:
        found = await views.get_ticket(s, code)
        if found is None:
            return None
        return await views.ticket_detail(s, *found)

    item = await request.app[RUNTIME].db.read(one)
    if item is None:
        raise ApiError(404, "ticket not found")
    return web.json_response(item, dumps=_dumps)


# --- /metrics ---------------------------------------------------------------------------------

def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _family(name: str, kind: str, help_: str, label: str,
            values: list[tuple[str, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_}", f"# TYPE {name} {kind}"]
    lines += [f'{name}{{{label}="{_label(k)}"}} {v:g}' for k, v in values]
    return lines


PRIORITIES = {URGENT: "urgent", ORDINARY: "ordinary"}
WAITING = ("pending", "sending")  # notices we still have to send (held ones wait for a person)


Aged = dict[str, tuple[int, datetime | None]]  # priority → (how many, the oldest's time)


async def _counts(s: AsyncSession) -> tuple[dict[str, int], dict[str, int], Aged, Aged]:
    tickets = await s.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
    outbox = await s.execute(select(Outbox.state, func.count()).group_by(Outbox.state))

    async def aged(states: tuple[str, ...]) -> Aged:
        rows = await s.execute(select(Outbox.priority, func.count(), func.min(Outbox.created_at))
                               .where(Outbox.state.in_(states)).group_by(Outbox.priority))
        return {PRIORITIES.get(p, str(p)): (n, oldest) for p, n, oldest in rows.all()}

    return ({k: n for k, n in tickets.all()}, {k: n for k, n in outbox.all()},
            await aged(WAITING), await aged(("held",)))


def _age(now: datetime, since: datetime | None) -> float:
    return round(max((now - since).total_seconds(), 0.0), 1) if since is not None else 0


async def metrics(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    by_status, by_state, by_priority, held = await runtime.db.read(_counts)
    now = runtime.clock.now()
    # every known value is listed, zero or not, so a dashboard's series never vanish
    statuses = list(STATUSES) + sorted(set(by_status) - set(STATUSES))
    states = list(OUTBOX_STATES) + sorted(set(by_state) - set(OUTBOX_STATES))
    lines = _family("gridbot_tickets", "gauge", "Tickets by status.", "status",
                    [(k, by_status.get(k, 0)) for k in statuses])
    lines += _family("gridbot_outbox", "gauge", "Outbox notices by state.", "state",
                     [(k, by_state.get(k, 0)) for k in states])
    priorities = list(PRIORITIES.values())
    lines += _family("gridbot_outbox_waiting", "gauge",
                     "Notices still to send (pending or being sent), by priority.", "priority",
                     [(p, by_priority.get(p, (0, None))[0]) for p in priorities])
    lines += _family("gridbot_outbox_oldest_waiting_seconds", "gauge",
                     "Age of the oldest notice still to send, by priority (0: none waits).",
                     "priority", [(p, _age(now, by_priority.get(p, (0, None))[1]))
                                  for p in priorities])
    # a notice held for a person's next message (an Official Account's 48-hour window closed,
    # or its pushes per message used up): an urgent one held is a page nobody has seen
    lines += _family("gridbot_outbox_held", "gauge",
                     "Notices held until the recipient writes again, by priority.", "priority",
                     [(p, held.get(p, (0, None))[0]) for p in priorities])
    lines += _family("gridbot_outbox_oldest_held_seconds", "gauge",
                     "Age of the oldest notice held for the recipient's next message, by "
                     "priority (0: none held).",
                     "priority", [(p, _age(now, held.get(p, (0, None))[1])) for p in priorities])
    # the process's (every worker's, under --workers) histograms and counters: prometheus_client
    body = ("\n".join(lines) + "\n").encode() + exposition()
    return web.Response(body=body,
                        headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


def setup_api(app: web.Application) -> None:
    app.middlewares.append(api_middleware)
    app.router.add_get("/api/v1/tickets", list_tickets, name="api-tickets")
    app.router.add_get("/api/v1/tickets/{code}", show_ticket, name="api-ticket")
    app.router.add_get("/metrics", metrics, name="metrics")

"""A stand-in for the WeChat and WeCom APIs on 127.0.0.1, for tests and `gridbot demo`.

It issues access tokens with an expiry and checks them (unknown → 40001 on the Official Account,
40014 on WeCom; expired → 42001), records every message it accepts in `.sent`, and lets a test
script the next calls of an endpoint: an errcode, an HTTP status, a delay, or WeCom's
`invaliduser`. `wait_for` waits on a condition that every request notifies, so tests never poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

logger = logging.getLogger(__name__)

TOKEN_TTL = 7200


@dataclass(frozen=True)
class Scripted:
    errcode: int | None = None
    errmsg: str = "scripted failure"
    status: int | None = None
    delay: float | None = None
    invaliduser: bool = False


class WeChatStandIn:
    def __init__(self, *, token_ttl: int = TOKEN_TTL) -> None:
        self.token_ttl = token_ttl
        self.sent: list[dict[str, Any]] = []  # {channel, touser, text, kind, ...}
        self.calls: Counter[str] = Counter()  # endpoint (path after /cgi-bin/) → requests
        self.requests: list[dict[str, Any]] = []  # endpoint, query, json: what arrived
        self.menus: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}  # media_id → (content, content type)
        self._tokens: dict[str, tuple[str, float]] = {}  # token → (channel, expires at)
        self._current: dict[str, str] = {}  # app → token in force
        self._scripts: dict[str, deque[Scripted]] = {}
        self._cond = asyncio.Condition()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._chaos: tuple[float, float, float] | None = None
        self._rng = random.Random(0)
        self.faults: Counter[str] = Counter()  # chaos kind → times injected
        self.ghosts = 0  # sends delivered whose answer hung
        self._work_seen: dict[tuple[str, str], float] = {}  # WeCom's duplicate check
        self.duplicates_dropped = 0
        self.oauth_user = "LiHua"  # who the authorize page signs in (WeCom 网页授权)
        self._codes: dict[str, str] = {}

    # -- scripting --------------------------------------------------------------------------
    def fail(self, endpoint: str, errcode: int | None = None, *, times: int = 1,
             status: int | None = None, delay: float | None = None,
             errmsg: str = "scripted failure", invaliduser: bool = False) -> None:
        """The next `times` calls of `endpoint` (e.g. "message/custom/send") wait `delay`
        seconds, then answer HTTP `status`, or `errcode`, or (WeCom) list the recipient in
        invaliduser; with none of these they are served normally after the delay."""
        queue = self._scripts.setdefault(endpoint, deque())
        queue.extend([Scripted(errcode, errmsg, status, delay, invaliduser)] * times)

    def chaos(self, rate: float, *, seed: int = 0, ghost: float = 0.0,
              hang_seconds: float = 3.0) -> None:
        """From now on a send (custom, template, WeCom) fails with probability `rate`, as the
        real APIs do: HTTP 500, a hang past the client's timeout, a reset connection, −1
        (system busy), an expired token, 45015 (window closed) or 45009 (quota). With
        probability `ghost` a send is delivered (recorded) and then hangs: the caller times
        out on a message that did arrive."""
        self._chaos = (rate, ghost, hang_seconds)
        self._rng = random.Random(seed)

    def expire_tokens(self) -> None:
        """Every token issued so far has expired (the next call with one answers 42001)."""
        self._tokens = {t: (ch, 0.0) for t, (ch, _) in self._tokens.items()}
        self._current.clear()

    def texts(self, touser: str) -> list[str]:
        return [m["text"] for m in self.sent if m["touser"].lower() == touser.lower()]

    async def wait_for(self, predicate: Callable[[], bool],
                       timeout: float = 5.0) -> None:  # noqa: ASYNC109 - the demo's interface
        """Return once `predicate()` holds; TimeoutError (with what was sent) after `timeout`."""
        async with self._cond:
            try:
                await asyncio.wait_for(self._cond.wait_for(predicate), timeout)
            except TimeoutError:
                raise TimeoutError(f"stand-in: condition not met within {timeout} s; "
                                   f"sent so far: {self.sent[-5:]}") from None

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        """Listen on `port` (0: any free one); the base URL for `api_base_url`."""
        app = web.Application()
        app.router.add_route("*", "/cgi-bin/{endpoint:.+}", self._handle)
        app.router.add_get("/connect/oauth2/authorize", self._authorize)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        self._closing.set()  # delayed answers give up at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- the API ----------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        body: dict[str, Any] = {}
        if request.method == "POST" and request.can_read_body:
            with contextlib.suppress(ValueError):
                body = await request.json()
        self.calls[endpoint] += 1
        self.requests.append({"endpoint": endpoint, "query": dict(request.query), "json": body})
        await self._notify()
        queue = self._scripts.get(endpoint)
        script = queue.popleft() if queue else None
        if script is None and endpoint in _SENDS and self._chaos is not None:
            return await self._chaotic(endpoint, request, body)
        if script is not None and script.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), script.delay)
        if script is not None and script.status is not None:
            return web.Response(status=script.status, text="scripted")
        if script is not None and script.errcode is not None:
            return _err(script.errcode, script.errmsg)
        handler = _ROUTES.get(endpoint)
        if handler is None:
            return _err(48001, "api unauthorized (not in the stand-in)")
        answer = handler(self, request, body, script)
        await self._notify()
        return answer

    async def _chaotic(self, endpoint: str, request: web.Request,
                       body: dict[str, Any]) -> web.StreamResponse:
        assert self._chaos is not None
        rate, ghost, hang = self._chaos
        roll = self._rng.random()
        if roll < ghost:  # delivered, then the answer never comes in time
            _ROUTES[endpoint](self, request, body, None)
            self.ghosts += 1
            await self._notify()
            await self._hang(hang)
            return _err(0, "ok")
        if roll < ghost + rate:
            kinds = ("500", "hang", "reset", "-1", "token", "45009")
            kind = self._rng.choice(kinds + (("45015",) if endpoint != "message/send" else ()))
            self.faults[kind] += 1
            if kind == "500":
                return web.Response(status=500, text="chaos")
            if kind == "hang":
                await self._hang(hang)
                return web.Response(status=504, text="chaos")
            if kind == "reset" and request.transport is not None:
                request.transport.abort()
                return web.Response(status=500, text="reset")
            if kind == "token":
                return _err(42001 if endpoint != "message/send" else 40014, "chaos: token")
            return _err(int(kind) if kind != "reset" else -1, f"chaos {kind}")
        answer = _ROUTES[endpoint](self, request, body, None)
        await self._notify()
        return answer

    async def _hang(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    def _issue(self, app: str, channel: str, force: bool) -> web.Response:
        current = self._current.get(app)
        if force or current is None or self._tokens[current][1] <= time.monotonic():
            current = f"{channel}-{secrets.token_hex(12)}"
            self._tokens[current] = (channel, time.monotonic() + self.token_ttl)
            self._current[app] = current
        left = int(self._tokens[current][1] - time.monotonic())
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": current,
                                  "expires_in": left})

    def _check(self, request: web.Request, channel: str) -> web.Response | None:
        entry = self._tokens.get(request.query.get("access_token", ""))
        if entry is None or entry[0] != channel:
            return _err(40001 if channel == "mp" else 40014, "invalid access_token")
        if entry[1] <= time.monotonic():
            return _err(42001, "access_token expired")
        return None

    def _stable_token(self, request: web.Request, body: dict[str, Any],
                      _: Scripted | None) -> web.Response:
        if body.get("grant_type") != "client_credential" or not body.get("appid"):
            return _err(40002, "invalid grant_type or appid")
        if not body.get("secret"):
            return _err(41004, "appsecret missing")
        return self._issue(f"mp:{body['appid']}", "mp", bool(body.get("force_refresh")))

    def _gettoken(self, request: web.Request, body: dict[str, Any],
                  _: Scripted | None) -> web.Response:
        corp, secret = request.query.get("corpid"), request.query.get("corpsecret")
        if not corp or not secret:
            return _err(41004, "corpid or corpsecret missing")
        return self._issue(f"work:{corp}:{secret}", "work", False)

    def _record(self, channel: str, kind: str, touser: str, text: str, **extra: Any) -> None:
        self.sent.append({"channel": channel, "kind": kind, "touser": touser, "text": text,
                          "at": time.time(), **extra})
        logger.debug("stand-in: %s %s to %s", channel, kind, touser)

    def _custom_send(self, request: web.Request, body: dict[str, Any],
                     _: Scripted | None) -> web.Response:
        refused = self._check(request, "mp")
        if refused is not None:
            return refused
        if body.get("msgtype") != "text" or not body.get("touser"):
            return _err(40008, "invalid message type or touser")
        self._record("mp", "custom", body["touser"], body.get("text", {}).get("content", ""))
        return _err(0, "ok")

    def _template_send(self, request: web.Request, body: dict[str, Any],
                       _: Scripted | None) -> web.Response:
        refused = self._check(request, "mp")
        if refused is not None:
            return refused
        if not body.get("template_id"):
            return _err(40037, "invalid template_id")
        data = body.get("data") or {}
        text = "\n".join(str(v.get("value", "")) for v in data.values() if isinstance(v, dict))
        self._record("mp", "template", body.get("touser", ""), text,
                     template_id=body["template_id"], data=data)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": len(self.sent)})

    def _work_send(self, request: web.Request, body: dict[str, Any],
                   script: Scripted | None) -> web.Response:
        refused = self._check(request, "work")
        if refused is not None:
            return refused
        touser = str(body.get("touser", ""))
        if script is not None and script.invaliduser:
            return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": touser})
        content = str(body.get("text", {}).get("content", ""))
        if body.get("enable_duplicate_check"):  # WeCom drops a repeat within the interval
            seen = self._work_seen.get((touser.lower(), content))
            interval = float(body.get("duplicate_check_interval") or 1800)
            if seen is not None and time.monotonic() - seen < interval:
                self.duplicates_dropped += 1
                return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": ""})
            self._work_seen[(touser.lower(), content)] = time.monotonic()
        self._record("work", "text", touser, body.get("text", {}).get("content", ""),
                     agentid=body.get("agentid"))
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": "",
                                  "msgid": str(len(self.sent))})

    def _menu_create(self, request: web.Request, body: dict[str, Any],
                     _: Scripted | None) -> web.Response:
        refused = self._check(request, "mp")
        if refused is None:
            self.menus.append(body)
        return refused or _err(0, "ok")

    def _media_get(self, request: web.Request, body: dict[str, Any],
                   _: Scripted | None) -> web.Response:
        token = self._tokens.get(request.query.get("access_token", ""))
        refused = self._check(request, token[0] if token else "mp")
        if refused is not None:
            return refused
        found = self.media.get(request.query.get("media_id", ""))
        if found is None:
            return _err(40007, "invalid media_id")
        return web.Response(body=found[0], content_type=found[1])

    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        """WeCom's 网页授权 page: the member `oauth_user` agrees at once."""
        code = secrets.token_urlsafe(12)
        self._codes[code] = self.oauth_user
        back = request.query.get("redirect_uri", "")
        sep = "&" if "?" in back else "?"
        raise web.HTTPFound(f"{back}{sep}code={code}&state={request.query.get('state', '')}")

    def _getuserinfo(self, request: web.Request, body: dict[str, Any],
                     _: Scripted | None) -> web.Response:
        refused = self._check(request, "work")
        if refused is not None:
            return refused
        userid = self._codes.pop(request.query.get("code", ""), None)
        if userid is None:
            return _err(40029, "invalid code")
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": userid})

    def _qrcode_create(self, request: web.Request, body: dict[str, Any],
                       _: Scripted | None) -> web.Response:
        refused = self._check(request, "mp")
        if refused is not None:
            return refused
        ticket = secrets.token_urlsafe(16)
        return web.json_response({"ticket": ticket, "expire_seconds": body.get("expire_seconds"),
                                  "url": f"http://weixin.qq.com/q/{ticket}"})


def _err(code: int, msg: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": msg})


_SENDS = {"message/custom/send", "message/template/send", "message/send"}
_ROUTES: dict[str, Callable[..., web.Response]] = {
    "stable_token": WeChatStandIn._stable_token,
    "gettoken": WeChatStandIn._gettoken,
    "message/custom/send": WeChatStandIn._custom_send,
    "message/template/send": WeChatStandIn._template_send,
    "message/send": WeChatStandIn._work_send,
    "menu/create": WeChatStandIn._menu_create,
    "media/get": WeChatStandIn._media_get,
    "qrcode/create": WeChatStandIn._qrcode_create,
    "auth/getuserinfo": WeChatStandIn._getuserinfo,
}


def push_line(m: dict[str, Any]) -> str:
    """A push as printed: when the stand-in received it (local time, as in the log's lines),
    so a notice's delay can be read off against its ticket."""
    where = "企业微信" if m["channel"] == "work" else "公众号"
    at = m.get("at") or time.time()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at)) + f",{int(at % 1 * 1000):03d}"
    return f"{stamp} 【推送 → {m['touser']}（{where}）】{m['text']}"


async def print_pushes(standin: WeChatStandIn, stop: asyncio.Event,
                       ready: asyncio.Event | None = None, every: float = 0.2) -> None:
    """Print every push the stand-in receives until `stop` is set (SIGINT/SIGTERM set it)."""
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready.set()
    shown = 0
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        for m in standin.sent[shown:]:
            print(push_line(m), flush=True)
        shown = len(standin.sent)


async def serve_standin(port: int = 9100, *, ready: asyncio.Event | None = None,
                        stop: asyncio.Event | None = None) -> int:
    """`gridbot standin`: the stand-in alone on a fixed port, printing every push, for a
    `gridbot serve` of your own whose `api_base_url`s point at it."""
    stop = stop or asyncio.Event()
    standin = WeChatStandIn()
    base = await standin.start(port)
    print(f"WeChat/WeCom API 替身：{base}（api_base_url = \"{base}\"，公众号和企业微信都填它）。"
          "推送会打印在下面。Ctrl-C 结束。", flush=True)
    try:
        await print_pushes(standin, stop, ready)
    finally:
        await standin.stop()
    return 0

"""The access log without ids or secrets: what `gridbot serve` (and its workers) log per request.

aiohttp's own format writes the request line whole, and a WeChat callback's query carries the
sender's `openid` with the request's `signature`, `msg_signature`, `nonce` and (to verify the
URL) `echostr`; a WeCom sign-in comes back with an OAuth `code` and `state`. Here the line keeps
the method, the path and the rest of the query: an id becomes the short hash gridbot's own lines
use (`handlers.ops.privacy.tag`), a signature, nonce or one-time code is left out.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from handlers.ops.privacy import tag

IDS = frozenset({"openid", "userid", "fromusername"})  # → their tag
DROPPED = frozenset({"signature", "msg_signature", "nonce", "echostr", "code", "state",
                     "token", "access_token"})


def safe_target(request: web.BaseRequest) -> str:
    """The path and query as they may be logged."""
    parts = []
    for key, value in request.rel_url.query.items():
        low = key.lower()
        if low in DROPPED:
            continue
        parts.append(f"{quote(key)}={tag(value) if low in IDS else quote(value)}")
    path = quote(request.rel_url.path)
    return f"{path}?{'&'.join(parts)}" if parts else path


class SafeAccessLogger(AbstractAccessLogger):
    """`client "METHOD /path?query HTTP/1.1" status bytes seconds`, the query as above."""

    @property
    def enabled(self) -> bool:
        """aiohttp asks once per connection: with INFO off it neither times a request nor
        calls `log` for it (as its own AccessLogger)."""
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        version = f"HTTP/{request.version.major}.{request.version.minor}"
        self.logger.info('%s "%s %s %s" %d %d %.6fs', request.remote or "-", request.method,
                         safe_target(request), version, response.status,
                         response.body_length, time)


ACCESS_LOG: dict[str, Any] = {"access_log_class": SafeAccessLogger}  # web.run_app, AppRunner

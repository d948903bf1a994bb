"""JSON over aiohttp with a per-call timeout and bounded retries with exponential backoff.

Retried: connections that could not be made, 5xx answers, and (for idempotent calls: GETs,
token requests) timeouts and connections lost mid-call. A POST that timed out or lost its
connection after it was sent may have been carried out (a message delivered): it is not sent
again here, the caller decides (the outbox retries later, WeCom discards a repeat through its
duplicate check). Not retried: 4xx answers and any answer WeChat gave (its errcodes are the
clients' business). Every URL that reaches a log line
goes through `mask`, so access tokens and secrets never do.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import (
    ClientConnectorError,
    ClientError,
    ClientSession,
    ClientTimeout,
    ContentTypeError,
)

logger = logging.getLogger(__name__)

_SECRET_PARAM = re.compile(r"((?:access_token|secret|corpsecret)=)[^&\s]*", re.IGNORECASE)
_SECRET_KEYS = {"access_token", "secret", "corpsecret"}


def mask(url: str) -> str:
    return _SECRET_PARAM.sub(r"\1***", url)


class HttpError(Exception):
    """No usable answer after the retries (or a 4xx): the call may be tried again later."""

    def __init__(self, message: str, *, retryable: bool = True,
                 maybe_done: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.maybe_done = maybe_done  # the request went out: it may have been carried out


@dataclass(frozen=True)
class RawAnswer:
    """A non-JSON answer (media/get returns the file itself)."""

    body: bytes
    content_type: str
    headers: dict[str, str]


class JsonHttp:
    """One shared ClientSession plus the retry policy from `[http]`."""

    def __init__(self, session: ClientSession, *, timeout_seconds: float, retries: int,
                 backoff_seconds: float = 0.5,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.session = session
        self.timeout = ClientTimeout(total=timeout_seconds)
        self.retries = retries
        self.backoff = backoff_seconds
        self._sleep = sleep

    async def get(self, url: str, *, params: dict[str, Any] | None = None,
                  raw: bool = False) -> dict[str, Any] | RawAnswer:
        return await self.request("GET", url, params=params, raw=raw)

    async def post(self, url: str, *, params: dict[str, Any] | None = None,
                   json: dict[str, Any] | None = None,
                   idempotent: bool = False) -> dict[str, Any]:
        answer = await self.request("POST", url, params=params, json=json,
                                    idempotent=idempotent)
        assert isinstance(answer, dict)
        return answer

    async def request(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                      json: dict[str, Any] | None = None, raw: bool = False,
                      idempotent: bool | None = None) -> dict[str, Any] | RawAnswer:
        """The decoded JSON answer (or, with `raw`, the file when the answer is not JSON).
        Raises HttpError when every attempt failed. `idempotent` (default: GET only) lets a
        call that may have been carried out be sent again."""
        again = method == "GET" if idempotent is None else idempotent
        shown = f"{method} {url}{_shown_params(params)}"
        last = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                await self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                async with self.session.request(method, url, params=params, json=json,
                                                timeout=self.timeout) as resp:
                    if resp.status >= 500:
                        last = f"HTTP {resp.status}"
                        logger.warning("%s: %s (attempt %d/%d)", mask(shown), last,
                                       attempt + 1, self.retries + 1)
                        continue
                    if resp.status >= 400:  # a wrong api_base_url, not a passing failure
                        logger.error("%s: HTTP %d", mask(shown), resp.status)
                        raise HttpError(f"HTTP {resp.status}", retryable=False)
                    ctype = resp.headers.get("Content-Type", "")
                    if raw and "json" not in ctype and not ctype.startswith("text/plain"):
                        return RawAnswer(await resp.read(), ctype, dict(resp.headers))
                    try:
                        return await resp.json(content_type=None)
                    except (ValueError, ContentTypeError):
                        raise HttpError("answer is not JSON", retryable=False) from None
            except ClientConnectorError as exc:  # never reached the server: safe to resend
                last = f"{type(exc).__name__}"
            except (TimeoutError, ClientError) as exc:
                last = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
                if not again:
                    logger.warning("%s: %s after the request went out: not resent here",
                                   mask(shown), last)
                    raise HttpError(last, maybe_done=True) from None
            logger.warning("%s: %s (attempt %d/%d)", mask(shown), last, attempt + 1,
                           self.retries + 1)
        raise HttpError(last)


def _shown_params(params: dict[str, Any] | None) -> str:
    if not params:
        return ""
    shown = "&".join(f"{k}={'***' if k in _SECRET_KEYS else v}" for k, v in params.items())
    return f"?{shown}"

"""Outbound channels: our own aiohttp clients for the Official Account and WeCom, the token store
they share through the database, and the outbox sender that drains notices with retries.

wechatpy's client is synchronous and retries 40001 without bound, so only its crypto and parsing
are used; every outbound call goes through `bot.channels.http`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# errcodes of our own, for failures that never reached an answer from WeChat
NETWORK_ERROR = -2  # timeouts, refused connections, 5xx after the bounded retries
NOT_CONFIGURED = -3  # the app id / secret is missing from the config


@dataclass(frozen=True)
class SendResult:
    """What one API call came to. `retryable` says whether a later attempt may succeed;
    `window_closed` is the Official Account's 45015/45047 (customer-service window)."""

    ok: bool
    errcode: int = 0
    errmsg: str = "ok"
    retryable: bool = False
    window_closed: bool = False
    maybe_done: bool = False  # no answer after the request went out: it may have arrived
    data: dict[str, Any] = field(default_factory=dict)  # the decoded answer, when JSON
    content: bytes | None = None  # media/get: the file
    content_type: str | None = None

    @property
    def error(self) -> str:
        """A short line for `outbox.last_error` and logs (never holds a token)."""
        return "ok" if self.ok else f"{self.errcode} {self.errmsg}"[:500]


def failure(errcode: int, errmsg: str, *, retryable: bool = False,
            maybe_done: bool = False) -> SendResult:
    return SendResult(ok=False, errcode=errcode, errmsg=errmsg, retryable=retryable,
                      maybe_done=maybe_done)

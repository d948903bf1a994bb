"""Access tokens kept in the `access_tokens` table, so every worker shares one per app secret.

WeChat caps token fetches per day and a fresh fetch can invalidate the token other workers hold,
so a worker first looks at the row; it fetches only when the row is missing or expires within
five minutes, and then writes what it got back for the others. The network call happens before
the write unit (a unit of work never does network I/O).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import NETWORK_ERROR, SendResult, failure
from bot.channels.http import HttpError, JsonHttp, RawAnswer
from storage import dialect
from storage.clock import Clock
from storage.db import Database
from storage.models import AccessToken

logger = logging.getLogger(__name__)

MARGIN = timedelta(minutes=5)


class TokenError(Exception):
    """The token endpoint refused (bad secret, IP not whitelisted…) or could not be reached."""

    def __init__(self, errcode: int, errmsg: str, *, retryable: bool) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode, self.errmsg, self.retryable = errcode, errmsg, retryable


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: datetime


# fetch(force) → (access_token, expires_in seconds); raises TokenError
Fetch = Callable[[bool], Awaitable[tuple[str, int]]]


class TokenStore:
    """One app secret's token: memory, then the shared row, then the token endpoint."""

    def __init__(self, db: Database, clock: Clock, key: str, fetch: Fetch) -> None:
        self.db, self.clock, self.key, self._fetch = db, clock, key, fetch
        self._memo: Token | None = None
        self._lock = asyncio.Lock()  # concurrent senders in one worker fetch once

    def _fresh(self, token: Token | None) -> bool:
        return token is not None and token.expires_at - MARGIN > self.clock.now()

    async def get(self) -> str:
        if self._fresh(self._memo):
            assert self._memo is not None
            return self._memo.value
        async with self._lock:
            if not self._fresh(self._memo):
                shared = await self._read()
                self._memo = shared if self._fresh(shared) else await self._renew(force=False)
            assert self._memo is not None
            return self._memo.value

    async def refresh(self, stale: str) -> str:
        """A new token after the API refused `stale`. If another coroutine or worker already
        replaced it, that one is used and nothing is fetched."""
        async with self._lock:
            if self._memo is not None and self._memo.value != stale and self._fresh(self._memo):
                return self._memo.value
            shared = await self._read()
            if shared is not None and shared.value != stale and self._fresh(shared):
                self._memo = shared
            else:
                self._memo = await self._renew(force=True)
            return self._memo.value

    async def _read(self) -> Token | None:
        async def q(session: AsyncSession) -> Token | None:
            row = await session.get(AccessToken, self.key)
            return Token(row.token, row.expires_at) if row is not None else None

        return await self.db.read(q)

    async def _renew(self, *, force: bool) -> Token:
        value, expires_in = await self._fetch(force)
        now = self.clock.now()
        token = Token(value, now + timedelta(seconds=max(expires_in, 0)))
        logger.info("new access token for %s (force=%s, valid %d s)", self.key, force,
                    expires_in)

        async def save(session: AsyncSession) -> None:
            values = {"key": self.key, "token": token.value, "expires_at": token.expires_at,
                      "updated_at": now}
            stmt = dialect.insert(session, AccessToken).values(**values)
            await session.execute(stmt.on_conflict_do_update(
                index_elements=[AccessToken.key],
                set_={k: stmt.excluded[k] for k in ("token", "expires_at", "updated_at")}))

        await self.db.run(save)
        return token


class ApiClient:
    """A client of one app: adds the access token, refreshes it at most once per call when
    the API answers one of `refresh_codes`, and turns the answer into a SendResult."""

    name = "api"
    refresh_codes: frozenset[int] = frozenset()
    retryable_codes: frozenset[int] = frozenset({-1, 45009, 45011, 45033})
    loud_codes: frozenset[int] = frozenset()  # the config is wrong: an operator must act
    quiet_codes: frozenset[int] = frozenset()  # part of normal operation

    def __init__(self, base_url: str, http: JsonHttp, tokens: TokenStore) -> None:
        self.base = base_url.rstrip("/")
        self.http, self.tokens = http, tokens

    async def call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                   json: dict[str, Any] | None = None, raw: bool = False) -> SendResult:
        url = f"{self.base}/cgi-bin/{path}"
        try:
            token = await self.tokens.get()
            answer = await self.http.request(method, url, params={**(params or {}),
                                             "access_token": token}, json=json, raw=raw)
            code = _errcode(answer)
            if code in self.refresh_codes:
                logger.info("%s %s: token refused (%s), refreshing once", self.name, path, code)
                token = await self.tokens.refresh(token)
                answer = await self.http.request(method, url, params={**(params or {}),
                                                 "access_token": token}, json=json, raw=raw)
        except TokenError as exc:
            self._complain(path, exc.errcode, exc.errmsg)
            return failure(exc.errcode, exc.errmsg, retryable=exc.retryable)
        except HttpError as exc:
            return failure(NETWORK_ERROR, str(exc), retryable=exc.retryable,
                           maybe_done=exc.maybe_done)
        if isinstance(answer, RawAnswer):
            return SendResult(ok=True, content=answer.body, content_type=answer.content_type,
                              data={"headers": answer.headers})
        return self.result(path, answer)

    def result(self, path: str, answer: dict[str, Any]) -> SendResult:
        code = _errcode(answer)
        if code == 0:
            return SendResult(ok=True, data=answer)
        msg = str(answer.get("errmsg", ""))
        self._complain(path, code, msg)
        return failure(code, msg, retryable=code in self.retryable_codes
                       or code in self.refresh_codes)

    def _complain(self, path: str, code: int, msg: str) -> None:
        if code in self.loud_codes:
            logger.error("%s %s answered %s %s: check the app id/secret and the IP whitelist",
                         self.name, path, code, msg)
        elif code in self.quiet_codes:
            logger.info("%s %s answered %s %s", self.name, path, code, msg)
        else:
            logger.warning("%s %s answered %s %s", self.name, path, code, msg)


def _errcode(answer: dict[str, Any] | RawAnswer) -> int:
    if isinstance(answer, RawAnswer):
        return 0
    try:
        return int(answer.get("errcode", 0) or 0)
    except (TypeError, ValueError):
        return -1

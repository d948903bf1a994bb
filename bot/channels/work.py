"""The WeCom API (企业微信): gettoken per app secret, application messages, media.

Unlike the Official Account, WeCom's 40001 means the secret is wrong: refreshing cannot help, so
it is reported loudly and not retried. `message/send` may answer errcode 0 and still list the
recipient in `invaliduser`: that message was not delivered.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.channels import NOT_CONFIGURED, SendResult, failure
from bot.channels.http import JsonHttp
from bot.channels.tokens import ApiClient, TokenError, TokenStore
from storage.clock import Clock
from storage.config import WorkConfig
from storage.db import Database

logger = logging.getLogger(__name__)

# longer than the outbox's whole retry schedule; short enough that a reminder repeated later the
# same day is still shown
DUPLICATE_CHECK_SECONDS = 1800
INVALID_USER = -4  # our errcode: errcode 0, but the recipient is in invaliduser/unlicenseduser


class WorkClient(ApiClient):
    name = "work"
    refresh_codes = frozenset({40014, 42001})
    loud_codes = frozenset({40001, 40013, 40056, 60020, 41004})

    def __init__(self, cfg: WorkConfig, http: JsonHttp, db: Database, clock: Clock) -> None:
        self.cfg = cfg
        key = f"work:{cfg.corp_id}:{cfg.agent_id}"
        super().__init__(cfg.api_base_url, http, TokenStore(db, clock, key, self._fetch_token))

    @property
    def configured(self) -> bool:
        return bool(self.cfg.corp_id and self.cfg.secret and self.cfg.agent_id)

    async def _fetch_token(self, force: bool) -> tuple[str, int]:
        # WeCom has no forced refresh: gettoken hands out the token in force, or a new one
        answer = await self.http.get(f"{self.base}/cgi-bin/gettoken",
                                     params={"corpid": self.cfg.corp_id,
                                             "corpsecret": self.cfg.secret})
        assert isinstance(answer, dict)
        code = int(answer.get("errcode", 0) or 0)
        token = answer.get("access_token")
        if code or not token:
            raise TokenError(code or -1, str(answer.get("errmsg", "no access_token")),
                             retryable=code in self.retryable_codes)
        return str(token), int(answer.get("expires_in", 7200))

    async def call(self, method: str, path: str, **kw: Any) -> SendResult:
        if not self.configured:
            return failure(NOT_CONFIGURED,
                           "wechat.work.corp_id/agent_id/secret are not configured")
        return await super().call(method, path, **kw)

    async def send_text(self, userid: str, text: str) -> SendResult:
        res = await self.call("POST", "message/send", json={
            "touser": userid, "msgtype": "text", "agentid": self.cfg.agent_id,
            "text": {"content": text},
            # a resend after a timeout that did deliver is dropped by WeCom, not shown twice
            "enable_duplicate_check": 1, "duplicate_check_interval": DUPLICATE_CHECK_SECONDS})
        if not res.ok:
            return res
        rejected = [f"{field} {res.data[field]}" for field in ("invaliduser", "unlicenseduser")
                    if res.data.get(field)]
        if rejected:
            logger.warning("work message/send: not delivered to %s (%s)", userid,
                           "; ".join(rejected))
            return failure(INVALID_USER, "; ".join(rejected))
        return res

    async def media_get(self, media_id: str) -> SendResult:
        return await self.call("GET", "media/get", params={"media_id": media_id}, raw=True)

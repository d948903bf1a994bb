"""The Official Account API (公众号): stable_token, customer-service and template messages, and
the thin calls later features need (menu, media, QR codes)."""

from __future__ import annotations

import logging
from typing import Any

from bot.channels import NOT_CONFIGURED, SendResult, failure
from bot.channels.http import JsonHttp
from bot.channels.tokens import ApiClient, TokenError, TokenStore
from storage.clock import Clock
from storage.config import MpConfig
from storage.db import Database

logger = logging.getLogger(__name__)

WINDOW_CLOSED = frozenset({45015, 45047})  # 48 h since their last message / 5 pushes used
TEMPLATE_FIELD = "content"  # the one field the configured template is expected to have


class MpClient(ApiClient):
    name = "mp"
    # 40001: invalid or not-latest token (another worker refreshed), 40014: invalid token,
    # 42001: expired
    refresh_codes = frozenset({40001, 40014, 42001})
    loud_codes = frozenset({40013, 40125, 40164, 41002, 41004})
    quiet_codes = WINDOW_CLOSED

    def __init__(self, cfg: MpConfig, http: JsonHttp, db: Database, clock: Clock) -> None:
        self.cfg = cfg
        super().__init__(cfg.api_base_url, http,
                         TokenStore(db, clock, f"mp:{cfg.app_id}", self._fetch_token))

    @property
    def configured(self) -> bool:
        return bool(self.cfg.app_id and self.cfg.app_secret)

    async def _fetch_token(self, force: bool) -> tuple[str, int]:
        # stable_token: a non-forced call returns the token still in force, so workers that
        # fetch at the same time get the same one
        answer = await self.http.post(f"{self.base}/cgi-bin/stable_token", json={
            "grant_type": "client_credential", "appid": self.cfg.app_id,
            "secret": self.cfg.app_secret, "force_refresh": force}, idempotent=True)
        token = answer.get("access_token")
        if not token:
            code = int(answer.get("errcode", -1) or -1)
            raise TokenError(code, str(answer.get("errmsg", "no access_token")),
                             retryable=code in self.retryable_codes)
        return str(token), int(answer.get("expires_in", 7200))

    async def call(self, method: str, path: str, **kw: Any) -> SendResult:
        if not self.configured:
            return failure(NOT_CONFIGURED, "wechat.mp.app_id/app_secret are not configured")
        return await super().call(method, path, **kw)

    def result(self, path: str, answer: dict[str, Any]) -> SendResult:
        res = super().result(path, answer)
        if res.errcode in WINDOW_CLOSED:
            return SendResult(ok=False, errcode=res.errcode, errmsg=res.errmsg,
                              window_closed=True)
        return res

    async def send_text(self, openid: str, text: str) -> SendResult:
        """A customer-service message (客服消息): allowed within the 48 h window."""
        return await self.call("POST", "message/custom/send", json={
            "touser": openid, "msgtype": "text", "text": {"content": text}})

    async def send_template(self, openid: str, text: str, *, template_id: str | None = None,
                            url: str | None = None) -> SendResult:
        """A template message: what is left once the window is closed."""
        body: dict[str, Any] = {"touser": openid,
                                "template_id": template_id or self.cfg.template_id,
                                "data": {TEMPLATE_FIELD: {"value": text}}}
        if url:
            body["url"] = url
        return await self.call("POST", "message/template/send", json=body)

    async def menu_create(self, menu: dict[str, Any]) -> SendResult:
        return await self.call("POST", "menu/create", json=menu)

    async def media_get(self, media_id: str) -> SendResult:
        """The file in `content` (media ids expire after 3 days: download promptly)."""
        return await self.call("GET", "media/get", params={"media_id": media_id}, raw=True)

    async def qrcode_create(self, scene: str, *, expire_seconds: int | None = None) -> SendResult:
        """A QR code whose scan reports `scene`: permanent without `expire_seconds`."""
        body: dict[str, Any] = {
            "action_name": "QR_LIMIT_STR_SCENE" if expire_seconds is None else "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}}}
        if expire_seconds is not None:
            body["expire_seconds"] = expire_seconds
        return await self.call("POST", "qrcode/create", json=body)

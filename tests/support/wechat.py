"""Callbacks as WeChat sends them (XML), made into Updates by the gateway's own parser
(`bot.gateway.message.to_update`) and driven through the same dispatcher as the `bot` of the
conversation tests, one unit of work each (the gateway's claim of the raw payload included, when
a test needs it)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select

from bot.gateway.message import to_update
from storage.models import Attachment, InboundMessage, Ticket
from tests.support.bot import Bot

ACCOUNT = "gh_0123456789ab"


def _xml(sender: str, created: int, msg_type: str, fields: dict[str, Any],
         msg_id: int | None) -> str:
    body = "".join(f"<{k}><![CDATA[{v}]]></{k}>" if isinstance(v, str) else f"<{k}>{v}</{k}>"
                   for k, v in fields.items())
    tail = f"<MsgId>{msg_id}</MsgId>" if msg_id is not None else ""
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{escape(sender)}]]></FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
            f"{body}{tail}</xml>")


class WeChat:
    """Sends XML callbacks for one test, numbering MsgIds and stamping the bot's clock."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._n = 1000

    def _stamp(self) -> tuple[int, int]:
        self._n += 1
        return int(self.bot.clock.now().timestamp()) + self._n, self._n

    async def deliver(self, xml: str, channel: str = "mp", *,
                      keep_raw: bool = False) -> str | None:
        upd = to_update(channel, xml)  # type: ignore[arg-type]

        async def unit(s: Any) -> str | None:
            if keep_raw:  # the gateway's claim: dedupe key and raw payload
                s.add(InboundMessage(dedupe_key=upd.dedupe_key, channel=channel,
                                     from_user=upd.sender, msg_type=upd.type, raw=xml,
                                     status="done", created_at=self.bot.clock.now()))
            return await self.bot.dispatcher.handle(s, upd)

        return await self.bot.db.run(unit)

    async def text(self, sender: str, content: str, **kw: Any) -> str | None:
        created, n = self._stamp()
        return await self.deliver(_xml(sender, created, "text", {"Content": content}, n), **kw)

    async def voice(self, sender: str, media_id: str, recognition: str | None = None,
                    **kw: Any) -> str | None:
        created, n = self._stamp()
        fields: dict[str, Any] = {"MediaId": media_id, "Format": "amr"}
        if recognition is not None:  # absent when the account has recognition off
            fields["Recognition"] = recognition
        return await self.deliver(_xml(sender, created, "voice", fields, n), **kw)

    async def image(self, sender: str, media_id: str, channel: str = "mp",
                    **kw: Any) -> str | None:
        created, n = self._stamp()
        fields = {"PicUrl": f"http://mmbiz.qpic.cn/{media_id}", "MediaId": media_id}
        return await self.deliver(_xml(sender, created, "image", fields, n), channel, **kw)

    async def location(self, sender: str, lat: float, lng: float, label: str = "",
                       **kw: Any) -> str | None:
        created, n = self._stamp()
        fields = {"Location_X": lat, "Location_Y": lng, "Scale": 15, "Label": label}
        return await self.deliver(_xml(sender, created, "location", fields, n), **kw)

    async def event(self, sender: str, event: str, key: str | None = None,
                    **kw: Any) -> str | None:
        created, _ = self._stamp()
        fields: dict[str, Any] = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        if event == "LOCATION":
            fields.update(kw.pop("position"))
        return await self.deliver(_xml(sender, created, "event", fields, None), **kw)

    async def position(self, sender: str, lat: float, lng: float) -> str | None:
        return await self.event(sender, "LOCATION", position={
            "Latitude": lat, "Longitude": lng, "Precision": 65.0})


async def attachments(bot: Bot, code: str | None = None) -> list[Attachment]:
    async def q(s: Any) -> list[Attachment]:
        stmt = select(Attachment).order_by(Attachment.id)
        if code is not None:
            stmt = stmt.join(Ticket, Ticket.id == Attachment.ticket_id).where(Ticket.code == code)
        return list((await s.scalars(stmt)).all())

    return await bot.db.read(q)

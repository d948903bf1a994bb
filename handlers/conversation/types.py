"""What the gateway hands to the dispatcher: one inbound WeChat/WeCom message or event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Channel = Literal["mp", "work"]


@dataclass
class Update:
    channel: Channel
    sender: str  # FromUserName: an Official Account openid or a WeCom userid
    type: str  # text | image | voice | video | location | link | event | unknown
    text: str = ""  # Content; for voice, the Recognition text ("" when recognition is off)
    event: str | None = None  # subscribe | unsubscribe | SCAN | CLICK | LOCATION | VIEW …
    event_key: str | None = None  # CLICK key; QR scene (without the qrscene_ prefix)
    msg_id: str | None = None
    create_time: int = 0
    media_id: str | None = None
    lat: float | None = None  # Location_X / Latitude (GCJ-02)
    lng: float | None = None  # Location_Y / Longitude
    label: str | None = None  # a location message's place text
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        if self.type == "event" or not self.msg_id:
            return (f"{self.channel}:{self.sender}:{self.create_time}:{self.event or ''}:"
                    f"{self.event_key or ''}")
        return f"{self.channel}:{self.sender}:{self.msg_id}"

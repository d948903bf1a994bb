"""Callback XML ↔ `Update` and passive replies, with wechatpy doing the parsing and rendering.

Control characters are stripped before any parsing (XML 1.0 forbids most of them and a
resident's paste can carry them); `]]>` is split before text goes into wechatpy's CDATA
sections, which it does not escape.
"""

from __future__ import annotations

import math
import re
from typing import Any
from xml.etree.ElementTree import fromstring

import wechatpy
import xmltodict
from wechatpy.enterprise import parse_message as parse_work_message
from wechatpy.enterprise.messages import MESSAGE_TYPES as WORK_MESSAGE_TYPES
from wechatpy.enterprise.replies import TextReply as WorkTextReply
from wechatpy.messages import MESSAGE_TYPES, UnknownMessage
from wechatpy.replies import TextReply

from bot.gateway.crypto import Rejected
from handlers.conversation.types import Channel, Update

# C0 controls except \t \n \r, DEL and the C1 block
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
KNOWN_TYPES = {"text", "image", "voice", "video", "location", "link", "event"}
MAX_SENDER = 128  # the width of inbound_messages.from_user


def strip_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def decode_body(body: bytes) -> str:
    try:
        return strip_controls(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise Rejected(400, "body is not UTF-8") from None


def _flat_fields(text: str) -> dict[str, Any] | None:
    """The fields of a flat `<xml>` document (each child plain text, no attributes, no tag
    twice, nothing but whitespace between them: every callback WeChat and WeCom send but a
    few events) as xmltodict reads them (text stripped, empty as None), by ElementTree's C
    tree builder: xmltodict's Python callbacks for every element took ~2.5 times as long,
    twice a report (envelope and message). None for anything else, which xmltodict then
    reads as it always did. A document type declaration (where entities would be declared)
    is left to xmltodict, which refuses entity declarations, and so is a namespace
    declaration (ElementTree takes it for no attribute, xmltodict for one)."""
    if "<!DOCTYPE" in text or "xmlns" in text:
        return None
    try:
        root = fromstring(text)
    except Exception:  # noqa: BLE001 - xmltodict says what is wrong with it
        return None
    if root.tag != "xml" or root.attrib or (root.text or "").strip() or not len(root):
        return None
    fields: dict[str, Any] = {}
    for child in root:
        tag = child.tag
        if not isinstance(tag, str) or tag in fields or len(child) or child.attrib \
                or (child.tail or "").strip():
            return None
        fields[tag] = (child.text or "").strip() or None
    return fields


def parse_xml(text: str) -> dict[str, Any]:
    """The `<xml>` root as a dict; entity declarations are refused (xmltodict's default)."""
    fields = _flat_fields(text)
    if fields is not None:
        return fields
    try:
        doc = xmltodict.parse(text)
    except Exception as exc:
        raise Rejected(400, f"body is not XML ({type(exc).__name__})") from None
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise Rejected(400, "XML root is not <xml> with fields")
    return root


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _coordinate(value: Any, bound: float) -> float | None:
    """A latitude (bound 90) or longitude (180); None when absent or not a position (inf, NaN,
    1e308, out of range): the message goes on without it and the resident is asked where."""
    if not isinstance(value, str) or not value.strip() or len(value) > 32:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and -bound <= number <= bound else None


def to_update(channel: Channel, xml: str) -> Update:
    """The typed Update of a decrypted callback body (raise Rejected(400) if it is not one)."""
    raw = parse_xml(xml)
    msg = _message(channel, xml, raw)
    sender = _text(raw.get("FromUserName"))
    if not sender or len(sender) > MAX_SENDER:
        raise Rejected(400, "FromUserName missing or too long")
    created = raw.get("CreateTime") or "0"
    if not isinstance(created, str) or not created.isascii() or not created.isdigit() \
            or len(created) > 12:
        raise Rejected(400, "CreateTime is not a Unix time")
    create_time = int(created)
    msg_type = _text(raw.get("MsgType")).lower()
    msg_type = "video" if msg_type == "shortvideo" else msg_type
    update = Update(channel=channel, sender=sender,
                    type=msg_type if msg_type in KNOWN_TYPES else "unknown",
                    msg_id=_text(raw.get("MsgId")) or None, create_time=create_time,
                    media_id=_text(raw.get("MediaId")) or None, raw=raw)
    if msg_type == "text":
        update.text = _text(getattr(msg, "content", None) or raw.get("Content"))
    elif msg_type == "voice":  # empty when speech recognition is off
        update.text = _text(getattr(msg, "recognition", None) or raw.get("Recognition"))
    elif msg_type == "location":
        update.lat = _coordinate(raw.get("Location_X"), 90)
        update.lng = _coordinate(raw.get("Location_Y"), 180)
        update.label = _text(raw.get("Label")) or None
    elif msg_type == "event":
        _event_fields(update, msg, raw)
    return update


def _message(channel: Channel, xml: str, raw: dict[str, Any]) -> Any:
    """wechatpy's message object of the callback. An event goes through wechatpy's own
    `parse_message`, which renames some of them (a subscribe from a QR code); any other type
    is wechatpy's class for it made from the fields already parsed (a copy: the message
    keeps its dict), which is what `parse_message` does after parsing the XML a second
    time, a third of the gateway's XML work per report."""
    msg_type = raw.get("MsgType")
    if not isinstance(msg_type, str):  # what parse_message would fail on
        raise Rejected(400, "not a WeChat message (no MsgType)")
    kind = msg_type.lower()
    if kind == "event" or kind.startswith("device_"):
        try:
            return (parse_work_message if channel == "work" else wechatpy.parse_message)(xml)
        except Exception as exc:
            raise Rejected(400, f"not a WeChat message ({type(exc).__name__})") from None
    types = WORK_MESSAGE_TYPES if channel == "work" else MESSAGE_TYPES
    return types.get(kind, UnknownMessage)(dict(raw))


def _event_fields(update: Update, msg: Any, raw: dict[str, Any]) -> None:
    # WeChat's own spelling (subscribe, SCAN, CLICK, LOCATION): wechatpy renames subscribe
    # events from a QR code, and we keep the name the platform documents
    update.event = _text(raw.get("Event")) or None
    key = _text(raw.get("EventKey"))
    if (update.event or "").lower() == "subscribe" and key.startswith("qrscene_"):
        key = _text(getattr(msg, "scene_id", None)) or key.removeprefix("qrscene_")
    update.event_key = key or None
    if (update.event or "").upper() == "LOCATION":
        update.lat = _coordinate(raw.get("Latitude"), 90)
        update.lng = _coordinate(raw.get("Longitude"), 180)


def cdata_safe(text: str) -> str:
    """Text that survives wechatpy's `<![CDATA[...]]>`: `]]>` ends one section, opens another."""
    return strip_controls(text).replace("]]>", "]]]]><![CDATA[>")


MAX_REPLY_BYTES = 2048  # WeChat shows nothing for a longer passive text reply
_CUT = "\n…（内容较长，请发送更具体的指令查看）"


def fit_reply(content: str, limit: int = MAX_REPLY_BYTES) -> str:
    """`content` cut on a character boundary so its UTF-8 form fits WeChat's limit."""
    if len(content.encode("utf-8")) <= limit:
        return content
    room = limit - len(_CUT.encode("utf-8"))
    return content.encode("utf-8")[:room].decode("utf-8", errors="ignore") + _CUT


def render_text_reply(update: Update, content: str, create_time: int) -> str:
    """The passive text reply to `update`, as plain XML (sealed by the caller if needed)."""
    content = fit_reply(content)
    me = cdata_safe(_text(update.raw.get("ToUserName")))
    them = cdata_safe(update.sender)
    if update.channel == "work":
        try:
            agent = int(update.raw.get("AgentID") or 0)
        except (TypeError, ValueError):
            agent = 0
        reply: TextReply = WorkTextReply(source=me, target=them, agent=agent,
                                         content=cdata_safe(content), time=create_time)
    else:
        reply = TextReply(source=me, target=them, content=cdata_safe(content),
                          time=create_time)
    return reply.render()

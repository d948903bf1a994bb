"""Callback XML → Update: every field the handlers read."""

from __future__ import annotations

import pytest

from bot.gateway.crypto import Rejected
from bot.gateway.message import to_update
from tests.support.gateway import event_xml, text_xml


def _msg(msg_type: str, fields: str, sender: str = "o-1") -> str:
    return (f"<xml><ToUserName><![CDATA[gh_x]]></ToUserName>"
            f"<FromUserName><![CDATA[{sender}]]></FromUserName><CreateTime>1795399200</CreateTime>"
            f"<MsgType><![CDATA[{msg_type}]]></MsgType>{fields}<MsgId>6054768590064713728</MsgId>"
            f"</xml>")


def test_text() -> None:
    u = to_update("mp", text_xml("o-1", "路灯不亮", msg_id=42, create_time=1795399200))
    assert (u.type, u.text, u.msg_id, u.create_time) == ("text", "路灯不亮", "42", 1795399200)
    assert u.dedupe_key == "mp:o-1:42"


def test_voice_recognition_is_the_text() -> None:
    u = to_update("mp", _msg("voice", "<MediaId><![CDATA[m-voice]]></MediaId>"
                                      "<Format><![CDATA[amr]]></Format>"
                                      "<Recognition><![CDATA[楼道里有人拉电线]]></Recognition>"))
    assert (u.type, u.text, u.media_id) == ("voice", "楼道里有人拉电线", "m-voice")
    silent = to_update("mp", _msg("voice", "<MediaId>m2</MediaId><Recognition></Recognition>"))
    assert silent.text == ""


def test_image_and_short_video() -> None:
    u = to_update("mp", _msg("image", "<PicUrl>http://x/1.jpg</PicUrl><MediaId>m-img</MediaId>"))
    assert (u.type, u.media_id) == ("image", "m-img")
    v = to_update("mp", _msg("shortvideo", "<MediaId>m-v</MediaId><ThumbMediaId>t</ThumbMediaId>"))
    assert (v.type, v.media_id) == ("video", "m-v")


def test_location_message() -> None:
    u = to_update("mp", _msg("location", "<Location_X>31.230416</Location_X>"
                                         "<Location_Y>121.473701</Location_Y><Scale>15</Scale>"
                                         "<Label><![CDATA[人民广场]]></Label>"))
    assert (u.type, u.lat, u.lng, u.label) == ("location", 31.230416, 121.473701, "人民广场")


def test_unknown_type_is_kept_raw() -> None:
    u = to_update("mp", _msg("miniprogrampage", "<Title>t</Title>"))
    assert u.type == "unknown"
    assert u.raw["MsgType"] == "miniprogrampage"


@pytest.mark.parametrize("event,key,want_event,want_key", [
    ("subscribe", "", "subscribe", None),
    ("subscribe", "qrscene_grid-7", "subscribe", "grid-7"),
    ("SCAN", "grid-7", "SCAN", "grid-7"),
    ("CLICK", "MY_TICKETS", "CLICK", "MY_TICKETS"),
    ("unsubscribe", "", "unsubscribe", None),
])
def test_events(event: str, key: str, want_event: str, want_key: str | None) -> None:
    u = to_update("mp", event_xml("o-1", event, key, create_time=1795399200))
    assert (u.type, u.event, u.event_key, u.msg_id) == ("event", want_event, want_key, None)
    assert u.dedupe_key == f"mp:o-1:1795399200:{want_event}:{want_key or ''}"


def test_location_event() -> None:
    u = to_update("mp", event_xml("o-1", "LOCATION", extra="<Latitude>23.137466</Latitude>"
                                  "<Longitude>113.352425</Longitude><Precision>119.385</Precision>"))
    assert (u.event, u.lat, u.lng) == ("LOCATION", 23.137466, 113.352425)


def test_work_event_unknown_to_wechatpy_is_still_an_event() -> None:
    u = to_update("work", event_xml("ZhangWei", "enter_agent") .replace(
        "</xml>", "<AgentID>1000002</AgentID></xml>"))
    assert (u.channel, u.type, u.event) == ("work", "event", "enter_agent")


@pytest.mark.parametrize("xml", [
    _msg("text", "<Content>x</Content>", sender=""),
    _msg("text", "<Content>x</Content>", sender="o" * 200),
    "<xml><FromUserName>o-1</FromUserName><Content>no type</Content></xml>",
    _msg("text", "<Content>x</Content>").replace("1795399200", "yesterday"),
])
def test_not_a_usable_message(xml: str) -> None:
    with pytest.raises(Rejected) as exc:
        to_update("mp", xml)
    assert exc.value.status == 400


@pytest.mark.parametrize("x,y", [("north", "1"), ("inf", "113"), ("nan", "nan"),
                                 ("1e308", "113"), ("23.1", "-1e308"), ("91", "113"),
                                 ("23.1", "181"), ("9" * 400, "1")])
def test_a_location_that_is_not_a_position_loses_only_its_coordinates(x: str, y: str) -> None:
    u = to_update("mp", _msg("location", f"<Location_X>{x}</Location_X>"
                                         f"<Location_Y>{y}</Location_Y><Label>幸福花园</Label>"))
    assert u.type == "location" and u.label == "幸福花园"
    assert u.lat is None or u.lng is None


def test_long_reply_is_cut_to_wechats_limit_on_a_character_boundary() -> None:
    from bot.gateway.message import MAX_REPLY_BYTES, fit_reply

    text = "工单进展" * 400
    cut = fit_reply(text)
    assert len(cut.encode("utf-8")) <= MAX_REPLY_BYTES
    assert cut.startswith("工单进展工单") and cut.endswith("指令查看）")
    assert fit_reply("短回复") == "短回复"


@pytest.mark.parametrize("msg_type", ["", "<a>text</a>"])
def test_a_type_that_is_not_text_is_refused(msg_type: str) -> None:
    xml = _msg("text", "<Content>x</Content>").replace("<![CDATA[text]]>", msg_type)
    with pytest.raises(Rejected) as exc:
        to_update("mp", xml)
    assert exc.value.status == 400


@pytest.mark.parametrize("channel", ["mp", "work"])
def test_the_message_object_is_wechatpys_with_the_fields_of_the_callback(channel: str) -> None:
    from bot.gateway.message import _message

    xml = _msg("text", "<Content><![CDATA[路灯不亮]]></Content>")
    raw = to_update(channel, xml).raw
    ours = _message(channel, xml, raw)  # type: ignore[arg-type]
    from wechatpy import parse_message
    from wechatpy.enterprise import parse_message as parse_work
    theirs = (parse_work if channel == "work" else parse_message)(xml)
    assert type(ours) is type(theirs)
    assert (ours.content, ours.source, ours.id) == (theirs.content, theirs.source, theirs.id)
    ours.content = "changed"  # the message keeps a copy: the Update's raw fields stay
    assert raw["Content"] == "路灯不亮"

"""Property-based tests (hypothesis) of what the gateway does with input it cannot trust: every
refusal is a `Rejected` with a 4xx status, nothing else escapes, and what gets through is sane
(coordinates are positions or absent, times are Unix seconds)."""

from __future__ import annotations

import base64
import math
from datetime import datetime
from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.gateway.crypto import (
    Envelope,
    Rejected,
    check_signature,
    check_timestamp,
    sha1_signature,
)
from bot.gateway.message import decode_body, parse_xml, to_update
from tests.support.gateway import AES_KEY, APP_ID, TOKEN

NOW = datetime(2026, 11, 23, 2, 0)
FIELDS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event",
          "EventKey", "Location_X", "Location_Y", "Latitude", "Longitude", "Label", "MediaId",
          "Recognition", "AgentID"]
MSG_TYPES = ["text", "image", "voice", "video", "shortvideo", "location", "link", "event",
             "weird", ""]
numberish = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                      st.integers().map(str), st.text(max_size=30),
                      st.sampled_from(["inf", "-inf", "nan", "1e308", "-1e309", "9" * 400]))
value = st.one_of(st.text(max_size=60), numberish)


@st.composite
def callbacks(draw: st.DrawFn) -> str:
    fields = draw(st.dictionaries(st.sampled_from(FIELDS), value, max_size=len(FIELDS)))
    fields.setdefault("MsgType", draw(st.sampled_from(MSG_TYPES)))
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    return f"<xml>{body}</xml>"


def _refused_or_none(fn, *args) -> None:  # noqa: ANN001
    try:
        fn(*args)
    except Rejected as exc:
        assert 400 <= exc.status < 500


@settings(max_examples=300, deadline=None)
@given(callbacks(), st.sampled_from(["mp", "work"]))
def test_any_callback_is_an_update_or_a_4xx(xml: str, channel: str) -> None:
    try:
        u = to_update(channel, xml)  # type: ignore[arg-type]
    except Rejected as exc:
        assert exc.status == 400
        return
    assert u.sender and len(u.sender) <= 128
    assert 0 <= u.create_time < 10**12
    for coordinate, bound in ((u.lat, 90), (u.lng, 180)):
        assert coordinate is None or (math.isfinite(coordinate) and abs(coordinate) <= bound)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_body_bytes_decode_parse_or_400(body: bytes) -> None:
    try:
        parse_xml(decode_body(body))
    except Rejected as exc:
        assert exc.status == 400


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=500), numberish))
def test_any_timestamp_is_checked_without_raising(timestamp: str | None) -> None:
    _refused_or_none(check_timestamp, timestamp, NOW, 300)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=80)), st.text(max_size=20), st.text(max_size=20))
def test_any_signature_is_checked_without_raising(sig: str | None, ts: str, nonce: str) -> None:
    _refused_or_none(check_signature, sig, TOKEN, ts, nonce)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=200).map(
    lambda b: base64.b64encode(b).decode())), st.booleans())
def test_any_ciphertext_with_a_good_signature_is_refused_cleanly(encrypt: str,
                                                                 work: bool) -> None:
    envelope = Envelope(TOKEN, AES_KEY, APP_ID, work=work)
    signature = sha1_signature(TOKEN, "1795399200", "n", encrypt)  # past the signature check
    _refused_or_none(envelope.open, signature, "1795399200", "n", encrypt)


def _xmltodict_root(xml: str) -> object:
    """What parse_xml read with xmltodict alone, before its flat fast path (or the error)."""
    import xmltodict
    try:
        return xmltodict.parse(xml).get("xml")
    except Exception as exc:  # noqa: BLE001
        return type(exc)


def _ours(xml: str) -> object:
    try:
        return parse_xml(xml)
    except Rejected:
        return "rejected"


@st.composite
def shaped(draw: st.DrawFn) -> str:
    """Callbacks with what the flat fast path must hand to xmltodict or read the same: CDATA,
    padding, comments, repeated and nested fields, attributes, text between fields, XML
    declarations, namespaces, entity and character references."""
    parts = []
    for name in draw(st.lists(st.sampled_from(FIELDS[:6]), max_size=6)):
        text = escape(draw(value))
        inner = draw(st.sampled_from([
            "{t}", "<![CDATA[{t}]]>", "  {t}\u3000\n", "{t}<!--c-->{t}", "<Sub>{t}</Sub>",
            "&amp;{t}&#x4e2d;"]))
        attr = draw(st.sampled_from(["", ' a="1"', ' xmlns:q="u"']))
        parts.append(f"<{name}{attr}>{inner.format(t=text)}</{name}>"
                     + draw(st.sampled_from(["", "\n", "x", "<!--k-->"])))
    head = draw(st.sampled_from(["", '<?xml version="1.0" encoding="utf-8"?>',
                                 '<!DOCTYPE xml [<!ENTITY e "boom">]>']))
    return f"{head}<xml>{''.join(parts)}</xml>"


@settings(max_examples=400, deadline=None)
@given(shaped())
def test_the_flat_fast_path_reads_what_xmltodict_reads(xml: str) -> None:
    theirs = _xmltodict_root(xml)
    ours = _ours(xml)
    if isinstance(theirs, dict):
        assert ours == theirs
    else:  # not a dict of fields, or no XML at all: refused, as before
        assert ours == "rejected"


def test_an_entity_declaration_is_still_refused() -> None:
    xml = '<!DOCTYPE xml [<!ENTITY e "boom">]><xml><Content>&e;</Content></xml>'
    assert _ours(xml) == "rejected"

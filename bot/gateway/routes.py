"""HTTP endpoints for WeChat Official Account and WeCom callbacks, and /healthz.

`GET` is the console's URL check; `POST` carries a message. Each request is verified
(signature, timestamp window), read with a size bound, decrypted when encrypted, parsed into an
`Update` and handed to `bot.gateway.flow.Inbound`. Refusals are 4xx with one warning line; no
request can end in a 500 (an unexpected error becomes a polite reply and a logged traceback).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.gateway.crypto import Envelope, Rejected, check_signature, check_timestamp, epoch
from bot.gateway.flow import Inbound, NotStored
from bot.gateway.message import (
    decode_body,
    parse_xml,
    render_text_reply,
    strip_controls,
    to_update,
)
from bot.runtime import RUNTIME
from handlers.conversation.types import Channel
from storage.config import Settings

logger = logging.getLogger(__name__)

INBOUND = web.AppKey("gateway_inbound", Inbound)
RECOVER = web.AppKey("gateway_recover", bool)
MP_ENVELOPE = web.AppKey("gateway_mp_envelope", Envelope)
WORK_ENVELOPE = web.AppKey("gateway_work_envelope", Envelope)
SHUTDOWN_GRACE = 10.0  # seconds late units get to commit before the database closes
HEALTH_TIMEOUT = 3.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup_gateway(app: web.Application, settings: Settings, *, recover: bool = False) -> None:
    """Add the callback routes and /healthz. `app[RUNTIME]` must be there at startup (a
    cleanup_ctx makes it); the gateway's `Inbound` is then built on it. `recover` runs its
    recovery sweep for as long as the app runs (tests of the gateway call it themselves)."""
    wechat = settings.wechat
    if wechat.mp.encoding_aes_key and wechat.mp.mode != "plain":
        app[MP_ENVELOPE] = Envelope(wechat.mp.token, wechat.mp.encoding_aes_key,
                                    wechat.mp.app_id, work=False)
    elif wechat.mp.mode != "plain":
        logger.warning("wechat.mp.mode is %s but no encoding_aes_key: encrypted callbacks "
                       "will be refused", wechat.mp.mode)
    if wechat.work.encoding_aes_key:
        app[WORK_ENVELOPE] = Envelope(wechat.work.token, wechat.work.encoding_aes_key,
                                      wechat.work.corp_id, work=True)
    app[RECOVER] = recover
    app.on_startup.append(_start)
    app.router.add_get("/wechat/mp", _guarded(mp_verify, "mp"), allow_head=False)
    app.router.add_post("/wechat/mp", _guarded(mp_message, "mp"))
    app.router.add_get("/wechat/work", _guarded(work_verify, "work"), allow_head=False)
    app.router.add_post("/wechat/work", _guarded(work_message, "work"))
    app.router.add_get("/healthz", healthz, allow_head=False)
    app.on_shutdown.append(_drain)


def _guarded(handler: Handler, channel: Channel) -> Handler:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except NotStored:  # not a 200: WeChat's retry is what keeps the message
            return web.Response(status=503, text="not stored, send again")
        except Rejected as exc:
            logger.warning("%s %s from %s refused (%d): %s", request.method, request.path,
                           request.remote, exc.status, exc.reason)
            return web.Response(status=exc.status, text=exc.reason)
        except Exception:  # the last net: WeChat must never see a 500
            logger.exception("%s %s failed unexpectedly", request.method, request.path)
            return _nothing(channel)

    return wrapper


def _nothing(channel: Channel) -> web.Response:
    """"No reply": `success` for the Official Account, an empty body for WeCom."""
    return web.Response(text="success" if channel == "mp" else "")


def _query(request: web.Request, name: str) -> str:
    return request.query.get(name, "")


def _check_time(request: web.Request) -> None:
    check_timestamp(_query(request, "timestamp"), request.app[RUNTIME].clock.now(),
                    request.app[RUNTIME].settings.server.timestamp_window_seconds)


async def read_body(request: web.Request, limit: int) -> bytes:
    """The body, refusing more than `limit` bytes whatever Content-Length claims."""
    if request.content_length is not None and request.content_length > limit:
        raise Rejected(413, f"Content-Length {request.content_length} over {limit}")
    body = bytearray()
    while True:
        chunk = await request.content.read(limit + 1 - len(body))
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            raise Rejected(413, f"body over {limit} bytes")


async def mp_verify(request: web.Request) -> web.Response:
    """The console's URL check: the plain signature, whatever the message mode."""
    _check_time(request)
    check_signature(_query(request, "signature"), _mp_token(request),
                    _query(request, "timestamp"), _query(request, "nonce"))
    return web.Response(text=_query(request, "echostr"))


def _mp_token(request: web.Request) -> str:
    token = request.app[RUNTIME].settings.wechat.mp.token
    if not token:  # an empty token would make the signature computable by anyone
        raise Rejected(403, "wechat.mp.token is not configured")
    return token


async def work_verify(request: web.Request) -> web.Response:
    """WeCom's URL check: decrypt echostr and answer the plaintext (within 1 s)."""
    envelope = _work_envelope(request)
    _check_time(request)
    plain = envelope.open(_query(request, "msg_signature"), _query(request, "timestamp"),
                          _query(request, "nonce"), _query(request, "echostr"))
    return web.Response(text=plain)


def _work_envelope(request: web.Request) -> Envelope:
    envelope = request.app.get(WORK_ENVELOPE)
    if envelope is None:
        raise Rejected(403, "wechat.work is not configured (no encoding_aes_key)")
    return envelope


async def mp_message(request: web.Request) -> web.Response:
    settings = request.app[RUNTIME].settings
    mp = settings.wechat.mp
    _check_time(request)
    timestamp, nonce = _query(request, "timestamp"), _query(request, "nonce")
    check_signature(_query(request, "signature"), _mp_token(request), timestamp, nonce)
    outer = decode_body(await read_body(request, settings.server.max_body_bytes))
    fields = parse_xml(outer)
    encrypted = "Encrypt" in fields and (mp.mode != "plain" or "MsgType" not in fields)
    if encrypted:
        if mp.mode == "plain":
            raise Rejected(400, "encrypted body but wechat.mp.mode is plain")
        envelope = request.app.get(MP_ENVELOPE)
        if envelope is None:
            raise Rejected(400, "encrypted body but no wechat.mp.encoding_aes_key")
        if not isinstance(fields["Encrypt"], str):
            raise Rejected(400, "empty or malformed Encrypt")
        xml = strip_controls(envelope.open(_query(request, "msg_signature"), timestamp, nonce,
                                           fields["Encrypt"]))
    elif mp.mode == "safe":
        raise Rejected(400, "plaintext body refused in safe mode")
    else:
        xml = outer
    return await _answer(request, "mp", xml, request.app.get(MP_ENVELOPE) if encrypted else None)


async def work_message(request: web.Request) -> web.Response:
    settings = request.app[RUNTIME].settings
    envelope = _work_envelope(request)
    _check_time(request)
    fields = parse_xml(decode_body(await read_body(request, settings.server.max_body_bytes)))
    if not isinstance(fields.get("Encrypt"), str):
        raise Rejected(400, "WeCom body without a usable Encrypt")
    xml = strip_controls(envelope.open(_query(request, "msg_signature"),
                                       _query(request, "timestamp"), _query(request, "nonce"),
                                       fields["Encrypt"]))
    return await _answer(request, "work", xml, envelope)


async def _answer(request: web.Request, channel: Channel, xml: str,
                  envelope: Envelope | None) -> web.Response:
    update = to_update(channel, xml)
    reply = await request.app[INBOUND].handle(update, xml)
    if not reply:
        return _nothing(channel)
    now = epoch(request.app[RUNTIME].clock.now())
    body = render_text_reply(update, reply, now)
    if envelope is not None:
        body = envelope.seal(body, secrets.token_hex(8), now)
    return web.Response(text=body, content_type="text/xml")


async def healthz(request: web.Request) -> web.Response:
    async def ping(session: AsyncSession) -> None:
        await session.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(request.app[RUNTIME].db.read(ping), HEALTH_TIMEOUT)
    except Exception as exc:
        logger.warning("healthz: database unavailable (%s)", type(exc).__name__)
        return web.json_response({"status": "unavailable"}, status=503)
    return web.json_response({"status": "ok"})


async def _start(app: web.Application) -> None:
    app[INBOUND] = Inbound(app[RUNTIME])
    check = getattr(app[INBOUND].flood, "check", None)
    if check is not None:  # the shared store: warn at start if it cannot be reached
        await check()
    if app[RECOVER]:
        app[INBOUND].start_recovery()


async def _drain(app: web.Application) -> None:
    await app[INBOUND].stop_recovery()
    await app[INBOUND].drain(SHUTDOWN_GRACE)

"""`gridbot say --from ID` posts as WeChat does: the sender's openid is in the body and in
the query, so the access log follows that sender (trial 13: every line showed the default's
tag)."""

from __future__ import annotations

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from bot.demo.simulator import MpSide
from storage.config import Settings


async def test_the_openid_in_the_query_is_the_senders() -> None:
    seen: list[str] = []

    async def callback(request: web.Request) -> web.Response:
        seen.append(request.query.get("openid", ""))
        return web.Response(text="success")

    app = web.Application()
    app.router.add_post("/wechat/mp", callback)
    settings = Settings.model_validate({"wechat": {"mp": {"token": "t", "mode": "plain"}}})
    async with TestServer(app) as server, ClientSession() as http:
        side = MpSide(http, str(server.make_url("")).rstrip("/"), settings)
        await side.say("oResidentA", "你好")
        await side.event("oResidentB", "subscribe")
    assert seen == ["oResidentA", "oResidentB"]


def test_work_without_from_names_what_is_missing(tmp_path, capsys) -> None:
    """Trial 14: --work fell back to «zhangwei», a person of examples/, and a district of one's
    own answered «您不在本区网格工作人员名单中»; it now says what to pass instead."""
    from bot.cli.main import main

    config = tmp_path / "config.toml"
    config.write_text('[server]\nport = 9\n[wechat.work]\ncorp_id = "c"\n', encoding="utf-8")
    assert main(["say", "--config", str(config), "--work", "我的工单"]) == 2
    err = capsys.readouterr().err
    assert "--from" in err and "企业微信成员账号" in err

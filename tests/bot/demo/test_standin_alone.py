"""`gridbot standin --port P`: the WeChat API stand-in alone, on the port asked for, printing
each push (for driving your own `gridbot serve` by hand)."""

from __future__ import annotations

import asyncio
import re
import socket

import pytest
from aiohttp import ClientSession

from bot.cli.main import build_parser
from bot.demo.standin import serve_standin


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_stand_in_runs_alone_on_its_port_and_prints_pushes(
        capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve_standin(port, ready=ready, stop=stop))
    await asyncio.wait_for(ready.wait(), 10)
    base = f"http://127.0.0.1:{port}"
    async with ClientSession() as http:
        async with http.post(f"{base}/cgi-bin/stable_token", json={
                "grant_type": "client_credential", "appid": "wx1", "secret": "s"}) as resp:
            token = (await resp.json())["access_token"]
        async with http.post(f"{base}/cgi-bin/message/custom/send?access_token={token}", json={
                "touser": "o-resident", "msgtype": "text", "text": {"content": "已派单"}}) as r:
            assert (await r.json())["errcode"] == 0
    stop.set()  # its last round prints what came before the stop
    assert await asyncio.wait_for(task, 10) == 0
    out = capsys.readouterr().out
    assert base in out
    [line] = [x for x in out.splitlines() if "【推送" in x]
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"  # when it came: delays can be measured
    assert re.fullmatch(stamp + " 【推送 → o-resident（公众号）】已派单", line), line


def test_the_cli_has_the_ports() -> None:
    args = build_parser().parse_args(["standin"])
    assert args.port == 9100
    args = build_parser().parse_args(["demo", "--serve", "--standin-port", "9200"])
    assert args.standin_port == 9200

"""`gridbot demo --serve` prints what a WeChat console needs (URL, Token, EncodingAESKey,
AppID) and the stand-in's URL, and `gridbot say` sends a signed, encrypted message to it and
prints the decrypted reply (trial H1)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.demo.serve import serve_demo

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


async def test_demo_serve_tells_how_to_reach_it_and_say_does(
        capsys: pytest.CaptureFixture[str]) -> None:
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve_demo(port=0, ready=ready, stop=stop))
    try:
        await asyncio.wait_for(ready.wait(), 120)
        out = capsys.readouterr().out
        base = re.search(r"URL (http://127\.0\.0\.1:\d+)/wechat/mp", out).group(1)
        token = re.search(r"Token (\S+)\s+AppID (\S+)", out)
        key = re.search(r"EncodingAESKey (\S{43})", out)
        assert token and key and "API 替身" in out, out
        config = Path(re.search(r"gridbot say --config (\S+) 幸福花园", out).group(1))
        said = await asyncio.to_thread(config.read_text, encoding="utf-8")
        assert f'"{key.group(1)}"' in said and f'"{token.group(1)}"' in said
        assert base.rsplit(":", 1)[1] in said

        code = await asyncio.to_thread(main, ["say", "--config", str(config),
                                              "--from", "oSayTest01",
                                              "幸福花园3号楼楼道有人拉飞线给电动车充电"])
        reply = capsys.readouterr().out
        assert code == 0 and re.search(r"GD\d{8}-\d{4}", reply), reply
        code = await asyncio.to_thread(main, ["say", "--config", str(config), "--work",
                                              "--from", "zhangwei", "我的工单"])
        reply = capsys.readouterr().out
        assert code == 0 and "件工单" in reply, reply

        # a sender with the wrong key is refused by the gateway, in one line
        wrong = config.with_name("wrong.toml")
        await asyncio.to_thread(wrong.write_text, said.replace(key.group(1), "A" * 43),
                                encoding="utf-8")
        code = await asyncio.to_thread(main, ["say", "--config", str(wrong), "你好"])
        err = capsys.readouterr().err.strip()
        assert code == 1 and "HTTP 4" in err and len(err.splitlines()) == 1, err
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 30) == 0

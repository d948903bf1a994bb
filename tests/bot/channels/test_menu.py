"""`gridbot menu push` creates the Official Account's menu through the API, and says when it
could not."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.cli.main import main
from bot.demo.standin import WeChatStandIn


async def test_menu_push_creates_the_menu_through_the_api(tmp_path: Path) -> None:
    standin = WeChatStandIn()
    base = await standin.start()
    try:
        cfg = tmp_path / "config.toml"
        cfg.write_text(f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path / 'menu.db'}"
[wechat.mp]
app_id = "wx0001"
app_secret = "s3cret"
api_base_url = "{base}"
[http]
retries = 0
""", encoding="utf-8")
        # the CLI runs its own event loop; the stand-in answers on this one. Only db upgrade
        # migrates: menu push needs the tokens table
        assert await asyncio.to_thread(main, ["db", "upgrade", "--config", str(cfg)]) == 0
        code = await asyncio.to_thread(main, ["menu", "push", "--config", str(cfg)])
        assert code == 0
        [menu] = standin.menus
        assert [(b["name"], b["type"], b["key"]) for b in menu["button"]] == [
            ("我要反映", "click", "REPORT"), ("我的反映", "click", "MY_TICKETS"),
            ("办事指南", "click", "GUIDE")]
        standin.fail("menu/create", 40018, errmsg="invalid button name size")
        assert await asyncio.to_thread(main, ["menu", "push", "--config", str(cfg)]) == 1
    finally:
        await standin.stop()

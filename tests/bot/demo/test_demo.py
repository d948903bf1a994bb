"""`gridbot demo` plays the whole loop against the real gateway and exits 0."""

from __future__ import annotations

import re

import pytest

from bot.demo.run import run_demo


async def test_the_demo_plays_the_loop_to_a_rated_closed_ticket(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_demo() == 0
    out = capsys.readouterr().out
    code = re.search(r"工单号 (GD\d{8}-\d{4,})", out).group(1)
    for step in ("居民反映问题", "网格员在企业微信处理", "居民评价", "指挥中心查看"):
        assert step in out
    assert f"【新工单】{code}" in out  # the officer's push reached the stand-in
    assert f"已接单 {code}" in out and f"已办结 {code}" in out
    assert f"GET /api/v1/tickets/{code} → 200: status=closed" in out and "rating=1" in out

"""bot.api.views without HTTP: phone masking and the CLI's text for people."""

from __future__ import annotations

import pytest

from bot.api import views
from storage.db import Database


@pytest.mark.parametrize(("text", "masked"), [
    ("电话13800000001", "电话138****0001"),
    ("call 138-0000-0001 now", "call 138****0001 now"),
    ("+8613912345678", "139****5678"),
    ("全角１３９１２３４５６７８", "全角１３９****５６７８"),
    ("两个 13800000001/15900000002", "两个 138****0001/159****0002"),
    ("身份证 110101199003071234", "身份证 110101199003071234"),  # not a phone inside
    ("12345678901 不是手机号", "12345678901 不是手机号"),  # 12… is no mobile prefix
    ("138000000012 太长", "138000000012 太长"),
    ("", ""),
])
def test_mask_phones(text: str, masked: str) -> None:
    assert views.mask_phones(text) == masked


async def test_table_and_text_for_the_cli(seeded: Database) -> None:
    rows, total = await seeded.read(lambda s: views.list_tickets(s, grid="TD-G1"))
    table = views.format_ticket_table(rows)
    lines = table.splitlines()
    assert lines[0].startswith("工单编号") and "状态" in lines[0]
    assert len(lines) == 1 + total == 4
    assert "GD20261122-0001" in table and "已派单" in table and "张伟" in table
    assert "139 1234 5678" not in table
    assert views.format_ticket_table([]) == "没有符合条件的工单。"

    found = await seeded.read(lambda s: views.get_ticket(s, "gd20261122-0001"))
    assert found is not None
    text = views.format_ticket_text(*found)
    assert "GD20261122-0001" in text and "已派单" in text and "噪音扰民" in text
    assert "幸福小区3号楼2单元501室" in text
    assert "2026-11-22 11:00" in text  # Shanghai time for people
    history = text[text.index("办理记录"):]
    assert history.index("创建") < history.index("派单") < history.index("接单")
    assert "来源      居民" in text
    assert "138****0001" in history and "13800000001" not in text

"""A compound's name typed by voice input with other characters of the same sound (trial 14,
F1: «我住在石流苑三栋…» and «石榴院» for 石榴苑 cost the grid: the report went to the district
desk). The name is matched by its sound when it shares a character with the text; names that
only sound alike and share nothing stay unmatched."""

from __future__ import annotations

from storage.db import Database
from tests.support.bot import bot_on, code_of

DISTRICT = '''[district]
name = "测试区"
code = "TX"
triage = ["desk"]
command_centre = ["desk"]

[[people]]
id = "desk"
name = "区分拨员"
roles = ["liaison"]
wecom_userid = "desk"

[[people]]
id = "lead"
name = "石榴书记"
roles = ["leader"]
wecom_userid = "lead"

[[people]]
id = "off1"
name = "石榴网格员"
roles = ["officer"]
wecom_userid = "off1"

[[people]]
id = "off2"
name = "桂园网格员"
roles = ["officer"]
wecom_userid = "off2"

[[streets]]
code = "S1"
name = "溪口街道"

  [[streets.communities]]
  code = "S1-SL"
  name = "石榴社区"
  leader = "lead"
  triage = ["lead"]

    [[streets.communities.grids]]
    code = "S1-SL-01"
    name = "石榴第一网格"
    officer = "off1"

      [[streets.communities.grids.places]]
      name = "石榴苑"
      buildings = ["1", "2", "3", "4", "5"]

    [[streets.communities.grids]]
    code = "S1-SL-02"
    name = "石榴第二网格"
    officer = "off2"

      [[streets.communities.grids.places]]
      name = "桂园新村"
      buildings = ["1", "2", "3"]'''


async def test_a_compound_heard_with_other_characters_is_routed(db: Database) -> None:
    bot = await bot_on(db, DISTRICT)
    for sender, words in (("o1", "我住在石流苑三栋二单元家里停水了一整天了"),
                          ("o2", "石榴院4栋楼下垃圾三天没人收了"),
                          ("o3", "贵园新村2号楼门口路灯不亮")):
        t = await bot.ticket(code_of(await bot.send(sender, words)))
        assert t.assignee_id == ("off2" if sender == "o3" else "off1"), (words, t.assignee_id)
        assert not any(t.code in x for x in await bot.texts("desk"))


async def test_a_name_that_only_sounds_alike_is_not_matched(db: Database) -> None:
    """实留园 sounds like 石榴苑 but shares no character with it: asked, not guessed."""
    bot = await bot_on(db, DISTRICT)
    reply = await bot.send("o4", "实留园5栋楼道灯坏了") or ""
    assert "石榴第一网格" not in reply and "石榴网格员" not in reply

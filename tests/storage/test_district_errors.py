"""A bad district file is refused whole, with the line and the reason, and writes nothing."""

from __future__ import annotations

import pytest

from storage.db import Database
from storage.district import DistrictError, import_district, parse_district
from storage.models import Identity, Person, Region
from tests.support.storage import EXAMPLE, count

BOWTIE = "[[113.0300, 23.6850], [113.0340, 23.6880], [113.0340, 23.6850], [113.0300, 23.6880]]"
FC_LJ_01_POLYGON = ("polygon = [[113.0300, 23.6850], [113.0340, 23.6850], "
                    "[113.0340, 23.6880], [113.0300, 23.6880]]")


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the `nth` occurrence of `needle`; nth=-1: the table header above the
    first occurrence (for a missing key the error points at its table)."""
    pos = -1
    for _ in range(max(nth, 1)):
        pos = text.index(needle, pos + 1)
    line = text.count("\n", 0, pos) + 1
    return line - 1 if nth == -1 else line


# (what to change, the line the error must name (needle, nth), words the reason must contain)
CASES = {
    "toml syntax": (('name = "清城区"', 'name = "清城区'), ('name = "清城区', 1),
                    "TOML 语法错误"),
    "officer not in people": (('officer = "lina"', 'officer = "nobody"'),
                              ('officer = "nobody"', 1), "'nobody' 不是 [[people]] 中的 id"),
    "triage not in people": (('triage = ["heyan"]', 'triage = ["heyan", "ghost"]'),
                             ("triage = [\"heyan\", \"ghost\"]", 1),
                             "'ghost' 不是 [[people]] 中的 id"),
    "grid without officer": (('    officer = "huangqiang"\n', ""),
                             ('code = "FC-LJ-03"', -1), "网格 FC-LJ-03 没有 officer"),
    "community without leader": (('  leader = "wujing"\n', ""), ('code = "FC-FX"', -1),
                                 "社区 FC-FX 没有 leader"),
    "community without triage": (('  triage = ["heyan"]\n', ""), ('code = "DC-XC"', -1),
                                 "社区 DC-XC 没有 triage"),
    "duplicate code": (('code = "FC-FX-01"', 'code = "FC-LJ-01"'), ('code = "FC-LJ-01"', 2),
                       "code 'FC-LJ-01' 重复"),
    "duplicate people id": (('id = "lina"', 'id = "zhangwei"'), ('id = "zhangwei"', 2),
                            "人员 id 'zhangwei' 重复"),
    "self-crossing polygon": ((FC_LJ_01_POLYGON, f"polygon = {BOWTIE}"),
                              (f"polygon = {BOWTIE}", 1), "polygon 无效"),
    "polygon of two points": ((FC_LJ_01_POLYGON, "polygon = [[113.03, 23.68], [113.04, 23.69]]"),
                              ("polygon = [[113.03, 23.68], [113.04", 1), "至少 3 个"),
    "polygon as lat, lng": ((FC_LJ_01_POLYGON, "polygon = [[23.68, 113.03], [23.69, 113.03], "
                                               "[23.69, 113.04]]"),
                            ("polygon = [[23.68, 113.03]", 1), "不是 [lng, lat] 点"),
    "bad role": (('roles = ["liaison"]', 'roles = ["liaison", "boss"]'),
                 ('roles = ["liaison", "boss"]', 1), "未知角色 'boss'"),
    "short bind code": (('bind_code = "572816"', 'bind_code = "57281"'),
                        ('bind_code = "57281"', 1), "bind_code 须是加引号的 6 位数字"),
    "unquoted bind code": (('bind_code = "572816"', "bind_code = 572816"),
                           ("bind_code = 572816", 1), "须是加引号的字符串"),
    "duplicate bind code": (('bind_code = "572816"', 'bind_code = "483920"'),
                            ('bind_code = "483920"', 2), "bind_code 483920 用了两次"),
    "wecom userid twice, other case": (('wecom_userid = "lina"', 'wecom_userid = "zhangwei"'),
                                       ('wecom_userid = "zhangwei"', 1), "用了两次"),
    "typo in a key": (('    officer = "sunli"', '    oficer = "sunli"'),
                      ('oficer = "sunli"', 1), "未知的键 'oficer'"),
    "building in two grids": (('buildings = ["6", "7", "8", "9", "10"]',
                               'buildings = ["5", "6", "7", "8", "9", "10"]'),
                              ('buildings = ["5", "6"', 1),
                              "幸福花园 的楼栋 5 同时划在网格 FC-LJ-01 和 FC-LJ-02"),
    # trial G10: the check folds what it compares, as the matching of messages does
    "split building written two ways": (('buildings = ["6", "7", "8", "9", "10"]',
                                         'buildings = ["5号楼", "6", "7", "8", "9", "10"]'),
                                        ('buildings = ["5号楼", "6"', 1),
                                        "幸福花园 的楼栋 5号楼 同时划在网格 FC-LJ-01 "
                                        "和 FC-LJ-02"),
    "building twice in a place, written two ways": (
        ('buildings = ["6", "7", "8", "9", "10"]', 'buildings = ["6", "7", "8", "9", "9栋"]'),
        ('buildings = ["6", "7", "8", "9", "9栋"]', 1), "有楼栋写了两次"),
    "bad grid kind": (('kind = "special"', 'kind = "market"'), ('kind = "market"', 1),
                      "kind 只能是 residential 或 special"),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_bad_file_is_refused_with_line_and_reason(db: Database, name: str) -> None:
    (old, new), (needle, nth), reason = CASES[name]
    assert old in EXAMPLE
    text = EXAMPLE.replace(old, new, 1)
    with pytest.raises(DistrictError) as err:
        await db.run(lambda s: import_district(s, text, source="bad.toml"))
    assert err.value.line == line_of(text, needle, nth), str(err.value)
    assert reason in err.value.reason
    assert str(err.value).startswith(f"bad.toml 第 {err.value.line} 行：")
    assert await count(db, Region) == 0
    assert await count(db, Person) == 0
    assert await count(db, Identity) == 0


async def test_a_refused_edit_leaves_the_imported_district_as_it_was(db: Database) -> None:
    await db.run(lambda s: import_district(s, EXAMPLE))
    text = (EXAMPLE.replace('name = "连江社区"', 'name = "改名社区"')
            .replace('officer = "sunli"', 'officer = "nobody"'))
    with pytest.raises(DistrictError):
        await db.run(lambda s: import_district(s, text))
    assert await count(db, Region, Region.name == "连江社区") == 1
    assert await count(db, Region, Region.name == "改名社区") == 0


def test_missing_district_table_and_inline_tables() -> None:
    with pytest.raises(DistrictError, match="缺少 \\[district\\] 表"):
        parse_district('[[people]]\nid = "a"\nname = "A"\nroles = ["officer"]\n', "f.toml")
    # tables written inline: the error points at the key that holds them
    text = """
[district]
code = "X"
name = "X区"
command_centre = ["a"]

[[people]]
id = "a"
name = "A"
roles = ["leader"]

[[streets]]
code = "S"
name = "S街道"
communities = [
  { code = "C", name = "C社区", leader = "a", triage = ["a"], grids = [
    { code = "G", name = "G网格", officer = "a", places = [{ name = "P", buildings = [true] }] },
  ] },
]
"""
    with pytest.raises(DistrictError) as err:
        parse_district(text, "f.toml")
    assert err.value.line == line_of(text, "communities = [")
    assert "buildings 须是字符串列表" in err.value.reason

"""Location: buildings, units and rooms exactly; a floor is never a building."""

from __future__ import annotations

import pytest

from nlp.location import Gazetteer, extract_location
from nlp.normalize import clean


def loc(text: str, gazetteer: Gazetteer | None = None) -> dict:
    return extract_location(clean(text), gazetteer).as_dict()


@pytest.mark.parametrize("text, building, unit, room", [
    ("3号楼楼道里堆满杂物", "3", None, None),
    ("5栋2单元的电梯坏了", "5", "2", None),
    ("12幢门口积水", "12", None, None),
    ("七号楼有人飞线充电", "7", None, None),
    ("3#楼的灭火器过期了", "3", None, None),
    ("二十三栋一单元", "23", "1", None),
    ("九十九号楼后面", "99", None, None),
    ("我家是1-2-301，楼上漏水", "1", "2", "301"),
    ("８－３－１２０２卫生间漏水", "8", "3", "1202"),
    ("6栋502室楼上装修", "6", None, "502"),
    ("3栋2单元402的住户", "3", "2", "402"),
    ("3号2单元门口", "3", "2", None),
    ("二单元的门禁坏了", None, "2", None),
])
def test_building_unit_room(text: str, building: str | None, unit: str | None,
                            room: str | None) -> None:
    got = loc(text)
    assert (got["building"], got["unit"], got["room"]) == (building, unit, room)


@pytest.mark.parametrize("text, building", [
    ("3号楼6楼有人往下扔东西", "3"),
    ("我住6楼，水压太低", None),
    ("6楼以上都没水", None),
    ("十八楼的电梯门关不上", None),
    ("电梯卡在九楼和十楼中间", None),
    ("两栋楼中间的路灯坏了", None),
    ("好几栋楼都停水了", None),
    ("23路公交站牌倒了", None),
])
def test_floors_and_counts_are_not_buildings(text: str, building: str | None) -> None:
    assert loc(text)["building"] == building


@pytest.mark.parametrize("text, community", [
    ("我是锦绣家园的业主，想反映个事", "锦绣家园"),
    ("我住在枫林苑十栋", "枫林苑"),
    ("请问香樟园小区的居委会在哪", "香樟园小区"),
    ("阳光新村3栋停水了", "阳光新村"),
    ("东湖社区那个工地", "东湖社区"),
    ("隔壁小区有快递柜", None),
    ("我们小区又停电了", None),
    ("想请社区帮忙调解", None),
    ("公园里的路灯坏了", None),
])
def test_community_patterns(text: str, community: str | None) -> None:
    assert loc(text)["community"] == community


def test_gazetteer_gives_canonical_name() -> None:
    gaz = Gazetteer([("幸福花园", ["幸福小区", "幸福花园小区"]), ("金色港湾", ["金港"])])
    assert loc("幸福小区3号楼停水了", gaz)["community"] == "幸福花园"
    assert loc("金港北门有人摆摊", gaz) == {
        "community": "金色港湾", "building": None, "unit": None, "room": None, "place": "北门"}


@pytest.mark.parametrize("text, place", [
    ("地下车库积水很深", "地下车库"),
    ("小区门口有人摆摊", "小区门口"),
    ("人民路与解放路交叉口的红绿灯坏了", "人民路与解放路交叉口"),
    ("楼顶有人搭棚子", "楼顶"),
    ("东门那边的路灯不亮", "东门"),
])
def test_place(text: str, place: str) -> None:
    assert loc(text)["place"] == place


@pytest.mark.parametrize("text,building", [("锦绣华庭B座电梯坏了", "B"),
                                           ("a栋楼下垃圾没人收", "A"),
                                           ("3号楼B座门口", "3"), ("WiFi座机坏了", None)])
def test_lettered_towers_are_buildings(text: str, building: str | None) -> None:
    from nlp import Analyzer

    assert Analyzer.load().analyze(text).location.building == building


@pytest.mark.parametrize("text, building, unit, room", [
    ("F3栋楼下天天有人摆摊", "F3", None, None),
    ("c12栋2单元的门禁坏了", "C12", "2", None),
    ("A座电梯又停了", "A", None, None),
    ("一幢楼都停电了", None, None, None),
    ("另一个单元也是这样", None, None, None),
    ("整栋楼都没水", None, None, None),
    ("这房子2016年交的，墙裂了", None, None, None),
    ("6号楼2018年加装的电梯坏了", "6", None, None),
    ("18层1803号一直有人敲墙", None, None, "1803"),
    ("西头302那户天天半夜剁东西", None, None, "302"),
    ("我住12楼，楼上漏水", None, None, None),
])
def test_no_made_up_fields(text: str, building: str | None, unit: str | None,
                           room: str | None) -> None:
    got = loc(text)
    assert (got["building"], got["unit"], got["room"]) == (building, unit, room)


def test_verbs_ending_in_lu_are_not_roads() -> None:
    assert loc("树枝挡路")["place"] is None


@pytest.mark.parametrize("text, community, building", [
    ("金溪社区溪畔新村3栋楼下有人摆摊", "溪畔新村", "3"),
    ("城南社区的桃源小区5号楼停水了", "桃源小区", "5"),
    ("永丰社区居民反映路灯不亮", "永丰社区", None),
])
def test_estate_after_its_community(text: str, community: str, building: str | None) -> None:
    got = loc(text)
    assert (got["community"], got["building"]) == (community, building)
    named = loc(text, Gazetteer([(community.replace("溪畔新村", "金溪社区"), [])]))
    assert named["community"] == community

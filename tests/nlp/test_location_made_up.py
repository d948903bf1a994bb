"""Location fields only where the text gives them: the classes that made up a building, unit or
room (articles, counts, vehicles, street numbers, dates, prices, areas, phone numbers, parking
spaces, corrections), and rooms named by who lives there. Our own sentences, one class each."""

from __future__ import annotations

import pytest

from nlp.location import Gazetteer, extract_location
from nlp.normalize import clean


def bur(text: str) -> tuple[str | None, str | None, str | None]:
    got = extract_location(clean(text)).as_dict()
    return got["building"], got["unit"], got["room"]


NOTHING = (None, None, None)


@pytest.mark.parametrize("text", [
    "东街口那边有一栋没人住的旧楼，窗户都碎了",
    "来电人称，其租住的城中村一栋自建房楼道里堆满了电瓶车",
    "马路对面一座公厕好几天没人打扫",
    "小区后面新建了一座变电站，晚上嗡嗡的",
    "我们住在一栋七十年代的砖混老楼里，墙皮一直掉",
    "隔壁村一幢民房正在加盖第四层",
])
def test_one_building_as_an_article_names_none(text: str) -> None:
    assert bur(text) == NOTHING


@pytest.mark.parametrize("text, expected", [
    ("我住一栋三单元，楼道灯不亮", ("1", "3", None)),
    ("一栋502楼上漏水", ("1", None, "502")),
    ("一栋的电梯又坏了", ("1", None, None)),
    ("1栋门口垃圾堆成山", ("1", None, None)),
])
def test_one_building_still_named_when_the_address_goes_on(text: str, expected: tuple) -> None:
    assert bur(text) == expected


@pytest.mark.parametrize("text", [
    "我们小区一共14栋，就两个保安",
    "小区建于2003年，共有九栋六层楼，都没有电梯",
    "整个片区有16幢，物业只派了一个保洁",
    "一个保洁员要负责五栋楼，根本扫不过来",
    "河上那三座桥的护栏都锈断了",
    "村口那2栋烂尾楼成了垃圾场",
])
def test_counted_buildings_name_none(text: str) -> None:
    assert bur(text)[0] is None


@pytest.mark.parametrize("text", [
    "一辆7座商务车停在消防通道好几天",
    "有台5座的小轿车天天堵在单元门口",
])
def test_seats_of_a_vehicle_are_not_a_tower(text: str) -> None:
    assert bur(text)[0] is None


@pytest.mark.parametrize("text", [
    "建设路156号楼下的烧烤摊天天冒烟",
    "和平街22号楼道里有人贴小广告",
    "本月8号楼道里的灯就坏了，到现在没人修",
    "11月20号楼下开始施工，每天吵到半夜",
])
def test_street_numbers_and_days_of_the_month_are_not_buildings(text: str) -> None:
    assert bur(text)[0] is None


def test_a_building_after_a_street_number_is_still_read() -> None:
    assert bur("建设路156号院3号楼停水了") == ("3", None, None)


@pytest.mark.parametrize("text, building", [("最近半个月7号楼2单元的电梯坏了3次", "7"),
                                            ("这两个月5号楼天天停水", "5")])
def test_a_building_after_a_span_of_months_is_no_day(text: str, building: str) -> None:
    assert bur(text)[0] == building


@pytest.mark.parametrize("text", [
    "小区总共有160户居民，只有一个出入口",
    "这一栋楼住了130户人家，电梯天天坏",
    "我家在4楼130平，楼上天天漏水",
    "5栋1500多人就一部电梯",
    "2单元那个车位一个月800块也太贵了",
    "6栋110来了也没用，还是吵",
    "负一层215车位被人用地锁占了",
    "租了个房子一个月1650，房东不给修热水器",
])
def test_counts_prices_areas_and_phone_numbers_are_not_rooms(text: str) -> None:
    assert bur(text)[2] is None


@pytest.mark.parametrize("text, room", [
    ("楼上703天天半夜拖椅子", "703"),
    ("对门1202家的狗一直叫", "1202"),
    ("隔壁605的老太太三天没出门了", "605"),
    ("房号2103，麻烦师傅上门看看", "2103"),
    ("门牌号是908", "908"),
    ("他家住在1104，一直往楼道里堆东西", "1104"),
    ("406的业主把楼道占了", "406"),
    ("浓烟是从1502窗户里冒出来的", "1502"),
    ("在7楼的705，窗户漏雨", "705"),
    ("楼下302天天吵架", "302"),
])
def test_a_room_named_by_who_lives_there(text: str, room: str) -> None:
    assert bur(text)[2] == room


@pytest.mark.parametrize("text, expected", [
    ("3楼120平米的房子天花板掉了", None),
    ("家在9层，901的管子爆了", "901"),
    ("16层1603门口的消防栓没水", "1603"),
])
def test_a_room_is_on_the_floor_stated_before_it(text: str, expected: str | None) -> None:
    assert bur(text)[2] == expected


@pytest.mark.parametrize("text, expected", [
    ("刚才说错了，不是5栋是9栋", ("9", None, None)),
    ("不是2单元，是3单元的电梯", (None, "3", None)),
    ("是11号楼，不是12号楼", ("11", None, None)),
])
def test_the_building_a_correction_takes_back_is_not_kept(text: str, expected: tuple) -> None:
    assert bur(text) == expected


@pytest.mark.parametrize("text, building", [
    ("4、5、6号楼都停电了", "4"),
    ("2至4栋的路灯一盏都不亮", "2"),
    ("10-12号楼今天停水", "10"),
])
def test_a_list_sharing_one_suffix_starts_at_its_first_number(text: str, building: str) -> None:
    assert bur(text)[0] == building


@pytest.mark.parametrize("text", [
    "地铁站c3号出口有人发传单，3栋旁边",
    "3栋旁边地铁b2号口那里有人摆摊",
])
def test_a_lettered_exit_is_not_a_tower(text: str) -> None:
    assert bur(text)[0] == "3"


@pytest.mark.parametrize("text, expected", [
    ("B座1806的空调外机滴水", ("B", None, "1806")),
    ("c2座703楼上装修", ("C2", None, "703")),
])
def test_a_room_after_a_lettered_tower(text: str, expected: tuple) -> None:
    assert bur(text) == expected


def test_a_building_described_by_its_floors_is_an_article() -> None:
    assert bur("村口一栋两层小楼的阳台塌了一角") == NOTHING


@pytest.mark.parametrize("text, expected", [
    ("楼号：9，单元号：1，室号：702", ("9", "1", "702")),
    ("栋号是c5 房号1304", ("C5", None, "1304")),
    ("单元号：4", (None, "4", None)),
])
def test_an_address_given_as_form_fields(text: str, expected: tuple) -> None:
    assert bur(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("就是那个八号楼的那个七零一啊", ("8", None, "701")),
    ("我在四栋的嗯一零零二", ("4", None, "1002")),
    ("2单元的那个1103就是天天吵的那家", (None, "2", "1103")),
    ("5栋的那个300块的车位", ("5", None, None)),
])
def test_a_room_after_the_fillers_of_speech(text: str, expected: tuple) -> None:
    assert bur(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("送到14号楼-2-1502，门口堆满了纸箱", ("14", "2", "1502")),
    ("6栋-1单元-302楼道灯坏了", ("6", "1", "302")),
    ("4-3单元门口的地砖翘起来了", ("4", "3", None)),
    ("1-2单元今天都停水", (None, "1", None)),
])
def test_dashed_addresses_with_their_suffixes(text: str, expected: tuple) -> None:
    assert bur(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("4#1202 门口一直滴水", ("4", None, "1202")),
    ("快递放在6#3-701门口", ("6", "3", "701")),
    ("二零三室的空调外机掉了", (None, None, "203")),
    ("我家住十二楼一二零二", (None, None, "1202")),
    ("这栋楼2015翻修过一次，现在又漏了", NOTHING),
])
def test_riders_marks_spoken_rooms_and_years_without_their_character(text: str,
                                                                      expected: tuple) -> None:
    assert bur(text) == expected


@pytest.mark.parametrize("text, building", [
    ("一号楼后面的井盖没了", "1"),
    ("我是一栋的", "1"),
    ("一栋一栋地停电，整个小区都黑了", None),
])
def test_building_one_by_its_number_and_not_by_the_measure_word(text: str,
                                                                building: str | None) -> None:
    assert bur(text)[0] == building


@pytest.mark.parametrize("text, building", [
    ("上回说的是2栋，这回是4栋的楼道灯", "4"),
    ("原来住8号楼，现在搬到11号楼了，楼下天天烧烤", "11"),
    ("我家以前就在10栋", "10"),
    ("以前7栋 9栋都淹过", "7"),
])
def test_a_building_the_writer_no_longer_means(text: str, building: str) -> None:
    assert bur(text)[0] == building


@pytest.mark.parametrize("text, room", [
    ("这栋楼里住着170户，就一部电梯", None),
    ("全村260户都没通自来水", None),
    ("楼上1260一个劲地跺脚", None),
    ("楼上1206一个劲地跺脚", "1206"),
    ("1150室的阳台在往下滴水", "1150"),
])
def test_a_door_past_forty_is_a_count_unless_the_room_is_named(text: str,
                                                               room: str | None) -> None:
    assert bur(text)[2] == room


@pytest.mark.parametrize("text", [
    "还有 金桂新村5栋 楼道里堆了好多纸箱",
    "另外有个事 解放路锦绣花园5号楼门口的路灯不亮",
])
def test_a_building_after_a_masked_community_is_no_count_or_street_number(text: str) -> None:
    assert bur(text)[0] == "5"
    gaz = Gazetteer([("金桂新村", []), ("锦绣花园", [])])
    assert extract_location(clean(text), gaz).building == "5"


@pytest.mark.parametrize("text", [
    "小区建成于1998年，共有住宅楼14栋，居民520户，只有一个垃圾站",
    "这个片区有多层9栋、高层3栋，路灯一半不亮",
])
def test_a_count_told_after_what_is_counted(text: str) -> None:
    assert bur(text) == NOTHING

"""Urgency by the danger-now test: danger told in other words is urgent; idioms, ads, past
incidents, fears and standing hazards are not. Also Traditional Chinese input."""

from __future__ import annotations

import pytest

from nlp import Analyzer


@pytest.mark.parametrize("text", [
    "五栋电梯停了半天了门打不开我家老人还在里面出不来",
    "电梯卡在半中间，我们三个人在里头",
    "工地上的钢管掉下来把一个路人砸伤了",
    "楼道那头火苗一下蹿起来了",
    "对面单元烟往楼道里灌，呛得人睁不开眼",
    "暴雨下得太大，水已经进屋了",
    "一楼我家客厅快成池塘了，快派人来",
    "厨房瓦斯味好重，头都晕了",
    "廚房裡有很重的煤氣味",
    "這邊電梯裡有人被困住了，快來",
])
def test_danger_now_is_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency == "urgent", text


@pytest.mark.parametrize("text", [
    "楼下那家火锅店生意火爆，客人的车把人行道都停满了",
    "新开的炸鸡店天天在门口发传单",
    "奶茶店搞爆款促销，音响开得震天响",
    "前年这栋楼着过一次火，现在楼道又堆满了纸箱",
    "这面墙裂成这样，万一塌了谁负责",
    "井盖翘起来了，早晚出事",
    "我们楼的电梯经常困人，物业一直拖着不修",
    "配电房隔三差五冒火花，好几年了",
])
def test_not_danger_now_is_not_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency != "urgent", text


@pytest.mark.parametrize("text", [
    "电梯老是坏，上个月还困过人",
    "楼道电线老化，经常跳闸冒火花",
])
def test_standing_hazard_is_high(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency == "high", text


def test_traditional_reads_as_simplified(analyzer: Analyzer) -> None:
    a = analyzer.analyze("幸福花園3號樓樓道著火了，濃煙很大")
    assert a.category == "fire_safety" and a.urgency == "urgent"
    assert a.location.building == "3"
    gas = analyzer.analyze("樓下一股瓦斯味")
    assert gas.category == "gas_electric" and gas.urgency == "urgent"


def test_tw2s_keeps_zhu_where_it_is_a_word() -> None:
    from nlp.normalize import to_simplified

    assert to_simplified("著火了") == "着火了"
    assert to_simplified("看著很危險") == "看着很危险"
    assert to_simplified("效果顯著") == "效果显著"

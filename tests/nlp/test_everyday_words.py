"""Issue 9, third round: danger, ratings, details and chat said in everyday words. The
sentences here are not in the corpus; they check that the rules follow the pattern (someone +
cannot get out + an enclosure; flames or smoke seen now; water coming into a home; someone
hurt or attacked now), not a list of words."""

from __future__ import annotations

import pytest

from nlp import Analyzer
from nlp.intent import rating_in
from nlp.location import extract_location


@pytest.mark.parametrize("text", [
    "电梯不走了 我奶奶还在里头",
    "我们两个被困在货梯里 按什么都没用",
    "电梯门扒不开 里面有人在喊",
    "女儿一个人在电梯里 电梯卡住了",
    "孩子被锁在车里出不来 车子晒在太阳底下",
    "楼下那辆车着了 火苗往上蹿",
    "厨房的油锅着了",
    "对面楼有户人家窗口在喷火",
    "楼梯间全是黑烟",
    "一股烟从门底下钻进来 越来越浓",
    "一股烧塑料的味道 楼道里雾蒙蒙的",
    "家里一股味 跟煤气一样 头有点晕",
    "阀门那里嗞嗞响 味道很大",
    "雨水从门缝往屋里灌",
    "我家客厅跟个水塘似的 水还在往里进",
    "有人在楼下打群架 一个人被打倒了",
    "有个人拿着砖头在砸车",
    "楼上掉下来一块砖 把大爷砸伤了",
    "有人从梯子上摔下来了 不动了",
    "老房子的墙垮了 下面有人",
])
def test_danger_told_in_other_words_is_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency == "urgent", text


@pytest.mark.parametrize("text", [
    "上个月电梯把人关在里面过一次 到现在没修",
    "电梯停了 还好里面没人",
    "说是有人被困 其实人早就出来了 电梯还停着",
    "楼道里全是电动车 一着火谁也跑不了",
    "灭火器都是空的 真着火了拿什么灭",
    "楼下那家烤鸭店生意火爆 排队的人堵了路",
    "是不是燃气公司的人 敲门说要检查",
    "去年夏天一楼进过一次水 排水还是老样子",
    "隔壁装修 一大早就开始砸墙",
    "楼上还在砸地板 吵得头疼",
    "两只猫在楼道里打架 叫了一晚上",
])
def test_not_danger_now_is_not_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency != "urgent", text


def test_past_bite_is_high(analyzer: Analyzer) -> None:
    assert analyzer.analyze("那条黑狗前天咬了个老人 主人还是天天放出来").urgency == "high"


@pytest.mark.parametrize("text, value", [
    ("超满意", 1), ("给你们打满分", 1), ("十分满意 来得特别快", 1),
    ("挺满意的 谢谢", 2), ("给个满意吧", 2), ("没啥不满意的", 2), ("处理得不错 满意", 2),
    ("还凑合吧", 3), ("中规中矩", 3), ("也不能说不满意吧", 3), ("一般 就是慢", 3), ("说得过去", 3),
    ("不满意 问题还在", 4), ("等了半个月 不满意", 4), ("太慢了不满意", 4), ("满意不了", 4),
])
def test_rating_in_a_sentence(analyzer: Analyzer, text: str, value: int) -> None:
    a = analyzer.analyze(text)
    assert (a.act, a.rating, a.category) == ("rating", value, "other"), text
    assert rating_in(text) == value


@pytest.mark.parametrize("text", [
    "就在菜场那个路口", "靠近公交站那边", "西边那个入口", "五楼那户", "在9栋和10栋中间",
    "还在漏呢", "还一直在滴", "现在还有", "还没停", "刚拍的", "这是视频", "看一下图片",
    "晚上八点多", "这几天一直这样", "声音是从隔壁传过来的", "就是昨天说的那个",
])
def test_a_piece_of_a_report_is_a_detail(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "detail", text


@pytest.mark.parametrize("text", [
    "好的好的 辛苦", "行 那我等着", "等你们消息", "早", "可以可以", "周末愉快", "这是什么号啊",
])
def test_chat(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "chat", text


@pytest.mark.parametrize("text", [
    "路灯又坏了", "共享单车堆满了路口", "水管在漏 就在那个路口", "门口又有人摆摊", "楼上太吵了",
    "垃圾站那边好臭", "不满意物业 门禁坏了一个月没人修 电梯也老停 物业费还涨了",
])
def test_a_report_stays_a_report(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "report", text


@pytest.mark.parametrize("text", [
    "小区一共有28栋楼，每栋18层，电梯经常坏", "小区内3栋楼之间的空地被人圈起来种菜",
    "这是我第4次反映，联系电话13912345678", "2023年6月起每月多收50元",
])
def test_counts_are_not_buildings(text: str) -> None:
    loc = extract_location(text)
    assert (loc.building, loc.unit, loc.room) == (None, None, None), text

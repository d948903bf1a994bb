"""Cues that name a category whatever else a message mentions (nlp/cues.py CATEGORY_CUES),
and the main complaint beating the parties named as who was asked (nlp/focus.py)."""

from __future__ import annotations

import pytest

from nlp import Analyzer
from nlp.cues import category_cues
from nlp.focus import focus_spans


@pytest.mark.parametrize(("text", "category"), [
    ("后街那间仓库里每晚都有一桌人押注打牌，输赢好几千", "public_order"),
    ("我姐被朋友拉去听课，说是投资，其实就是传销，天天要她拉人头", "public_order"),
    ("菜场那几个摊位被一帮混混把着，不交保护费就不让摆，这不就是黑恶势力吗", "public_order"),
    ("二楼那户在自家院子里养了二十多只鸡，一大早就打鸣", "animals"),
    ("村口有人家养了好几头猪，猪粪冲到路边水沟里", "animals"),
    ("对面酒店楼顶的射灯整夜开着，照得我们卧室跟白天一样", "other"),
    ("十字路口的信号灯黑了一上午，车都抢着走", "municipal"),
    ("隔壁把我们两家共用的过道圈起来装了个铁门，当成自己家的了", "neighbor"),
    ("孩子的户口想迁到我这边来，请问需要带哪些材料", "consult"),
    ("身份证丢了去哪里补办，要不要先开证明", "consult"),
])
def test_category_cue_decides(analyzer: Analyzer, text: str, category: str) -> None:
    assert analyzer.analyze(text).category == category


def test_negated_cue_counts_for_nothing() -> None:
    assert not category_cues("这个会不是传销，是正规的培训班")
    assert [c.category for c in category_cues("楼下麻将馆有人聚赌")] == ["public_order"]


@pytest.mark.parametrize(("text", "category"), [
    # the party asked or doing nothing is not the complaint
    ("楼下烧烤店的油烟天天往我家窗户里灌，找物业也没用", "sanitation"),
    ("消防栓的箱子门掉了，里面的水带也没了，物业说不归他们管", "fire_safety"),
    # a streetlight that is out stays municipal beside a pole or a wire
    ("路口电线杆旁边那盏路灯一直不亮", "municipal"),
    # a complaint about the property company is the property company's
    ("物业的客服电话永远打不通，报修一个星期没人上门", "property"),
])
def test_main_complaint_wins(analyzer: Analyzer, text: str, category: str) -> None:
    assert analyzer.analyze(text).category == category


def test_focus_leaves_out_preambles_and_parties() -> None:
    text = ("尊敬的领导您好，我是锦华小区的业主，自2020年入住以来，"
            "楼下的垃圾站一直臭气熏天，物业说没办法")
    kept = list(text)
    for a, b in focus_spans(text):
        kept[a:b] = " " * (b - a)
    left = "".join(kept)
    assert "垃圾站一直臭气熏天" in left
    assert "业主" not in left and "物业" not in left and "尊敬" not in left


def test_a_message_that_is_only_about_the_party_keeps_its_text() -> None:
    assert focus_spans("物业不作为") == []


@pytest.mark.parametrize(("text", "main", "second"), [
    ("3号楼楼道里天天有人给电瓶车充电，另外楼下广场舞每晚放到十点多吵得孩子没法写作业",
     "fire_safety", "noise"),
    ("我们单元的电梯又坏了，还有楼下那条狗天天半夜叫个不停", "building_safety", "animals"),
])
def test_several_problems_main_first_the_rest_in_also(analyzer: Analyzer, text: str, main: str,
                                                       second: str) -> None:
    a = analyzer.analyze(text)
    assert a.category == main and second in a.also

"""Issue 9, round seven: the classes the round7 corpus showed weak (docs/nlp.md).

Our own sentences, written for these classes; the held-out fifth `voices7_heldout.jsonl` is
never read here.
"""

from __future__ import annotations

import pytest

from nlp import Analyzer


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("选2吧", 2),  # the answer to the rating prompt, in its own form
        ("回复3", 3),
        ("选4，等了太久了", 4),  # the digit first, then why
        ("hen manyi", 1),  # in pinyin
        ("bu man yi", 4),
    ],
)
def test_the_answer_to_the_rating_prompt_rates(analyzer: Analyzer, text: str, rating: int) -> None:
    a = analyzer.analyze(text)
    assert (a.act, a.rating) == ("rating", rating), a


@pytest.mark.parametrize(
    "text",
    [
        "满意，另外北门的垃圾桶又满了",  # a verdict, then a new problem
        "谢谢你们。不过刚才我看到三楼的灭火器箱门掉了",
        "两个人在楼道打起来了",  # a count, but a fight
        "电梯又停了",  # again, not an update
        "水退了，可是地下室的墙全泡坏了",  # an update, then new damage
        "天冷了，暖气到现在还没来",  # weather with a complaint
        "那棵树被风刮得直晃，下面是停车场",
    ],
)
def test_a_report_in_those_shapes_stays_a_report(analyzer: Analyzer, text: str) -> None:
    """A report read as chat or a detail makes no ticket."""
    assert analyzer.analyze(text).act == "report"


@pytest.mark.parametrize(
    "text",
    [
        "补充说明：上述车辆已在该处停放两周以上，车牌被遮挡。",  # announced as a follow-up
        "我的电话是13812345678，晚上都在",  # how to reach the resident
        "我是三楼的住户",  # who the resident is
        "右边数第三个路灯",  # which one
        "一共五辆，都是黄色的",  # how many, what they look like
        "声音小一点了",  # a state that changed
        "一般晚上十点以后",  # when it happens
        "那个棚子是绿色的铁皮",  # what it is
        "那只猫是白的，尾巴短短的",
        "就在幼儿园后门那条路上",  # where, and nothing else
    ],
)
def test_a_piece_of_the_report_before_is_a_detail(analyzer: Analyzer, text: str) -> None:
    a = analyzer.analyze(text)
    assert a.act == "detail", a
    assert (a.category, a.urgency) == ("other", "normal")


@pytest.mark.parametrize(
    "text",
    [
        "今天好闷热，估计要下暴雨了",  # the weather
        "行，我回头跟家里人说一声",  # what the resident will do next
        "不好意思，发错了",  # an apology
        "你们周末上班吗",  # a question about the service itself
        "你们是社区的吗",
    ],
)
def test_talk_makes_no_ticket(analyzer: Analyzer, text: str) -> None:
    a = analyzer.analyze(text)
    assert a.act == "chat", a


@pytest.mark.parametrize(
    "text",
    [
        "叫你们管事的来",
        "让网格员打我电话",  # not the resident's own number: someone to call
        "rgkf",
    ],
)
def test_asking_for_a_person(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "human"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("楼上阳台的花架歪着往外倒，下面就是小学门口", None),  # coming down over people
        ("独居的王奶奶三天没出门了，敲门也没人应", None),  # nobody answers
        ("炉子烧着煤，我爸说头晕，站都站不稳", "gas_electric"),  # fumes and someone dizzy
        ("一摸铁门手就发麻", "gas_electric"),  # a live metal door
        ("一个小孩不小心掉进河里了", None),  # 不小心 is not a negation
        ("有个人躺在马路中间一动不动", None),
        ("楼下垃圾堆着了，火挺大", "fire_safety"),
        ("烟一直往我家里钻", "fire_safety"),
    ],
)
def test_danger_now_in_other_words_is_urgent(
    analyzer: Analyzer, text: str, category: str | None
) -> None:
    a = analyzer.analyze(text)
    assert (a.act, a.urgency) == ("report", "urgent"), a
    assert category is None or a.category == category, a


@pytest.mark.parametrize(
    "text",
    [
        "隔壁在院子里烧落叶，烟很大",  # burning leaves is no fire
        "上星期楼道里有人晕倒过",  # the past week
        "群里传说有人要跳楼，结果是虚惊一场",  # hearsay, a false alarm
        "啤酒瓶摔碎在我脚边，太吓人了",  # a near miss
        "燃气热水器打火困难，想找人来看看",  # 打火 is lighting the heater
        "我的车被困在车位里出不去",  # a car, not a person
    ],
)
def test_danger_words_that_are_not_danger_now_page_nobody(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency != "urgent"


@pytest.mark.parametrize(
    "text",
    [
        "8栋门口那张长椅断了一条腿",
        "广场上的健身器材坏了好几个",
    ],
)
def test_public_seats_and_fitness_equipment_broken_are_municipal(
    analyzer: Analyzer, text: str
) -> None:
    assert analyzer.analyze(text).category == "municipal"


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("不错不错，人来得也快", 2),  # a plain verdict first
        ("服务一流 没话说", 1),
        ("太慢了 拖了快一个月", 4),
        ("修得挺好", 2),
        ("三颗星，来是来了，就是活干得粗", 3),  # stars first, then why
    ],
)
def test_plain_verdicts_rate(analyzer: Analyzer, text: str, rating: int) -> None:
    a = analyzer.analyze(text)
    assert (a.act, a.rating) == ("rating", rating), a


@pytest.mark.parametrize("text", ["小区卫生太差", "楼道灯坏了 太差了", "垃圾站好评个啥，臭死了"])
def test_a_verdict_word_inside_a_complaint_is_no_rating(analyzer: Analyzer, text: str) -> None:
    """A verdict counts first or last in the message, not anywhere in it."""
    assert analyzer.analyze(text).act == "report"


@pytest.mark.parametrize(("text", "act"), [("[捂脸][捂脸]", "chat"), ("[图片]", "detail")])
def test_stickers_are_chat_and_a_photo_is_a_detail(
    analyzer: Analyzer, text: str, act: str
) -> None:
    assert analyzer.analyze(text).act == act

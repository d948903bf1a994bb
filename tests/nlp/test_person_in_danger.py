"""Issue 9, fourth round: danger to a person now, said in everyday words, is urgent whoever
the person is and wherever they are; the same words in the past, as a fear, as a near miss or
denied are not. The learned heads (nlp/heads.py) are what the rules are combined with."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import Analyzer
from nlp.heads import SHIPPED_HEADS, Heads
from nlp.training import CORPUS, train_heads


@pytest.mark.parametrize("text", [
    "河堤那边有个钓鱼的大叔落水了 在扑腾",
    "我爸在卫生间摔倒了起不来 叫他也不怎么应",
    "菜场门口一个阿姨突然晕倒了 现在没反应",
    "对面楼有个小孩爬到窗台外面去了 大人不在家",
    "楼下有个男的正揪着头发打一个女的",
    "工地上有个师傅好像触电了 倒在那里",
    "仓库卷帘门卡死了 我们三个被困在里面出不去",
    "广告牌在晃得厉害 下面还有好多人在排队",
    "我们小区升降梯困梯了 里头有个老奶奶",
])
def test_person_in_danger_now_is_urgent(analyzer: Analyzer, text: str) -> None:
    a = analyzer.analyze(text)
    assert a.urgency == "urgent" and a.act == "report", (text, a.urgency, a.act)


@pytest.mark.parametrize("text", [
    "去年冬天有个老人在这个台阶上摔倒过，到现在也没装扶手",
    "健身区的单杠松了，小朋友玩的时候差点摔下来，麻烦修一下",
    "河边护栏缺了一段，万一有人掉下去就麻烦了",
    "电梯没困人，就是显示屏一直乱闪，7号楼",
    "楼下那只流浪猫一动不动趴在车底下晒太阳，挺可爱的",
    "墙皮一块块往下掉，以免砸伤行人，请尽快处理",
])
def test_not_now_is_not_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency != "urgent", text


@pytest.mark.parametrize("text, act", [
    ("机器人说不明白 换个人来跟我说", "human"),
    ("我不会打字，叫个人打电话给我吧", "human"),
    ("定位发了，你们看一下", "detail"),
    ("是三楼那户 不是四楼", "detail"),
    ("停了一会儿又响起来了", "detail"),
    ("我对门也听到了，可以作证", "detail"),
    ("国庆快乐 祝网格的工作人员身体健康", "chat"),
    ("今天天气不错 出去走走", "chat"),
    ("好评！来得很快还帮我把门口也扫了", "rating"),
])
def test_intent_in_other_words(analyzer: Analyzer, text: str, act: str) -> None:
    assert analyzer.analyze(text).act == act, text


def test_rating_in_a_sentence_has_a_value(analyzer: Analyzer) -> None:
    a = analyzer.analyze("好评！来得很快还帮我把门口也扫了")
    assert a.act == "rating" and a.rating in (1, 2)


def test_committed_heads_equal_fresh_train(tmp_path: Path) -> None:
    out = tmp_path / "heads.json"
    train_heads([CORPUS], out)
    assert out.read_bytes() == SHIPPED_HEADS.read_bytes(), "retrain: python -m nlp.training"


def test_heads_read_the_message_not_a_keyword() -> None:
    heads = Heads.load()
    analyzer = Analyzer.load()
    from nlp.features import extract_sets

    def p(text: str) -> float:
        norm, words = analyzer._prep.prepare(text)
        return heads.p_urgent(*extract_sets(norm, words))

    assert p("有个老大爷倒在路边叫也叫不醒") > p("小区门口的路灯坏了好几天了")


@pytest.mark.parametrize("text, category", [
    ("公园长椅上有个大爷晕倒了 叫也叫不醒", "other"),
    ("有个女的站在天台边上说要跳下去", "other"),
    ("烧烤摊两伙人打起来了 有个被打倒在地上不动了", "public_order"),
    ("厨房煤气味很重 我妈晕倒了", "gas_electric"),
])
def test_a_person_in_danger_goes_to_triage_unless_a_desk_fits(analyzer: Analyzer, text: str,
                                                              category: str) -> None:
    a = analyzer.analyze(text)
    assert (a.category, a.urgency) == (category, "urgent"), (text, a.category, a.alternatives)

"""Round five's classes: danger words used as figures of speech, and the follow-ups residents
send after a report (a score, work half done, a correction, a description, a laugh).

Our own sentences, written for these classes; the held-out fifth `voices5_heldout.jsonl`
measures them on a writer's.
"""

from __future__ import annotations

import pytest

from nlp import Analyzer


@pytest.mark.parametrize("text", [
    "隔壁工地的探照灯亮得跟起火了似的，晚上根本睡不着",
    "那家店火爆得跟着了火一样，门口天天排队堵路",
    "这天热得冒烟，小区的树也没人浇水",
    "楼下KTV吵得感觉房子都要塌了",
])
def test_a_danger_word_as_a_figure_of_speech_is_not_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency != "urgent"


@pytest.mark.parametrize("text", [
    "3号楼楼道里着火了，烟很大",
    "五楼冒烟了像是着火了",
    "我感觉有股煤气味",
    "快来人啊，墙要塌了！",
])
def test_real_danger_beside_such_words_stays_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency == "urgent"


@pytest.mark.parametrize(("text", "rating"), [
    ("三颗星", 3), ("给个四星吧", 2), ("五星好评", 1), ("零分", 4), ("打零分都嫌多", 4),
    ("来是来了，只修了一半", 3), ("修好了，就是通知都没通知一声", 3),
    ("还可以吧，就是接电话那个小伙子态度有点冲", 3), ("这服务没得说，必须给你们送面锦旗", 1),
])
def test_scores_and_mixed_verdicts_are_ratings(analyzer: Analyzer, text: str,
                                               rating: int) -> None:
    a = analyzer.analyze(text)
    assert (a.act, a.rating) == ("rating", rating)


@pytest.mark.parametrize("text", [
    "小区门口新开了家五星酒店，天天堵车", "路只修了一半就停工了", "星期三来修的水管又漏了",
])
def test_stars_and_half_done_work_in_a_report_do_not_rate(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "report"


@pytest.mark.parametrize("text", [
    "地址改一下，是南门不是东门", "不是7号楼，是9号楼", "我刚才说错了，应该是2单元",
    "就是早上说垃圾站的那条", "声音是咚咚咚的那种，像在砸墙", "水是黄的，还有股铁锈味",
    "车是白色的面包车",
])
def test_corrections_and_descriptions_are_details(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "detail"


@pytest.mark.parametrize("text", ["不是漏水是渗水", "不是我家是楼上漏水", "人被困在电梯里了"])
def test_a_correction_that_states_a_problem_is_a_report(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "report"


@pytest.mark.parametrize(("text", "act"), [
    ("哈哈哈你们还挺有意思", "chat"), ("笑死，机器人回得还挺快", "chat"),
    ("嘻嘻 明天要放晴了", "chat"), ("哈哈 楼下又在吵架了", "report"),
    ("哈哈哈电梯又坏了", "report"),
])
def test_laughter_is_chat_unless_it_reports(analyzer: Analyzer, text: str, act: str) -> None:
    assert analyzer.analyze(text).act == act


@pytest.mark.parametrize(("text", "urgency"), [
    ("电梯关了个送外卖的", "urgent"),
    ("升降機困咗人啊快啲嚟", "urgent"),
    ("部电梯困咗两个阿婆喺入面", "urgent"),
    ("我哋楼下有人喺度烧嘢，好大烟", "urgent"),
    ("电梯关了门就不动了，里面没人", "high"),
    ("电梯卡了一下又好了", "high"),
])
def test_lifts_and_cantonese_particles(analyzer: Analyzer, text: str, urgency: str) -> None:
    assert analyzer.analyze(text).urgency == urgency


def test_cantonese_particles_read_as_mandarin_and_mandarin_mm_stays() -> None:
    from nlp.normalize import clean

    assert clean("佢哋喺楼下食咗饭") == "他们在楼下食了饭"
    assert clean("唔该快啲嚟") == "谢谢快些来"
    assert clean("唔，好的") == "唔，好的"  # no Cantonese particle: Mandarin's "mm"


@pytest.mark.parametrize("text", ["rengong", "zhuan ren gong", "Rengong!"])
def test_a_person_asked_for_in_pinyin(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "human"


@pytest.mark.parametrize(("text", "act"), [
    ("快点来人啊！！！", "report"), ("有没有人来管管", "report"), ("叫个人来跟我说", "human"),
])
def test_a_call_for_help_is_not_a_request_for_an_operator(analyzer: Analyzer, text: str,
                                                          act: str) -> None:
    assert analyzer.analyze(text).act == act


@pytest.mark.parametrize("text", [
    "好的谢谢你们，上回那盏路灯修好了。顺便问下，老年公交卡现在还能办吗",
    "收到啦辛苦了～对了我想问下我婆婆的医保卡丢了怎么补",
    "谢谢，对了还想问下，居住证在哪办",
])
def test_a_question_asked_in_passing_after_thanks_is_a_consult(analyzer: Analyzer,
                                                               text: str) -> None:
    a = analyzer.analyze(text)
    assert (a.act, a.category) == ("consult", "consult")


def test_a_report_that_also_asks_stays_a_report(analyzer: Analyzer) -> None:
    a = analyzer.analyze("3号楼电梯坏了，对了顺便问下物业费怎么交")
    assert (a.act, a.category) == ("report", "building_safety")


@pytest.mark.parametrize(("text", "urgency"), [
    ("刚才电箱冒了几下火花，现在已经不冒了，就是还有股焦味，麻烦派人看看", "high"),
    ("电箱在冒火花！", "urgent"),
])
def test_sparks_that_stopped_are_no_longer_urgent(analyzer: Analyzer, text: str,
                                                  urgency: str) -> None:
    assert analyzer.analyze(text).urgency == urgency


@pytest.mark.parametrize(("text", "where"), [
    ("12号楼2梯1503漏水", {"building": "12", "unit": "2", "room": "1503"}),
    ("我们这栋一梯两户，3梯1201漏水", {"unit": "3", "room": "1201"}),
    ("3楼梯口堆满杂物", {"place": "楼梯"}),
])
def test_a_stair_core_is_a_unit_and_a_layout_is_not(analyzer: Analyzer, text: str,
                                                    where: dict[str, str]) -> None:
    found = {k: v for k, v in analyzer.analyze(text).location.as_dict().items() if v}
    assert found == where


@pytest.mark.parametrize(("text", "category"), [
    ("5栋声控灯坏了一个月", "property"),
    ("我们楼道里那个灯坏了好几天了，晚上黑乎乎的", "property"),
    ("楼道应急灯坏了好久", "fire_safety"),
])
def test_a_stairwell_light_is_the_property_company_s(analyzer: Analyzer, text: str,
                                                     category: str) -> None:
    assert analyzer.analyze(text).category == category


@pytest.mark.parametrize(("text", "urgency"), [
    ("我的车被困在车位里出不来了，前后都被堵死", "normal"),
    ("车被困在水里了，人还在车上出不来", "urgent"),
    ("我被困在车里了，门打不开", "urgent"),
])
def test_a_car_that_cannot_get_out_is_not_a_person(analyzer: Analyzer, text: str,
                                                   urgency: str) -> None:
    assert analyzer.analyze(text).urgency == urgency


def test_renovation_heard_is_noise_whatever_the_letter_tells_of_the_family(
        analyzer: Analyzer) -> None:
    letter = ("我是3栋的住户，再反映一次：楼上从春天就开始装修，说是两个月，现在都快半年了，"
              "中午和周末也在用电锤，我妈有高血压，孩子在上网课，这样下去出了事谁负责？")
    assert analyzer.analyze(letter).category == "noise"
    assert analyzer.analyze("楼上装修拆承重墙，电钻声很响").category == "illegal_construction"


def test_a_near_tied_hazard_category_wins_unless_a_cue_stated_the_other() -> None:
    from nlp.rules import hazard_first

    tied = [("animals", 0.48), ("building_safety", 0.46), ("noise", 0.06)]
    assert [c for c, _ in hazard_first(tied)] == ["building_safety", "animals", "noise"]
    assert hazard_first(tied, frozenset({"animals"})) == tied  # a cue said animals
    apart = [("animals", 0.6), ("building_safety", 0.3)]
    assert hazard_first(apart) == apart


@pytest.mark.parametrize(("text", "urgent"), [
    ("桂香园2号楼宽带线被人剪断了挂在外面", False),
    ("有个小孩爬到窗台外面了", True),
    ("他被人推倒了躺在地上一动不动", True),
])
def test_the_agent_of_a_passive_is_not_the_person_in_danger(analyzer: Analyzer, text: str,
                                                            urgent: bool) -> None:
    assert (analyzer.analyze(text).urgency == "urgent") is urgent


@pytest.mark.parametrize(("text", "urgency"), [
    ("夜市那边两伙人打起来了，有人抄起酒瓶子，地上都是血", "urgent"),
    ("球场边上有人打架，一个人被打倒在地上", "urgent"),
    ("停車場有班人打交，有人拎住把刀", "urgent"),
    ("楼下有人打架", "high"),
    ("上个月小区门口有人打架还动了刀", "high"),
])
def test_a_fight_with_a_weapon_blood_or_someone_down_is_urgent(analyzer: Analyzer, text: str,
                                                               urgency: str) -> None:
    assert analyzer.analyze(text).urgency == urgency


@pytest.mark.parametrize(("text", "rating"), [
    ("⭐⭐⭐⭐⭐", 1), ("★★", 4), ("0分，根本没人来", 4), ("给你们打100分", 1), ("3", 3),
])
def test_drawn_stars_and_off_scale_scores_rate(analyzer: Analyzer, text: str,
                                               rating: int) -> None:
    a = analyzer.analyze(text)
    assert (a.act, a.rating) == ("rating", rating)

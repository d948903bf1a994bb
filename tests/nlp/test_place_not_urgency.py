"""Where it happens is not how urgent it is (trial 15: the same ordinary report became urgent
once it named a building, «桂香苑3号楼楼道扶手松了…», «…自来水发黄…在石榴里9栋», a stray dog
«6号楼楼下»: 40 false urgent tickets of 420 in one burst, each paging a leader and giving the
emergency numbers). The learned urgency head must still say urgent once the compound, building,
unit, room and floor are left out; danger told by the rules is untouched, with or without a
place. Our own sentences; the held-out sets are not read here."""

from __future__ import annotations

import pytest

from nlp import Analyzer

PLACES = ("", "3号楼", "9栋", "B2座", "桂香苑6号楼", "石榴里12栋2单元", "1-2-301")


@pytest.fixture(scope="module")
def placed(analyzer: Analyzer) -> Analyzer:
    a = Analyzer.load()
    a.set_gazetteer([("桂香苑", []), ("石榴里", [])])
    return a


@pytest.mark.parametrize("report", ["楼道扶手松了，老人扶着晃", "自来水发黄，烧开了还有一股怪味",
                                    "楼下有只流浪狗见人就追，吓到小孩了",
                                    "单元门的闭门器坏了 门一直关不上"])
@pytest.mark.parametrize("where", PLACES)
def test_naming_the_place_does_not_make_a_report_urgent(placed: Analyzer, report: str,
                                                         where: str) -> None:
    assert placed.analyze(f"{where}{report}").urgency != "urgent"
    assert placed.analyze(f"{report}，在{where}").urgency != "urgent" or not where


@pytest.mark.parametrize("report", ["电梯卡在两层中间 里面有人在喊", "楼道里全是烟 看不清人",
                                    "厨房煤气味特别大 我头好晕",
                                    "有个小孩爬到窗户外面的空调架上了",
                                    "水已经漫进屋里了 家具都泡着"])
@pytest.mark.parametrize("where", PLACES)
def test_danger_now_stays_urgent_wherever_it_is(placed: Analyzer, report: str,
                                               where: str) -> None:
    assert placed.analyze(f"{where}{report}").urgency == "urgent"

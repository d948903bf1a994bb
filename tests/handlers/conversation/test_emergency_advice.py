"""An urgent reply carries the advice for that hazard and the right numbers: 120 for a person
taken ill or fallen (never «远离危险»), 110 and 120 and 不要贸然下水 for someone in the water;
the numbers are the deployment's own (`[emergency]`)."""

from __future__ import annotations

import pytest

from handlers.ops import messages as msg
from handlers.ops.services import Services
from storage.clock import FrozenClock
from storage.config import Settings
from storage.models import Ticket
from tests.support.bot import START, Bot, analyzer, code_of


def _line(text: str, category: str = "other", **numbers: str) -> str:
    services = Services(settings=Settings(emergency=numbers), analyzer=analyzer(),
                        clock=FrozenClock(START))
    return msg.emergency_line(Ticket(text=text, category=category, urgency="urgent"), services)


@pytest.mark.parametrize("text", ["我家老人在家晕倒了叫不醒", "白塔花苑1号楼有个老人摔倒了起不来",
                                  "楼下有人昏迷了", "有个大爷突然抽搐倒在地上"])
def test_a_person_taken_ill_gets_the_ambulance_and_no_fire_advice(text: str) -> None:
    line = _line(text)
    assert "120" in line and "不要随意搬动" in line
    assert "远离危险" not in line and "119" not in line


def test_someone_in_the_water_gets_110_120_and_is_not_told_to_jump_in() -> None:
    line = _line("鸣鹿路桥下有人落水了 快来人", category="water")
    assert "110" in line and "120" in line and "不要贸然下水" in line


def test_the_numbers_are_the_deployments() -> None:
    assert Settings().emergency.ambulance == "120"
    assert "999" in _line("我家老人在家晕倒了叫不醒", ambulance="999")
    assert "999" in _line("有人落水了", ambulance="999", police="112")
    assert "112" in _line("有人落水了", ambulance="999", police="112")


def test_the_other_hazards_keep_their_own_advice() -> None:
    assert "不要扒门" in _line("有人被困在电梯里了", category="building_safety")
    assert "开窗" in _line("楼道里煤气味很重", category="gas_electric")
    assert "120" in _line("有人被困在电梯里了，还受伤了", category="building_safety")
    assert "119" in _line("楼道里着火了", category="fire_safety")


@pytest.mark.parametrize("text", ["我家厨房好像有点漏期的味道是不是燃起管子坏了",
                                  "楼道里一股臭鸡蛋味 越来越重", "屋里有股怪味 头晕"])
def test_a_gas_smell_in_other_words_gets_the_gas_advice(text: str) -> None:
    line = _line(text, category="gas_electric")
    assert "开窗" in line and "不要开关电器" in line and "电箱" not in line


def test_sparks_from_a_box_keep_the_electric_advice() -> None:
    line = _line("配电箱一直冒火花 噼里啪啦响", category="gas_electric")
    assert "电箱" in line and "开窗" not in line


def test_a_burning_smell_gets_the_fire_advice() -> None:
    assert "119" in _line("楼道里有股烧焦的味道 越来越浓", category="gas_electric")


def test_smoke_in_the_corridor_is_not_told_to_run_into_it() -> None:
    line = _line("门缝底下一直往屋里冒烟 好像是走廊那边", category="fire_safety")
    assert "堵住门缝" in line and "不要开门冲进烟里" in line and "119" in line


def test_a_dog_bite_gets_wound_care_not_fainting_advice() -> None:
    line = _line("刚才那条狗把一个小孩咬了 流血了", category="animals")
    assert "冲洗伤口" in line and "狂犬" in line and "侧卧" not in line


def test_water_pouring_into_a_home_gets_the_valve_and_power() -> None:
    line = _line("楼上的水哗哗往下漏 我家客厅都淹了", category="neighbor")
    assert "总阀" in line and "电闸" in line and "119" in line


def test_a_neighbour_unseen_behind_a_door_gets_the_police_not_first_aid() -> None:
    line = _line("隔壁独居老人好几天没见了 敲门也没反应")
    assert "110" in line and "不要独自破门" in line and "侧卧" not in line


def test_water_rising_from_outside_is_not_told_to_close_a_valve() -> None:
    line = _line("暴雨 地下车库进水了 水还在涨", category="water")
    assert "高处" in line and "电闸" in line and "总阀" not in line


@pytest.mark.parametrize(("text", "urgency"), [
    ("幸福花园3号楼 楼上渗水下来了 顺着吊灯往下滴", "urgent"),
    ("幸福花园3号楼 厨房水管爆了 水哗哗往外喷", "urgent"),
    ("幸福花园3号楼 卫生间的水管裂了 一直在滋水 关不住", "high")])
async def test_water_let_loose_in_a_home_gets_the_valve_and_the_power(
        bot: Bot, text: str, urgency: str) -> None:
    """Trial 14: 4 of 4 such reports got the generic 110/119/120 or no advice at all."""
    reply = await bot.send("oA", text) or ""
    assert (await bot.ticket(code_of(reply))).urgency == urgency
    assert "进水总阀" in reply and "电闸" in reply


async def test_a_bite_that_bleeds_gets_wound_care_though_it_is_high(bot: Bot) -> None:
    reply = await bot.send("oA", "幸福花园3号楼门口 刚被小区里的流浪狗咬了一口 腿上在流血") or ""
    assert (await bot.ticket(code_of(reply))).urgency == "high"
    assert "冲洗伤口" in reply and "狂犬病" in reply


async def test_a_high_report_of_another_kind_gets_no_advice_line(bot: Bot) -> None:
    reply = await bot.send("oA", "幸福花园3号楼楼道里有人拉飞线给电动车充电") or ""
    assert "情况危急" not in reply and "冲洗" not in reply and "总阀" not in reply

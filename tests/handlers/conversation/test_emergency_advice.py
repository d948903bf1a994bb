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
from tests.support.bot import START, analyzer


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

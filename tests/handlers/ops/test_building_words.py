"""The building in a notice is said as the resident said it («A栋», «5幢», «3号楼»), for each
building of each message, whatever was asked before."""

from __future__ import annotations

from handlers.ops.messages import building_words, where
from storage.models import Ticket


def ticket(text: str, building: str, place: str | None = None) -> Ticket:
    return Ticket(text=text, building=building, community_text="枫林苑", place=place)


def test_the_residents_word_for_the_building_is_kept() -> None:
    assert building_words(ticket("枫林苑a栋门口垃圾没人收", "A")) == "A栋"
    assert building_words(ticket("枫林苑5 幢楼道灯坏了", "5")) == "5幢"
    assert building_words(ticket("枫林苑15幢楼道灯坏了", "5")) == "5号楼"  # 15 is not 5
    assert building_words(ticket("枫林苑5楼道灯坏了", "5")) == "5号楼"
    assert building_words(ticket("枫林苑B门口", "B")) == "B座"
    # the same building in another message, and another building in the same words
    assert building_words(ticket("枫林苑A座电梯坏了", "A")) == "A座"
    assert building_words(ticket("枫林苑3号栋和A栋之间", "3")) == "3号栋"
    assert where(ticket("枫林苑3幢门口", "3", place="枫林苑3幢")) == "枫林苑3幢"


def test_a_place_starting_with_the_word_just_said_is_not_doubled() -> None:
    # the trial's «石桥新村F3栋1单元单元门口» and «桂香花园E座座门口»
    assert where(Ticket(text="石桥新村F3栋1单元单元门口有人摆摊", community_text="石桥新村",
                        building="F3", unit="1", place="单元门口")) == "石桥新村F3栋1单元门口"
    assert where(Ticket(text="桂香花园E座门口那个路灯一闪一闪的", community_text="桂香花园",
                        building="E", place="座门口")) == "桂香花园E座门口"
    # 楼 is not such a word: the corridor of building 3 keeps both
    assert where(Ticket(text="枫林苑3号楼楼道灯坏了", community_text="枫林苑", building="3",
                        place="楼道")) == "枫林苑3号楼楼道"
    assert where(Ticket(text="枫林苑2单元门口", community_text="枫林苑", unit="2",
                        place="单元")) == "枫林苑2单元"


def test_a_lettered_building_is_said_with_the_residents_word() -> None:
    # place_phrase is what `tickets show` and the console's export print too: not «F3号楼»
    from handlers.ops.messages import place_phrase
    assert place_phrase("石桥新村", "F3", None, None, "楼顶", "石桥新村F3栋楼顶漏水") == \
        "石桥新村F3栋楼顶"

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

from __future__ import annotations

import pytest

from handlers.conversation.text import command, normalize, parse_rating, split_code
from handlers.ops.privacy import mask_phones


@pytest.mark.parametrize("text,args", [
    ("接单 GD20261122-0007", "GD20261122-0007"),
    ("接单GD20261122-0007", "GD20261122-0007"),
    ("接单：GD20261122-0007", "GD20261122-0007"),
    ("接单\u3000GD20261122-0007", "GD20261122-0007"),
    ("ＧＤ", None),
    ("接单率怎么算", None),
    ("查询", ""),
    ("绑定483920", "483920"),
])
def test_command_words_tolerate_width_colon_and_missing_space(text: str, args: str | None) -> None:
    assert command(text, "接单", "查询", "绑定") == args


def test_codes_match_case_insensitively_and_split_notes() -> None:
    assert split_code("gd20261122-0007 已联系物业") == ("GD20261122-0007", "已联系物业")
    assert split_code("明天处理") == (None, "明天处理")


@pytest.mark.parametrize("text,value", [("1", 1), ("４", 4), ("非常满意", 1), ("满意", 2),
                                        ("基本满意。", 3), ("不满意", 4), ("5", None),
                                        ("好", None)])
def test_ratings_as_digits_or_words(text: str, value: int | None) -> None:
    assert parse_rating(text) == value


def test_phones_are_masked() -> None:
    assert mask_phones("电话13800000001找我") == "电话138****0001找我"
    assert mask_phones("订单号2138000000012") == "订单号2138000000012"


def test_normalize_folds_full_width_letters_and_digits_not_punctuation() -> None:
    assert normalize("　查询：ＧＤ20261122-0007 ") == "查询：GD20261122-0007"
    assert command("　查询：ＧＤ20261122-0007 ", "查询") == "GD20261122-0007"
    assert split_code("GD20261122-0007：已修好") == ("GD20261122-0007", "已修好")

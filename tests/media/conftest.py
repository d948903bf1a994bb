from __future__ import annotations

import pytest

from tests.handlers.conftest import Bot, bot  # noqa: F401 - the shared fixture
from tests.media.wechat import WeChat


@pytest.fixture
def wx(bot: Bot) -> WeChat:  # noqa: F811
    return WeChat(bot)

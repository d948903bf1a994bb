"""A retrained model file is taken up by a running dispatcher within `model_check_seconds`,
looked for once in that time however many messages arrive (a file stat per process, not per
message)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from handlers.conversation.dispatcher import Dispatcher
from tests.support.bot import RESIDENT, Bot, code_of


class Retrained:
    """The real analyser, counting the looks for a new file; `ready` makes the next look
    find one, after which every report is filed as `animals`."""

    def __init__(self, real: Any) -> None:
        self.real, self.looks, self.ready, self.swapped = real, 0, False, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def reload_if_changed(self) -> bool:
        self.looks += 1
        self.swapped = self.swapped or self.ready
        return self.ready

    def analyze(self, text: str) -> Any:
        found = self.real.analyze(text)
        return replace(found, category="animals") if self.swapped else found


async def test_a_retrained_model_is_looked_for_once_per_interval(bot: Bot) -> None:
    clock = [100.0]
    model = Retrained(bot.dispatcher.services.analyzer)
    bot.dispatcher = Dispatcher(replace(bot.dispatcher.services, analyzer=model),
                                model_check_seconds=5.0, monotonic=lambda: clock[0])
    for i in range(3):
        await bot.send(f"{RESIDENT}-{i}", "幸福花园3号楼楼道的灯坏了")
    assert model.looks == 1
    model.ready = True  # `gridbot nlp train` wrote a new file
    clock[0] += 4.9
    await bot.send(f"{RESIDENT}-3", "幸福花园5号楼楼道的灯坏了")
    assert model.looks == 1 and not model.swapped
    clock[0] += 0.1
    reply = await bot.send(f"{RESIDENT}-4", "幸福花园6号楼楼道的灯坏了")
    assert model.looks == 2
    assert (await bot.ticket(code_of(reply))).category == "animals"  # the new model's answer

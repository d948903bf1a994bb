"""A fresh process makes a few reports before it serves (bot.warmup) and throws them away: they
must leave nothing behind that anyone could see, and a warm-up that fails must not stop the
start."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from bot import warmup
from storage.models import Identity, InboundMessage, Outbox, Person, Ticket, TicketSequence
from tests.support.e2e import code_of, start_world, stop_world

COUNTED = (Ticket, InboundMessage, Outbox, TicketSequence)


def classified() -> float:
    return REGISTRY.get_sample_value("gridbot_classifier_seconds_count") or 0.0


async def test_the_warm_up_runs_at_start_and_leaves_nothing_behind(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.warmup")
    before = classified()
    world, runner = await start_world(tmp_path)
    try:
        assert any(r.getMessage().startswith("warmed up in") for r in caplog.records)
        assert classified() == before  # the classifier's metric counts residents' messages

        async def counts(session):  # noqa: ANN001, ANN202
            rows = {m.__name__: await session.scalar(select(func.count()).select_from(m))
                    for m in COUNTED}
            rows["warm-up identities"] = await session.scalar(
                select(func.count()).select_from(Identity)
                .where(Identity.external_id.like(f"{warmup.SENDER}%")))
            rows["people"] = await session.scalar(select(func.count()).select_from(Person))
            return rows

        after_start = await world.db.read(counts)
        assert {k: v for k, v in after_start.items() if k != "people"} == {
            "Ticket": 0, "InboundMessage": 0, "Outbox": 0, "TicketSequence": 0,
            "warm-up identities": 0}
        # the first resident's ticket is the day's first: the counter was not moved
        reply = await world.mp.say("oFirst", "幸福花园3号楼门口垃圾三天没人清运")
        assert code_of(reply.content).endswith("-0001")
        assert classified() == before + 1
        after = await world.db.read(counts)
        assert after["Ticket"] == 1 and after["people"] == after_start["people"] + 1
    finally:
        await stop_world(world, runner)


async def test_a_failing_warm_up_is_logged_and_the_process_serves_cold(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_args: object) -> str:
        raise RuntimeError("no place today")

    monkeypatch.setattr(warmup.repo, "example_place", broken)
    world, runner = await start_world(tmp_path)
    try:
        assert any("warm-up failed" in r.getMessage() for r in caplog.records)
        reply = await world.mp.say("oFirst", "幸福花园3号楼门口垃圾三天没人清运")
        assert code_of(reply.content).endswith("-0001")
    finally:
        await stop_world(world, runner)

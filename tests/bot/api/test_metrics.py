"""GET /metrics: Prometheus text with ticket and outbox counts, and the sender's counters."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.support.api import MakeClient


def samples(text: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line and not line.startswith("#")}


async def test_counts_without_a_token(make_client: MakeClient) -> None:
    async with make_client() as client:
        resp = await client.get("/metrics")  # public: no Authorization header
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await resp.text()
    got = samples(text)
    assert got['gridbot_tickets{status="new"}'] == 2
    assert got['gridbot_tickets{status="assigned"}'] == 2
    assert got['gridbot_tickets{status="resolved"}'] == 1
    assert got['gridbot_tickets{status="duplicate"}'] == 1
    assert got['gridbot_tickets{status="closed"}'] == 0  # listed even when zero
    assert got['gridbot_outbox{state="pending"}'] == 2
    assert got['gridbot_outbox{state="sent"}'] == 1
    assert got['gridbot_outbox{state="failed"}'] == 1
    assert got['gridbot_outbox{state="held"}'] == 0
    assert "# TYPE gridbot_tickets gauge" in text
    assert "gridbot_sender" not in text  # no sender in this app


class FakeSender:
    def __init__(self) -> None:
        self.counters: dict[str, Any] = {"sent": 7, "failed": 1, "note": "not a number",
                                         "by_channel": {"mp": 5, "work": 2}}


async def test_sender_counters_are_included(make_client: MakeClient) -> None:
    async with make_client(sender=FakeSender()) as client:
        text = await (await client.get("/metrics")).text()
    got = samples(text)
    assert got['gridbot_sender_total{counter="sent"}'] == 7
    assert got['gridbot_sender_total{counter="failed"}'] == 1
    assert got['gridbot_sender_total{counter="by_channel.mp"}'] == 5
    assert "not a number" not in text
    assert "# TYPE gridbot_sender_total counter" in text


async def test_a_sender_without_counters_is_fine(make_client: MakeClient) -> None:
    async with make_client(sender=object()) as client:
        resp = await client.get("/metrics")
        assert resp.status == 200
        assert "gridbot_sender" not in await resp.text()


class CountingSender:
    """Like bot.channels.sender.OutboxSender: a Counter, and metrics() naming the fixed keys."""

    def __init__(self) -> None:
        self.counters: Counter[str] = Counter({"sent": 3})

    def metrics(self) -> dict[str, int]:
        return {k: self.counters[k] for k in ("sent", "failed", "retried")}


async def test_fixed_sender_counters_show_from_zero(make_client: MakeClient) -> None:
    async with make_client(sender=CountingSender()) as client:
        got = samples(await (await client.get("/metrics")).text())
    assert got['gridbot_sender_total{counter="sent"}'] == 3
    assert got['gridbot_sender_total{counter="failed"}'] == 0
    assert got['gridbot_sender_total{counter="retried"}'] == 0

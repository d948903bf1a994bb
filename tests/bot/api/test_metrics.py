"""GET /metrics: Prometheus text with ticket and outbox counts, and the sender's counters."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.db import Database
from tests.support.api import T0, MakeClient


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


async def test_the_backlog_by_priority_and_its_oldest_notices_age(
        seeded: Database, make_client: MakeClient) -> None:
    now = T0 + timedelta(days=1)  # the app's clock

    async def more(s: AsyncSession) -> None:
        for minutes, state, urgent in ((9, "pending", True), (2, "sending", True),
                                       (30, "held", True), (60, "sent", True)):
            row = outbox.enqueue(s, channel="work", recipient="keyiming", text="【紧急工单】",
                                 at=now - timedelta(minutes=minutes), urgent=urgent)
            row.state = state

    await seeded.run(more)
    async with make_client() as client:
        got = samples(await (await client.get("/metrics")).text())
    assert got['gridbot_outbox_waiting{priority="urgent"}'] == 2  # held and sent do not wait
    assert got['gridbot_outbox_oldest_waiting_seconds{priority="urgent"}'] == 540
    assert got['gridbot_outbox_waiting{priority="ordinary"}'] == 2  # the seed's, a day old
    assert got['gridbot_outbox_oldest_waiting_seconds{priority="ordinary"}'] == 86400
    # trial 15: an urgent page held for an officer reached only on the Official Account was
    # on no gauge; the held ones are counted and aged apart
    assert got['gridbot_outbox_held{priority="urgent"}'] == 1
    assert got['gridbot_outbox_oldest_held_seconds{priority="urgent"}'] == 1800
    assert got['gridbot_outbox_held{priority="ordinary"}'] == 0
    assert got['gridbot_outbox_oldest_held_seconds{priority="ordinary"}'] == 0


def test_sender_counts_are_a_prometheus_counter_from_zero() -> None:
    from prometheus_client import REGISTRY

    from bot.channels.sender import OutboxSender
    from bot.metrics import exposition

    def value(kind: str) -> float:
        return REGISTRY.get_sample_value("gridbot_sender_total", {"counter": kind}) or 0.0

    text = exposition().decode()
    assert "# TYPE gridbot_sender_total counter" in text
    for kind in ("sent", "failed", "held", "retried", "deferred", "reclaimed", "folded",
                 "relayed"):
        assert f'gridbot_sender_total{{counter="{kind}"}}' in text  # listed even when zero
    before = value("sent"), value("held")
    sender = OutboxSender.__new__(OutboxSender)  # only its counting, no loop
    sender.counters = Counter()
    sender._count("sent")
    sender._count("held", 2)
    assert (value("sent") - before[0], value("held") - before[1]) == (1, 2)
    assert sender.metrics()["held"] == 2


WORKER = """
import sys
from bot.channels.sender import OutboxSender
from collections import Counter
from datetime import timedelta
s = OutboxSender.__new__(OutboxSender)
s.counters = Counter()
s._count("sent", int(sys.argv[1]))
"""
SCRAPE = "from bot.metrics import exposition; print(exposition().decode())"


def test_sender_counts_add_up_across_workers(tmp_path: Path) -> None:
    """Under --workers any worker's /metrics shows every worker's sends (multiprocess mode)."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for n in (3, 4):  # two worker processes
        subprocess.run([sys.executable, "-c", WORKER, str(n)], env=env, check=True)
    out = subprocess.run([sys.executable, "-c", SCRAPE], env=env, check=True,
                         capture_output=True, text=True).stdout
    assert 'gridbot_sender_total{counter="sent"} 7.0' in out

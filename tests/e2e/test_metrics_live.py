"""/metrics from prometheus_client: a report moves the gateway, SQL, writer, classifier and
outbox series (the values are per process; under --workers they add up across workers)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import World


async def scrape(world: World) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with world.http.get(f"{world.base}/metrics") as resp:
        assert resp.status == 200
        text = await resp.text()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text) for s in fam.samples}


def value(samples: dict, name: str, **labels: str) -> float:  # noqa: ANN001
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_report_shows_in_the_metrics(world: World) -> None:
    before = await scrape(world)
    reply = await world.mp.say("o-metrics", "幸福花园3号楼楼道有人拉飞线给电动车充电")
    assert "工单号" in (reply.content or "")
    await world.pushed("zhangwei", "幸福花园")  # the officer's notice went out
    after = await scrape(world)

    def grew(name: str, **labels: str) -> bool:
        return value(after, name, **labels) > value(before, name, **labels)

    assert grew("gridbot_gateway_seconds_count", channel="mp", reply="passive")
    assert grew("gridbot_sql_statements_per_update_count")
    assert grew("gridbot_writer_burst_units_count")
    assert grew("gridbot_classifier_seconds_count")
    assert grew("gridbot_outbox_send_seconds_count", channel="work")
    assert grew("gridbot_outbox_errcodes_total", channel="work", errcode="0")

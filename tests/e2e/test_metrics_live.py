"""/metrics from prometheus_client: a report moves the gateway, SQL, writer, classifier and
outbox series (the values are per process; under --workers they add up across workers)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import timed_classifier
from tests.support.e2e import World


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
    # statements per unit, by what the unit was: the report's own unit apart from the polls
    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("gridbot_sql_statements_per_update_count", kind="message") == 1
    assert delta("gridbot_sql_statements_per_update_sum", kind="message") >= 5
    assert delta("gridbot_sql_statements_per_update_count", kind="claim") == 1
    assert grew("gridbot_sql_statements_per_update_count", kind="outbox")
    assert value(after, "gridbot_sql_statements_per_update_count", kind="other") == \
        value(before, "gridbot_sql_statements_per_update_count", kind="other")
    assert grew("gridbot_writer_burst_units_count")
    assert grew("gridbot_classifier_seconds_count")
    assert grew("gridbot_outbox_send_seconds_count", channel="work")
    assert grew("gridbot_outbox_errcodes_total", channel="work", errcode="0")


class Counting:
    def __init__(self) -> None:
        self._model, self._gazetteer, self.calls = object(), object(), 0

    def analyze(self, text: str) -> tuple[str, int]:
        self.calls += 1
        return (text, self.calls)


def test_the_classifier_is_run_once_per_text_and_again_after_a_reload() -> None:
    fake = Counting()
    analyze = timed_classifier(fake)
    assert analyze("路灯坏了") == analyze("路灯坏了") == ("路灯坏了", 1)
    fake._model = object()  # a retrained model
    assert analyze("路灯坏了") == ("路灯坏了", 2)
    fake._gazetteer = object()  # a new district
    assert analyze("路灯坏了") == ("路灯坏了", 3)
    assert analyze("井盖丢了") == ("井盖丢了", 4)

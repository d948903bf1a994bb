"""The process's Prometheus metrics (prometheus_client), and their exposition.

Under `gridbot serve --workers N` every worker is a process of its own: the parent sets
PROMETHEUS_MULTIPROC_DIR before starting them, prometheus_client then keeps each worker's
values in files there, and `/metrics` on any worker aggregates all of them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
GATEWAY = Histogram("gridbot_gateway_seconds", "From a verified callback to our answer.",
                    ["channel", "reply"], buckets=MS)  # passive|late|duplicate|held|failed
STATEMENTS = Histogram("gridbot_sql_statements_per_update",
                       "SQL statements one unit of work ran (BEGIN/COMMIT not counted), by "
                       "what the unit was (storage.db.UNIT_KIND).", ["kind"],
                       buckets=(1, 2, 4, 6, 8, 10, 12, 16, 24, 32, 64))
BURST = Histogram("gridbot_writer_burst_units", "Units committed together by the SQLite writer.",
                  buckets=(1, 2, 4, 8, 16, 32, 64))
SEND = Histogram("gridbot_outbox_send_seconds", "One outbound API call for a notice.",
                 ["channel"], buckets=MS)
ERRCODES = Counter("gridbot_outbox_errcodes", "API answers to notices, by errcode.",
                   ["channel", "errcode"])
SENDER = Counter("gridbot_sender", "Outbox notices by what the sender did with them "
                 "(sent, failed, held, retried, reclaimed; deferred: held back by WeCom's "
                 "per-member pace, each notice once however often it is looked at again; "
                 "folded: sent as a line of a digest).", ["counter"])
SENDER_COUNTERS = ("sent", "failed", "held", "retried", "deferred", "reclaimed", "folded",
                   "relayed")
for _kind in SENDER_COUNTERS:  # every series from zero, so a dashboard's lines never vanish
    SENDER.labels(_kind)
FLOOD_STORE_UP = Gauge("gridbot_flood_store_up",
                       "1 while the flood guard's shared store (Redis) answers, 0 while it is "
                       "away and the guard is off (only with flood_store = \"redis\"; the "
                       "lowest of the live workers).", multiprocess_mode="livemin")
FLOOD_STORE_UP.set(1)  # the in-memory guard is never away
INBOUND_FAILURES = Counter("gridbot_inbound_failures",
                           "Inbound messages whose unit of work failed and rolled back: retried "
                           "(tried again after a back-off) or given_up (after the last attempt "
                           "the resident is asked to send it again; alert on this).",
                           ["outcome"])
for _outcome in ("retried", "given_up"):
    INBOUND_FAILURES.labels(_outcome)
JOB_RUNS = Counter("gridbot_job_runs", "Scheduled job runs by outcome.", ["job", "outcome"])
JOB_SECONDS = Histogram("gridbot_job_seconds", "Scheduled job duration.", ["job"],
                        buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60))
CLASSIFY = Histogram("gridbot_classifier_seconds", "One message through nlp's analyzer.",
                     buckets=MS)


class Children:
    """A labelled metric's children, each looked up once per process: `labels()` checks and
    hashes the values and takes the metric's lock on every call, and the gateway and the
    writer ask for the same few series on every message."""

    def __init__(self, metric: Any) -> None:
        self.metric = metric
        self._found: dict[tuple[str, ...], Any] = {}

    def __call__(self, *values: str) -> Any:
        child = self._found.get(values)
        if child is None:
            child = self._found[values] = self.metric.labels(*values)
        return child


GATEWAY_BY = Children(GATEWAY)  # (channel, reply kind)
STATEMENTS_BY = Children(STATEMENTS)  # (unit kind)


class DatabaseObserver:
    """What storage.db reports (it cannot import bot): bursts and statements per unit."""

    def burst(self, units: int) -> None:
        BURST.observe(units)

    def unit(self, statements: int, kind: str) -> None:
        STATEMENTS_BY(kind).observe(statements)


def timed_classifier(analyzer: Any) -> Callable[[str], Any]:
    """`analyzer.analyze`, timed, remembering its last answer: a report is analysed by the
    resident router and again by the report it files, with the same text. The answer is
    reused only while the model and the gazetteer are the very same objects (a retrained
    model or a new district replaces them), and Analysis is frozen."""
    analyze = analyzer.analyze
    last: list[Any] = [None, None, None, None]  # text, model, gazetteer, analysis

    def analyze_timed(text: str) -> Any:
        model, places = getattr(analyzer, "_model", None), getattr(analyzer, "_gazetteer", None)
        if last[0] == text and last[1] is model and last[2] is places:
            return last[3]
        start = time.perf_counter()
        try:
            result = analyze(text)
        finally:
            CLASSIFY.observe(time.perf_counter() - start)
        last[:] = [text, model, places, result]
        return result

    return analyze_timed


def exposition() -> bytes:
    """This process's metrics, or every worker's under multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)

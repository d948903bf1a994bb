"""The admin API's inputs: properties (hypothesis) of the parsers every request goes through,
and the probes that used to end in a 500. Every refusal is a 4xx with a JSON error."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.api.intake import MAX_TEXT, _parse, setup_intake_api
from bot.api.stats import setup_stats_api
from bot.api.tickets import MAX_LIMIT, ApiError, _int
from storage.db import Database
from storage.stats import StatsError, parse_range
from tests.support.api import AUTH, build_app

NOW = datetime(2026, 11, 23, 2, 0)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=3),
    max_leaves=8)
handoffs = st.fixed_dictionaries({"text": json_values}, optional={
    "category": json_values | st.sampled_from(["noise", "sanitation"]),
    "urgency": json_values | st.sampled_from(["urgent", "high", "normal"]),
    "location": json_values | st.fixed_dictionaries({}, optional={
        k: json_values for k in ("community", "building", "unit", "room", "place", "lng",
                                 "lat")}),
    "contact": json_values, "external_id": json_values})
WIDTHS = {"community": 128, "building": 16, "unit": 16, "room": 16, "place": 128}


@settings(max_examples=400, deadline=None)
@given(st.one_of(handoffs, json_values))
def test_a_handoff_is_parsed_into_what_fits_or_refused_with_400(body: Any) -> None:
    try:
        parsed = _parse(body)
    except ApiError as exc:
        assert exc.status == 400 and str(exc)
        return
    assert isinstance(parsed["text"], str) and 0 < len(parsed["text"]) <= MAX_TEXT
    loc = parsed["location"]
    for key, width in WIDTHS.items():
        assert loc.get(key) is None or (isinstance(loc[key], str) and len(loc[key]) <= width)
    for key, bound in (("lng", 180), ("lat", 90)):
        assert key not in loc or (math.isfinite(loc[key]) and abs(loc[key]) <= bound)
    assert ("lng" in loc) == ("lat" in loc)
    for key, width in (("contact", 128), ("external_id", 200)):
        assert parsed.get(key) is None or len(parsed[key]) <= width


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=5000) | st.integers().map(str))
def test_paging_numbers_are_bounded_or_refused(raw: str) -> None:
    try:
        value = _int({"limit": raw}, "limit", 50, 1, MAX_LIMIT)
    except ApiError as exc:
        assert exc.status == 400 and len(str(exc)) < 200
        return
    assert 1 <= value <= MAX_LIMIT


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=20), st.dates().map(str)),
       st.one_of(st.none(), st.text(max_size=20), st.dates().map(str)))
def test_any_date_range_has_bounds_or_is_refused(since: str | None, until: str | None) -> None:
    try:
        rng = parse_range(since, until, now=NOW)
    except StatsError:
        return
    start, end = rng.bounds()
    assert start < end


@pytest_asyncio.fixture
async def api(seeded: Database) -> Any:
    app = build_app(seeded)
    setup_stats_api(app)
    setup_intake_api(app)
    async with TestClient(TestServer(app, host="127.0.0.1")) as c:
        yield c


@pytest.mark.parametrize(("method", "path", "params", "body"), [
    ("GET", "/api/v1/tickets", {"offset": "9" * 30}, None),
    ("GET", "/api/v1/tickets", {"offset": "9" * 5000}, None),
    ("GET", "/api/v1/tickets", {"limit": "１０"}, None),
    ("GET", "/api/v1/stats", {"since": "0001-01-01"}, None),
    ("GET", "/api/v1/stats", {"until": "9999-12-31"}, None),
    ("POST", "/api/v1/tickets", {}, b"\xff\xfe not utf-8"),
    ("POST", "/api/v1/tickets", {}, b'{"text": "x", "category": ["noise"]}'),
    ("POST", "/api/v1/tickets", {}, b'{"text": "x", "urgency": {"a": 1}}'),
    ("POST", "/api/v1/tickets", {}, b'{"text": "x", "location": {"lng": 1e999, "lat": 1}}'),
    ("POST", "/api/v1/tickets", {}, b'{"text": "x", "location": {"lng": NaN, "lat": 1}}'),
    ("POST", "/api/v1/tickets", {}, b'{"text": "x", "external_id": "' + b"e" * 300 + b'"}'),
    ("POST", "/api/v1/tickets", {}, b'{"text": "x", "contact": "' + b"c" * 300 + b'"}'),
    ("POST", "/api/v1/tickets", {}, b'{"text": "x", "location": {"building": "'
     + b"9" * 40 + b'"}}'),
    ("POST", "/api/v1/tickets", {}, b'{"text": "x", "location": {"community": "'
     + "社".encode() * 200 + b'"}}'),
    ("POST", "/api/v1/tickets", {}, b"[" * 5000 + b"]" * 5000),
])
async def test_probes_that_were_500s_are_400s(api: TestClient[Any, Any], method: str,
                                              path: str, params: dict[str, str],
                                              body: bytes | None) -> None:
    resp = await api.request(method, path, params=params, data=body, headers=AUTH)
    assert resp.status == 400, await resp.text()
    assert "error" in await resp.json()

"""POST /api/v1/tickets: hand-offs from another system, routed like any report."""

from __future__ import annotations

from typing import Any

from tests.support.e2e import World


async def post(world: World, body: Any, token: str | None = "ok") -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {world.settings.admin.token}"} if token else {}
    async with world.http.post(f"{world.base}/api/v1/tickets", json=body,
                               headers=headers) as resp:
        return resp.status, await resp.json()


async def test_hotline_hand_off_is_classified_routed_and_told(world: World) -> None:
    status, item = await post(world, {
        "text": "市民来电：小区3号楼楼道有电动车在充电，电线从窗户拉下来",
        "location": {"community": "幸福花园", "building": "3"},
        "contact": "13800001111", "external_id": "12345-20261123-001"})
    assert status == 201
    assert (item["source"], item["category"], item["grid"], item["assignee"]) == (
        "api", "fire_safety", "FC-LJ-01", "zhangwei")
    assert "13800001111" not in str(item)
    assert (item["followers"], item["attachments"]) == (0, [])
    await world.pushed("zhangwei", item["code"])

    again_status, again = await post(world, {
        "text": "市民来电：小区3号楼楼道有电动车在充电，电线从窗户拉下来",
        "location": {"community": "幸福花园", "building": "3"},
        "contact": "13800001111", "external_id": "12345-20261123-001"})
    assert (again_status, again["code"]) == (200, item["code"])  # a retry: the same ticket
    _, listing = await world.api("/api/v1/tickets")
    assert listing["total"] == 1


async def test_a_reused_external_id_with_other_words_is_refused_not_dropped(
        world: World) -> None:
    status, item = await post(world, {"text": "市民来电：幸福花园3号楼门口路灯不亮",
                                      "external_id": "12345-20261123-002"})
    assert status == 201
    status, err = await post(world, {"text": "市民来电：幸福花园5号楼下水道堵了",
                                     "external_id": "12345-20261123-002"})
    assert status == 409 and err["ticket"] == item["code"]
    assert item["code"] in err["error"] and "different text" in err["error"]
    _, listing = await world.api("/api/v1/tickets")
    assert listing["total"] == 1
    _, first = await world.api(f"/api/v1/tickets/{item['code']}")
    assert "路灯" in first["text"]  # the first report is untouched


async def test_given_category_and_coordinates_win(world: World) -> None:
    status, item = await post(world, {"text": "路面有个坑", "category": "municipal",
                                      "urgency": "high",
                                      "location": {"lng": 113.0320, "lat": 23.6862}})
    assert status == 201
    assert (item["category"], item["urgency"], item["grid"]) == ("municipal", "high", "FC-LJ-01")
    assert item["location"]["lng"] == 113.032


async def test_no_place_goes_to_triage(world: World) -> None:
    status, item = await post(world, {"text": "有人反映路灯不亮，位置不详"})
    assert status == 201 and item["assignee"] is None and item["grid"] is None
    await world.pushed("centre", item["code"])


async def test_bad_requests_are_4xx(world: World) -> None:
    assert (await post(world, {"text": "x"}, token=None))[0] == 401
    for body, why in (({}, "text is required"), ({"text": "x", "category": "weather"},
                                                   "unknown category"),
                      ({"text": "x", "location": {"lng": 113}}, "both lng and lat"),
                      ({"text": "x", "colour": 1}, "unknown field"), ([1, 2], "JSON object")):
        status, err = await post(world, body)
        assert status == 400 and why in err["error"], (body, err)
    async with world.http.post(f"{world.base}/api/v1/tickets", data=b"{not json",
                               headers={"Authorization": f"Bearer {world.settings.admin.token}"}
                               ) as resp:
        assert resp.status == 400

"""Exports: exactly the rows the list shows (same query parameters), Chinese headers, Beijing
times, masked phones, each recorded in the audit log."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from bot.console.exports import HEADERS
from storage.db import Database
from storage.models import AuditEntry
from tests.support.console import LJ_CODES, RESIDENT_PHONE, MakeClient


def _listed(html: str) -> list[str]:
    return re.findall(r'<a href="/console/tickets/(GD\d{8}-\d{4})">', html)


async def test_csv_and_xlsx_hold_exactly_the_filtered_rows(
        make_client: MakeClient, seeded: Database) -> None:
    query = "status=open&community=FC-LJ&sort=created"
    async with make_client("centre") as c:
        listed = _listed(await (await c.get(f"/console/tickets?{query}")).text())
        assert listed == LJ_CODES
        resp = await c.get(f"/console/export/tickets.csv?{query}")
        assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
        raw = await resp.read()
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        resp = await c.get(f"/console/export/tickets.xlsx?{query}")
        assert resp.status == 200
        wb = load_workbook(io.BytesIO(await resp.read()), read_only=True)
        sheet = [list(r) for r in wb.active.iter_rows(values_only=True)]
    for table in (rows, sheet):
        assert tuple(table[0]) == HEADERS
        assert [r[0] for r in table[1:]] == listed
        first = dict(zip(HEADERS, table[1], strict=True))
        assert first["社区"] == "连江社区" and first["网格"] == "连江社区第一网格"
        assert first["状态"] == "已派单" and first["紧急程度"] == "紧急"
        # created 2026-11-22 21:00 UTC: 05:00 the next day in Beijing
        assert first["创建时间"] == "2026-11-23 05:00:00"
        text = " ".join(str(v) for r in table for v in r)
        assert RESIDENT_PHONE not in text and "139****5678" in text
    audits = await seeded.read(lambda s: s.scalars(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)))
    audits = list(audits)
    assert [a.target for a in audits] == ["tickets.csv", "tickets.xlsx"]
    assert all(a.detail.startswith("3 行") and "community=FC-LJ" in a.detail for a in audits)


async def test_export_of_a_community_user_is_their_community_only(
        make_client: MakeClient) -> None:
    async with make_client("xincheng") as c:
        raw = await (await c.get("/console/export/tickets.csv")).read()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["GD20261123-0005"]


async def test_stats_xlsx(make_client: MakeClient) -> None:
    async with make_client("centre") as c:
        resp = await c.get("/console/export/stats.xlsx?by=street")
        assert resp.status == 200
        wb = load_workbook(io.BytesIO(await resp.read()), read_only=True)
        rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
    assert rows[1][:3] == ["街道", "受理数", "响应率"]
    names = [r[0] for r in rows[2:]]
    assert "凤城街道" in names and "东城街道" in names and names[-1] == "合计"

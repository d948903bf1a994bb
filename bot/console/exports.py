"""Exports of exactly the rows the queue shows (the same query parameters), streamed.

CSV is written a chunk of rows at a time; XLSX goes through openpyxl's write-only workbook,
which spools rows to a temporary file, and the finished file is streamed out. Either way the
server holds one chunk of rows, never the whole result. Times are Beijing time; phone numbers
in free text are masked; each export is written to the audit log with its filters and rows.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import core as cw
from bot.console.pages import RATES, overview_data, pct
from bot.console.queries import SOURCES, Filters, stream_rows
from bot.console.scope import Scope
from handlers.ops.messages import place_phrase
from handlers.ops.privacy import mask_phones
from nlp.taxonomy import URGENCIES, category_name
from storage import stats
from storage.clock import to_local
from storage.models import Person
from storage.statemachine import STATUS_NAMES

logger = logging.getLogger(__name__)

HEADERS = ("工单编号", "状态", "类别", "紧急程度", "诉求类型", "来源", "街道", "社区", "网格",
           "位置", "内容", "处理人", "创建时间", "响应时限", "办结时限", "接单时间", "办结时间",
           "评价", "办理结果", "升级级别")
CHUNK = 1000


def beijing(dt: datetime | None) -> str:
    local = to_local(dt)
    return local.strftime("%Y-%m-%d %H:%M:%S") if local else ""


def row_maker(sc: Scope, names: dict[str, str]) -> Callable[[Any], list[Any]]:
    def make(r: Any) -> list[Any]:
        grid = sc.regions.get(r.region_id) if r.region_id else None
        community = sc.regions.get(r.community_id) if r.community_id else None
        street = sc.up_to(community, "street")
        where = place_phrase(r.community_text, r.building, r.unit, r.room, r.place, r.text)
        where = "" if where == "未注明" else where
        return [r.code, STATUS_NAMES.get(r.status, r.status), category_name(r.category),
                URGENCIES.get(r.urgency, r.urgency), r.request_kind,
                SOURCES.get(r.source, r.source), street.name if street else "",
                community.name if community else "", grid.name if grid else "",
                mask_phones(where) or "", mask_phones(r.text) or "",
                names.get(r.assignee_id or "", r.assignee_id or ""), beijing(r.created_at),
                beijing(r.respond_by), beijing(r.resolve_by), beijing(r.accepted_at),
                beijing(r.resolved_at), r.rating if r.rating is not None else "",
                mask_phones(r.resolution) or "", r.escalation_level]
    return make


async def _names(s: AsyncSession) -> dict[str, str]:
    return {pid: name for pid, name in await s.execute(select(Person.id, Person.name))}


async def _audit(request: web.Request, what: str, f: Filters, rows: int) -> None:
    q = f.query_string() or "（无筛选）"
    await cw.db(request).run(lambda s: _add(s, request, what, q, rows))


async def _add(s: AsyncSession, request: web.Request, what: str, q: str, rows: int) -> None:
    cw.audit(s, request, "export", what, f"{rows} 行；{q}")


def _filename(ext: str, at: datetime) -> str:
    local = to_local(at)
    assert local is not None
    return f"tickets-{local:%Y%m%d-%H%M}.{ext}"


async def tickets_csv(request: web.Request) -> web.StreamResponse:
    sc, at = await cw.scope(request), cw.now(request)
    f = Filters.parse(request.query)
    resp = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{_filename("csv", at)}"'})
    await resp.prepare(request)
    count = 0
    try:
        async with cw.db(request).read_sessions() as s:
            make = row_maker(sc, await _names(s))
            buf = io.StringIO()
            buf.write("\ufeff")  # Excel opens UTF-8 CSV as Chinese only with the BOM
            out = csv.writer(buf)
            out.writerow(HEADERS)
            async for r in stream_rows(s, f, sc, at, CHUNK):
                out.writerow(make(r))
                count += 1
                if count % CHUNK == 0:
                    await resp.write(buf.getvalue().encode("utf-8"))
                    buf.seek(0)
                    buf.truncate()
            await resp.write(buf.getvalue().encode("utf-8"))
    finally:
        await _audit(request, "tickets.csv", f, count)
    await resp.write_eof()
    return resp


async def _stream_file(request: web.Request, path: str, filename: str) -> web.StreamResponse:
    resp = web.StreamResponse(headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Length": str(await asyncio.to_thread(os.path.getsize, path))})
    await resp.prepare(request)
    with open(path, "rb") as fh:  # noqa: ASYNC230 - 256 KiB reads of a local temp file
        while chunk := fh.read(256 * 1024):
            await resp.write(chunk)
    await resp.write_eof()
    return resp


async def tickets_xlsx(request: web.Request) -> web.StreamResponse:
    sc, at = await cw.scope(request), cw.now(request)
    f = Filters.parse(request.query)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工单")
    ws.append(list(HEADERS))
    count = 0
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="gridbot-export-")
    os.close(fd)
    try:
        try:
            async with cw.db(request).read_sessions() as s:
                make = row_maker(sc, await _names(s))
                batch: list[list[Any]] = []
                async for r in stream_rows(s, f, sc, at, CHUNK):
                    batch.append(make(r))
                    if len(batch) >= CHUNK:
                        await asyncio.to_thread(_append, ws, batch)
                        count += len(batch)
                        batch = []
                await asyncio.to_thread(_append, ws, batch)
                count += len(batch)
            await asyncio.to_thread(wb.save, path)
        finally:
            await _audit(request, "tickets.xlsx", f, count)
        return await _stream_file(request, path, _filename("xlsx", at))
    finally:
        os.unlink(path)


def _append(ws: Any, rows: list[list[Any]]) -> None:
    for row in rows:
        ws.append(row)


async def stats_xlsx(request: web.Request) -> web.StreamResponse:
    """The overview's table of rates, as shown (same by / since / until)."""
    sc, at = await cw.scope(request), cw.now(request)
    by = request.query.get("by", "street" if sc.whole else "community")
    if by not in ("street", "community", "grid"):
        by = "community"
    try:
        rng = stats.parse_range(request.query.get("since"), request.query.get("until"), now=at)
    except stats.StatsError as e:
        raise web.HTTPBadRequest(text=str(e), content_type="text/plain") from None
    data = await cw.db(request).read(lambda s: overview_data(s, sc, at, rng, by))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("统计")
    ws.append([f"统计区间 {rng.since} 至 {rng.until}（北京时间，按创建日期）"])
    ws.append({"street": ["街道"], "community": ["社区"], "grid": ["网格"]}[by]
              + ["受理数"] + [n for _, n in RATES] + ["工作人员撤销"])
    for row in data["rows"] + [{"name": "合计", "counts": data["total"],
                                "cancelled": data["cancelled_total"]}]:
        c = row["counts"]
        ws.append([row["name"], c.received] + [pct(getattr(c, k)) for k, _ in RATES]
                  + [row["cancelled"]])
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="gridbot-stats-")
    os.close(fd)
    try:
        await asyncio.to_thread(wb.save, path)
        await cw.db(request).run(lambda s: _add(s, request, "stats.xlsx", "stats.xlsx",
                                                len(data["rows"])))
        local = to_local(at)
        assert local is not None
        return await _stream_file(request, path, f"stats-{local:%Y%m%d}.xlsx")
    finally:
        os.unlink(path)

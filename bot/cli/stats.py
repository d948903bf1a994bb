"""`gridbot stats [--since D] [--until D] [--by grid|community|category] [--json]`.

The same filters and numbers as `GET /api/v1/stats` (`--json` prints the same JSON); without
`--json` a table for people. Definitions of the rates: `storage.stats`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.api.stats import stats_payload
from storage import stats
from storage.clock import Clock
from storage.config import config_path, load_settings

logger = logging.getLogger(__name__)

NO_KEY = {"grid": "(未定位到网格)", "community": "(未定位到社区)"}


def add_stats_command(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
                      common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = sub.add_parser("stats", parents=[common],
                       help="响应率, 办结率, 按期办结率, 满意率 over tickets created in a range")
    p.add_argument("--since", metavar="D", help="first day YYYY-MM-DD, Asia/Shanghai "
                   "(default: 29 days before --until)")
    p.add_argument("--until", metavar="D", help="last day YYYY-MM-DD, inclusive (default today)")
    # checked by storage.stats, not argparse: the CLI and the API refuse with the same words
    p.add_argument("--by", metavar="{grid,community,category}", help="one row per group")
    p.add_argument("--json", action="store_true", help="the JSON of GET /api/v1/stats")
    p.set_defaults(fn=cmd_stats)
    return p


def cmd_stats(args: argparse.Namespace, *, clock: Clock | None = None) -> int:
    """Exit 0; 2 on a bad filter; 1 when the database is missing."""
    now = (clock or Clock()).now()
    try:
        rng = stats.parse_range(args.since, args.until, now=now)
        by = stats.parse_by(args.by)
    except stats.StatsError as e:
        print(f"gridbot stats：参数有误：{e}", file=sys.stderr)
        return 2
    settings = load_settings(config_path(args.config))
    url = settings.database.url
    missing = _missing_sqlite_file(url)
    if missing:
        print(f"gridbot stats：{missing} 没有数据库（请先运行 gridbot db upgrade）",
              file=sys.stderr)
        return 1
    report = asyncio.run(_compute(url, rng, by, now))
    payload = stats_payload(report)
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(format_table(payload))
    return 0


def _missing_sqlite_file(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    # opening a missing SQLite file would create an empty one and then fail on "no such table"
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return None if Path(u.database).exists() else u.database
    return None


async def _compute(url: str, rng: stats.DateRange, by: str | None,
                   now: datetime) -> stats.Report:
    from storage.db import Database

    db = Database(url)
    try:
        return await db.read(lambda s: stats.compute(s, rng, now=now, by=by))
    finally:
        await db.close()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int, *, right: bool = False) -> str:
    pad = " " * max(0, width - _width(text))
    return pad + text if right else text + pad


def _rate(value: float | None, num: int, den: int) -> str:
    return "-" if value is None else f"{value * 100:.1f}% ({num}/{den})"


def _row(label: str, d: dict[str, Any]) -> list[str]:
    c = d["counts"]
    accept, resolve = d["avg_accept_minutes"], d["avg_resolve_hours"]
    return [
        label, str(d["received"]),
        _rate(d["response_rate"], c["accepted_on_time"], d["received"]),
        _rate(d["resolution_rate"], c["resolved"], d["received"]),
        _rate(d["on_time_rate"], c["resolved_on_time"], c["due"]),
        _rate(d["satisfaction_rate"], c["satisfied"], c["rated"]),
        "-" if accept is None else f"{accept:.1f}",
        "-" if resolve is None else f"{resolve:.1f}",
        _rate(d.get("urge_rate"), c.get("urged", 0), d["received"]),
    ]


HEADER = ["分组", "受理", "响应率", "办结率", "按期办结率", "满意率", "平均接单(分钟)",
          "平均办结(小时)", "催办率"]


def format_table(payload: dict[str, Any]) -> str:
    """The table people read: one row per group, then 合计; '-' where nothing to divide by."""
    rows: list[list[str]] = []
    by = payload.get("by")
    if by:
        for item in payload["items"]:
            if item["key"] is None:
                label = NO_KEY.get(by, "-")
            else:
                label = f"{item['key']} {item['name']}" if item.get("name") else item["key"]
            rows.append(_row(label, item))
        rows.append(_row("合计", payload["total"]))
    else:
        rows.append(_row("合计", payload))
    widths = [max(_width(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = [f"统计区间 {payload['since']} 至 {payload['until']}（北京时间，按工单创建日期；"
             "不含已撤销、已合并的工单）"]
    for r in [HEADER, *rows]:
        lines.append("  ".join(_cell(v, w, right=i > 0) for i, (v, w) in
                               enumerate(zip(r, widths, strict=True))).rstrip())
    return "\n".join(lines)

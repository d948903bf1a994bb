"""The `gridbot` console script. Every subcommand takes --config F."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from storage.config import ConfigError, Settings, config_path, load_settings

logger = logging.getLogger("gridbot")


def _settings(args: argparse.Namespace, *, required: bool = False) -> Settings:
    return load_settings(config_path(args.config), required=required)


LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


def _logging(level: str = "INFO") -> None:
    from handlers.ops.privacy import MaskPhones, OneLine

    # the pid: under --workers, which worker wrote the line
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format=LOG_FORMAT)
    # at INFO/DEBUG these print every SQL statement with its parameters: tokens and residents'
    # personal data, once a second from the outbox poll
    # apscheduler says «Running job … executed successfully» every sweep: our jobs log what
    # they did (and every run is on /metrics), so only its warnings are kept
    # alembic says «Context impl SQLiteImpl» and a line per migration at INFO: `db upgrade`
    # prints what it applied in one line of its own (trial 12 read them as trouble)
    for noisy in ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "asyncio",
                  "alembic.runtime.plugins", "alembic.runtime.migration",
                  "apscheduler.executors", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:  # 138****0001 in every log line
        handler.addFilter(MaskPhones())
        handler.setFormatter(OneLine(LOG_FORMAT))


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.access_log import ACCESS_LOG
    from bot.app import create_app
    from bot.heap import settle_after_start

    settings = _settings(args)
    _logging(settings.logging.level)
    _require_schema(settings)
    if settings.district_file:
        asyncio.run(_import(settings, Path(settings.district_file)))
    if args.workers > 1:
        from bot.cli.workers import serve_workers

        return serve_workers(settings, args.workers)
    host, port = settings.server.host, settings.server.port
    web.run_app(settle_after_start(create_app(settings)), host=host, port=port,
                reuse_port=overlap_ok(settings),
                print=lambda _: logger.info("listening on %s:%d (pid %d)", host, port,
                                            os.getpid()),
                **ACCESS_LOG)  # no openid, signature or nonce in the access log
    return 0


def overlap_ok(settings: Settings) -> bool:
    """Whether a second `serve` may listen on the same port while this one runs
    (SO_REUSEPORT): the way to restart without a gap (README, operations). PostgreSQL only:
    SQLite's file has one writer, so there a second server is refused (address in use)."""
    import socket

    return hasattr(socket, "SO_REUSEPORT") and not settings.database.url.startswith("sqlite")


class CliError(Exception):
    """Bad input to a command: one line on stderr, exit 2."""


def _require_schema(settings: Settings) -> None:
    from storage.migrate import SchemaBehind, require_head

    try:
        asyncio.run(require_head(settings.database.url))
    except SchemaBehind as e:
        raise CliError(str(e)) from None
    except OSError as e:  # PostgreSQL not reachable
        raise CliError(f"连不上数据库（{type(e).__name__}: {e}）") from None


def _readable(name: str) -> Path:
    """A file that exists, is a file and is UTF-8 text, or CliError saying which it is not."""
    path = Path(name)
    if not path.exists():
        raise CliError(f"{name}：文件不存在")
    if not path.is_file():
        raise CliError(f"{name}：不是文件")
    try:
        path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise CliError(f"{name}：不是 UTF-8 文本（第 {e.start} 字节），请另存为 UTF-8 编码"
                       ) from None
    except OSError as e:
        raise CliError(f"{name}：无法读取（{e.strerror}）") from None
    return path


def cmd_db(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    settings = _settings(args)
    _logging(settings.logging.level)
    applied = asyncio.run(upgrade(settings.database.url))
    where = _safe_url(settings.database.url)
    if not applied:
        print(f"数据库已是最新结构：{where}")
    elif len(applied) == 1:
        print(f"已升级：{applied[0]}：{where}")
    else:
        print(f"已升级：{applied[0]} → {applied[-1]}（{len(applied)} 个迁移）：{where}")
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


async def _import(settings: Settings, path: Path) -> str:
    from storage.db import Database
    from storage.district import import_file

    db = Database(settings.database.url)
    try:
        report = await import_file(db, path)
    finally:
        await db.close()
    return report.summary()


def cmd_district(args: argparse.Namespace) -> int:
    from storage.district import DistrictError

    settings = _settings(args)
    _logging(settings.logging.level)
    path = _readable(args.file)
    _require_schema(settings)
    try:
        print(asyncio.run(_import(settings, path)))
    except DistrictError as e:
        raise CliError(f"辖区文件有误，整份未导入：{e}") from None
    return 0


def cmd_tickets(args: argparse.Namespace) -> int:
    from bot.api import views
    from nlp.taxonomy import CATEGORIES
    from storage.db import Database
    from storage.statemachine import STATUSES

    settings = _settings(args)
    if args.status is not None and args.status not in STATUSES:
        raise CliError(f"未知状态 {args.status!r}，可用：{', '.join(STATUSES)}")
    if args.category is not None and args.category not in CATEGORIES:
        raise CliError(f"未知类别 {args.category!r}，可用：{', '.join(CATEGORIES)}")
    if not 1 <= args.limit <= 200 or args.offset < 0:
        raise CliError("--limit 须在 1–200 之间，--offset 不能为负数")

    async def run() -> int:
        db = Database(settings.database.url)
        try:
            if args.action == "show":
                found = await db.read(lambda s: views.get_ticket(s, args.code))
                if found is None:
                    print(f"没有找到工单 {args.code}", file=sys.stderr)
                    return 1
                t, events = found
                if args.json:
                    item = await db.read(lambda s: views.ticket_detail(s, t, events))
                    print(json.dumps(item, ensure_ascii=False, indent=2))
                else:
                    print(views.format_ticket_text(t, events))
                return 0
            rows, total = await db.read(lambda s: views.list_tickets(
                s, status=args.status, grid=args.grid, category=args.category,
                limit=args.limit, offset=args.offset))
            if args.json:
                print(json.dumps({"items": [views.ticket_item(t) for t in rows], "total": total},
                                 ensure_ascii=False, indent=2))
            else:
                print(views.format_ticket_table(rows))
                print(f"显示 {len(rows)} 件，共 {total} 件")
            return 0
        finally:
            await db.close()

    return asyncio.run(run())


def cmd_classify(args: argparse.Namespace) -> int:
    from nlp.cli import classify_stream

    if args.file:
        _readable(args.file)
    stream = open(args.file, encoding="utf-8") if args.file else sys.stdin  # noqa: SIM115
    try:
        classify_stream(stream, sys.stdout)
    finally:
        if args.file:
            stream.close()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from nlp.cli import EvalInputError, run_eval

    try:
        return run_eval(_readable(args.file), as_json=args.json)
    except EvalInputError as e:
        raise CliError(f"{args.file}: {e}") from None


def cmd_nlp(args: argparse.Namespace) -> int:
    """Refit from the corpus plus every officer's 改类 correction in the database; running
    servers pick the new model up at their next message."""
    from nlp import train
    from nlp.training import CORPUS

    settings = _settings(args)
    _logging(settings.logging.level)
    corrections = asyncio.run(_corrections(settings))
    out = Path(settings.nlp.model_path)
    summary = train([CORPUS], corrections, out)
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    print(f"模型已写入 {out}（含数据库中的 {len(corrections)} 条改类纠正）")
    return 0


async def _corrections(settings: Settings) -> list[tuple[str, str]]:
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import Database
    from storage.models import CategoryCorrection

    db = Database(settings.database.url)
    try:
        rows = await db.read(lambda s: s.execute(select(
            CategoryCorrection.text, CategoryCorrection.new_category)
            .order_by(CategoryCorrection.id)))
        return [(text, cat) for text, cat in rows]
    except SQLAlchemyError as exc:  # no database yet: the corpus alone
        logger.warning("no corrections read (%s); training on the corpus alone", exc)
        return []
    finally:
        await db.close()


def cmd_menu(args: argparse.Namespace) -> int:
    from bot.channels.menu import MENU, MenuError, push

    settings = _settings(args)  # credentials may come from the environment alone
    _logging(settings.logging.level)
    _require_schema(settings)  # access tokens are shared through a table
    try:
        asyncio.run(push(settings))
    except MenuError as e:
        print(str(e), file=sys.stderr)
        return 1
    names = " / ".join(b["name"] for b in MENU["button"])
    print(f"菜单已推送：{names}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo.run import run_demo

    _logging("WARNING")
    if args.serve:
        from bot.demo.serve import serve_demo

        return asyncio.run(serve_demo(port=args.port, standin_port=args.standin_port))
    return asyncio.run(run_demo(verbose=args.verbose))


def cmd_standin(args: argparse.Namespace) -> int:
    from bot.demo.standin import serve_standin

    _logging("WARNING")
    return asyncio.run(serve_standin(port=args.port))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gridbot", description="grid-governance chatbot")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="F",
                        help="TOML config (default $GRIDBOT_CONFIG, then ./config.toml)")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, fn: Callable[[argparse.Namespace], int],
            help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_)
        p.set_defaults(fn=fn)
        return p

    serve = add("serve", cmd_serve, "run gateway, outbox sender and scheduler")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="N worker processes on one port (PostgreSQL only)")
    demo = add("demo", cmd_demo, "scripted run of the whole loop against a WeChat stand-in")
    demo.add_argument("--verbose", action="store_true")
    demo.add_argument("--serve", action="store_true",
                      help="after the script, keep the server up with the console to click "
                           "through (Ctrl-C to stop)")
    demo.add_argument("--port", type=int, default=8080, help="with --serve (0: any free port)")
    demo.add_argument("--standin-port", type=int, default=0, metavar="P",
                      help="with --serve: the WeChat API stand-in's port (default: a free one)")
    standin = add("standin", cmd_standin, "the WeChat/WeCom API stand-in alone, printing pushes")
    standin.add_argument("--port", type=int, default=9100, help="its port (default 9100)")
    db = add("db", cmd_db, "database schema")
    db.add_argument("action", choices=["upgrade"])
    district = add("district", cmd_district, "import the district file")
    district.add_argument("action", choices=["import"])
    district.add_argument("file")
    classify = add("classify", cmd_classify, "classify lines of text (JSON lines out)")
    classify.add_argument("--file")
    ev = add("eval", cmd_eval, "evaluate the classifier on a labelled JSONL file")
    ev.add_argument("file")
    ev.add_argument("--json", action="store_true")
    nlp = add("nlp", cmd_nlp, "classifier model")
    nlp.add_argument("action", choices=["train"])
    menu = add("menu", cmd_menu, "Official Account menu (我要反映 / 我的反映 / 办事指南)")
    menu.add_argument("action", choices=["push"])
    from bot.cli.keys import add_keys_command
    from bot.cli.say import add_say_command
    from bot.cli.stats import add_stats_command
    from bot.cli.users import add_users_command

    add_users_command(sub, common)
    add_keys_command(sub, common)
    add_say_command(sub, common)

    add_stats_command(sub, common)
    tickets = add("tickets", cmd_tickets, "list or show tickets")
    tickets.add_argument("action", choices=["list", "show"])
    tickets.add_argument("code", nargs="?")
    tickets.add_argument("--status")
    tickets.add_argument("--grid")
    tickets.add_argument("--category")
    tickets.add_argument("--limit", type=int, default=50)
    tickets.add_argument("--offset", type=int, default=0)
    tickets.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "action", None) == "show" and not args.code:
        parser.error("tickets show 需要工单号，例如 gridbot tickets show GD20261202-0001")
    try:
        return args.fn(args)
    except ConfigError as e:  # each wrong key on its own line, under the file's name
        print(str(e), file=sys.stderr)
        return 2
    except CliError as e:
        print(f"gridbot {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `gridbot say … | head`: the reader has what it wanted
        return _reader_gone()


def _reader_gone() -> int:
    """Quiet, as a Unix tool whose reader closed the pipe (exit 141, as SIGPIPE would): no
    traceback, and none either from the interpreter flushing stdout at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141


if __name__ == "__main__":
    sys.exit(main())

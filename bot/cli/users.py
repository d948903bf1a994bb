"""`gridbot users add|list|passwd|disable`: the console's accounts (bot.console.accounts)."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import select
import sys
from typing import Any

from bot.console.accounts import AccountError, add_user, list_users, set_active, set_password
from bot.console.auth import ROLES
from storage.config import ConfigError, config_path, load_settings
from storage.migrate import SchemaBehind


def _password(args: argparse.Namespace) -> str | None:
    if not args.password_stdin:
        if _piped():
            raise AccountError("标准输入送来了内容，但没有加 --password-stdin：未做任何改动。"
                               "要设密码请加 --password-stdin；只用企业微信登录则不要送入内容")
        return None
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _piped() -> bool:
    """Something was written to standard input (a password piped in by habit): a terminal, an
    empty or a silent stdin is not."""
    stdin = sys.stdin
    if stdin is None or stdin.closed:
        return False
    try:
        if stdin.isatty():
            return False
        ready, _, _ = select.select([stdin], [], [], 0)
        if not ready:
            return False  # an open pipe nobody writes to
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # no file descriptor (a test's StringIO): read it
    return bool(stdin.readline().strip())


async def _run(url: str, unit: Any) -> Any:
    from storage.db import Database
    from storage.migrate import require_head

    await require_head(url)  # migrations run only by `gridbot db upgrade`
    db = Database(url)
    try:
        return await db.run(unit)
    finally:
        await db.close()


def cmd_users(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(config_path(args.config))
    except ConfigError as e:
        print(str(e), file=sys.stderr)
        return 2
    url = settings.database.url
    try:
        if args.action == "list":
            users = asyncio.run(_run(url, list_users))
            rows = [{"username": u.username, "name": u.name, "role": u.role,
                     "area": u.area_code, "person": u.person_id, "active": u.active}
                    for u in users]
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for r in rows:
                    print(f"{r['username']:<20} {r['role']:<10} {r['area'] or '全区':<12} "
                          f"{'启用' if r['active'] else '停用'}  {r['name']}")
                print(f"共 {len(rows)} 个用户")
            return 0
        if not args.username:
            print(f"gridbot users {args.action}：需要用户名", file=sys.stderr)
            return 2
        if args.action == "add":
            if not args.role:
                print("gridbot users add：需要 --role admin|centre|street|community",
                      file=sys.stderr)
                return 2
            password = _password(args)
            user = asyncio.run(_run(url, lambda s: add_user(
                s, args.username, role=args.role, password=password, area=args.area,
                name=args.name or "", person_id=args.person)))
            print(f"已添加用户 {user.username}（{user.role}，{user.area_code or '全区'}）"
                  + ("" if password else "；未设密码：只能用企业微信登录"))
        elif args.action == "passwd":
            password = _password(args)
            if password is None:
                print("gridbot users passwd：需要 --password-stdin（从标准输入读密码）",
                      file=sys.stderr)
                return 2
            asyncio.run(_run(url, lambda s: set_password(s, args.username, password)))
            print(f"已修改 {args.username} 的密码，其已登录的会话全部退出")
        else:
            asyncio.run(_run(url, lambda s: set_active(s, args.username, False)))
            print(f"已停用用户 {args.username}，其已登录的会话全部退出")
    except AccountError as e:
        print(f"gridbot users：未执行：{e}", file=sys.stderr)
        return 1
    except SchemaBehind as e:
        print(f"gridbot users：{e}", file=sys.stderr)
        return 2
    return 0


def add_users_command(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("users", parents=[common], help="console accounts (指挥中心 users)")
    p.set_defaults(fn=cmd_users)
    p.add_argument("action", choices=["add", "list", "passwd", "disable"])
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=ROLES)
    p.add_argument("--area", metavar="REGION_CODE", help="street or community code")
    p.add_argument("--name", help="名字 shown in the console and in notices")
    p.add_argument("--person", metavar="ID", help="link to a person of the district file")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.add_argument("--json", action="store_true")

"""`gridbot users add|list|passwd|disable`: the console's accounts (bot.console.accounts)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.console.accounts import AccountError, add_user, list_users, set_active, set_password
from bot.console.auth import ROLES
from storage.config import ConfigError, config_path, load_settings
from storage.migrate import SchemaBehind


def _password(args: argparse.Namespace) -> str | None:
    if not args.password_stdin:
        return None
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


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
                print(f"{len(rows)} users")
            return 0
        if not args.username:
            print(f"users {args.action} needs a USERNAME", file=sys.stderr)
            return 2
        if args.action == "add":
            if not args.role:
                print("users add needs --role admin|centre|street|community", file=sys.stderr)
                return 2
            password = _password(args)
            user = asyncio.run(_run(url, lambda s: add_user(
                s, args.username, role=args.role, password=password, area=args.area,
                name=args.name or "", person_id=args.person)))
            print(f"user {user.username} added ({user.role} {user.area_code or 'whole district'})"
                  + ("" if password else "; no password: WeCom sign-in only"))
        elif args.action == "passwd":
            password = _password(args)
            if password is None:
                print("users passwd needs --password-stdin", file=sys.stderr)
                return 2
            asyncio.run(_run(url, lambda s: set_password(s, args.username, password)))
            print(f"password of {args.username} changed; their sessions are signed out")
        else:
            asyncio.run(_run(url, lambda s: set_active(s, args.username, False)))
            print(f"user {args.username} disabled; their sessions are signed out")
    except AccountError as e:
        print(f"refused: {e}", file=sys.stderr)
        return 1
    except SchemaBehind as e:
        print(f"gridbot users: {e}", file=sys.stderr)
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

"""Instructions per report, counted by valgrind's callgrind on `gridbot serve` itself: the same
SQLite server and the same distinct pre-signed safe-mode callbacks as bench/gateway.py, sent by
an asyncio client (in this process, not counted) with a fixed number in flight. Instrumentation
is switched on only after a warm-up and off after the measured requests, so start-up is not
counted. Unlike CPU time on a shared machine, the count does not move with the load: it is the
figure to compare for a small CPU cut (alternate `--tree` exports in one run).

Run: .venv/bin/python bench/instructions.py [--tree DIR ...] [--requests 400] [--concurrency 16]
     [--pg DB: one worker on PostgreSQL instead of SQLite; the backends' work is not counted]
Prints, per tree, instructions per request (the whole process: event loop, the commit's
thread, SQLite) and the wall time of the measured requests under valgrind. The loops that run
by the clock (the recovery sweep, the outbox sender's and the media store's rounds, the
scheduler) are kept quiet (bench/quiet/sitecustomize.py, `[scheduler] enabled = false`): under
valgrind's slowness they did far more rounds per request than at full speed, in proportion to
the wall time, and moved the count by several per cent between runs of one tree. The idle rate
after the requests (`--idle` seconds) is printed to show what is left of them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout
from bench_requests import Keys, write_requests
from gateway import HERE, config, cpu_seconds, env_for, free_port, psql, wait_http


async def send(base: str, lines: list[str], concurrency: int) -> dict[str, int]:
    tally = {"passive": 0, "other": 0, "errors": 0}
    queue = list(reversed(lines))
    async with ClientSession(timeout=ClientTimeout(total=600)) as http:
        async def worker() -> None:
            while queue:
                path, body = queue.pop().split("\t", 1)
                async with http.post(base + path, data=body.encode(),
                                     headers={"Content-Type": "text/xml"}) as resp:
                    text = await resp.text()
                key = "errors" if resp.status != 200 else (
                    "passive" if "<xml>" in text else "other")
                tally[key] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return tally


def pg_backends(db: str) -> list[int]:
    out = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}'", db)
    return [int(x) for x in out.split()]


def measure(tree: Path, args: argparse.Namespace, tmp: Path) -> dict[str, float]:
    keys = Keys.make()
    port = free_port()
    db_url = f"sqlite+aiosqlite:///{tmp / 'cg.db'}"
    if args.pg:  # a PostgreSQL database of this name, made afresh (its backends not counted)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.pg],
                       check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.pg], check=True)
        db_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{args.pg}"
    cfg = config(tmp, db_url, port, keys)
    cfg.write_text(cfg.read_text() + "[scheduler]\nenabled = false\n")
    env = env_for(tree)
    env["PYTHONPATH"] += os.pathsep + str(HERE / "quiet")  # the clock's loops do nothing
    py = [sys.executable, "-m", "bot.cli.main"]
    subprocess.run([*py, "db", "upgrade", "--config", str(cfg)], env=env, check=True,
                   capture_output=True, cwd=tmp)
    out = tmp / "callgrind.out"
    grind = [] if args.cpu else ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                                 f"--callgrind-out-file={out}"]
    server = subprocess.Popen(
        [*grind, *py, "serve", "--config", str(cfg)], env=env, cwd=tmp,
        stdout=subprocess.DEVNULL, stderr=open(tmp / "serve.log", "w"))
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=600)
        reqdir = tmp / "req"
        reqdir.mkdir(exist_ok=True)
        write_requests(reqdir, keys, 1, args.warmup + args.requests, mixed=False)
        lines = (reqdir / "req_0.txt").read_text().splitlines()
        base = f"http://127.0.0.1:{port}"
        asyncio.run(send(base, lines[:args.warmup], args.concurrency))
        if args.cpu:  # CPU time instead: the server's, and its PostgreSQL backends'
            backends = pg_backends(args.pg) if args.pg else []
            cpu0 = cpu_seconds([server.pid]), cpu_seconds(backends)
            start = time.monotonic()
            tally = asyncio.run(send(base, lines[args.warmup:], args.concurrency))
            wall = time.monotonic() - start
            backends = sorted(set(backends) | set(pg_backends(args.pg))) if args.pg else []
            cpu1 = cpu_seconds([server.pid]), cpu_seconds(backends)
            return {"cpu_ms": 1000 * (cpu1[0] - cpu0[0]) / args.requests,
                    "pg_ms": 1000 * (cpu1[1] - cpu0[1]) / args.requests, "wall_s": wall,
                    **tally}
        control = ["callgrind_control", str(server.pid)]
        subprocess.run([*control[:1], "-i", "on", *control[1:]], check=True,
                       capture_output=True)
        start = time.monotonic()
        tally = asyncio.run(send(base, lines[args.warmup:], args.concurrency))
        wall = time.monotonic() - start
        subprocess.run([*control[:1], "-d", "requests", *control[1:]], check=True,
                       capture_output=True)
        time.sleep(args.idle)  # what the clock-driven loops cost per second, to take out
        subprocess.run([*control[:1], "-d", "idle", *control[1:]], check=True,
                       capture_output=True)
        subprocess.run([*control[:1], "-i", "off", *control[1:]], check=True,
                       capture_output=True)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=300)
        except subprocess.TimeoutExpired:
            server.kill()
    if args.keep:
        subprocess.run(["cp", "-r", str(tmp), str(args.keep)], check=False)
    parts: dict[str, int] = {}
    for dump in tmp.glob("callgrind.out*"):
        text = dump.read_text(errors="replace")
        reason = re.search(r"^desc: Trigger: .*?(\w+)$", text, re.MULTILINE)
        found = re.search(r"^totals: (\d+)", text, re.MULTILINE)
        if reason and found:
            parts[reason.group(1)] = int(found.group(1))
        dump.unlink()
    idle_rate = parts.get("idle", 0) / args.idle
    busy = parts.get("requests", 0)
    return {"instructions_per_request": busy / args.requests, "idle_per_s": idle_rate,
            "wall_s": wall, **tally}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", type=Path, action="append",
                    help="the code to serve (repeat to alternate); default this tree")
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--idle", type=float, default=10.0,
                    help="seconds counted idle after the requests (the background loops' rate)")
    ap.add_argument("--keep", type=Path, help="copy the run's folder (dumps, log) here")
    ap.add_argument("--cpu", action="store_true", help="no valgrind: the server's CPU time "
                    "per request (utime+stime of its process; on PostgreSQL its backends' too)")
    ap.add_argument("--pg", metavar="DB", help="serve from PostgreSQL: this database, dropped "
                    "and made afresh (one per engineer); the worker's instructions only")
    args = ap.parse_args()
    trees = [t.resolve() for t in (args.tree or [HERE.parent])]
    for r in range(args.rounds):
        for tree in trees:
            with tempfile.TemporaryDirectory() as tmp:
                res = measure(tree, args, Path(tmp))
            if args.cpu:
                print(f"round {r + 1} {tree}: {res['cpu_ms']:.3f} ms CPU/request, backends "
                      f"{res['pg_ms']:.3f} ms ({args.requests} requests, {args.concurrency} in "
                      f"flight, {res['wall_s']:.1f} s, load {os.getloadavg()[0]:.1f}; passive "
                      f"{res['passive']}, other {res['other']}, errors {res['errors']})",
                      flush=True)
                continue
            print(f"round {r + 1} {tree}: {res['instructions_per_request'] / 1e6:.2f} M "
                  f"instructions/request ({args.requests} requests, {args.concurrency} in flight, "
                  f"{res['wall_s']:.0f} s under valgrind, idle afterwards "
                  f"{res['idle_per_s'] / 1e6:.1f} M/s; passive {res['passive']}, "
                  f"other {res['other']}, errors {res['errors']})", flush=True)


if __name__ == "__main__":
    main()

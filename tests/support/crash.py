"""The crash experiment: `gridbot serve` as a separate process, SIGKILLed at random points
during a burst of distinct signed reports sent the way WeChat sends them (a 5 s wait, then
the same message again, three resends), restarted each time; then a ledger of acknowledged
messages is checked against the database and what the WeChat API stand-in received.

Used by tests/e2e/test_crash.py (small and bounded) and bench/crash.py (the issue's sizes,
also against another checkout of the code: `code_root`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.demo.simulator import MpSide, random_aes_key, text_xml
from bot.demo.standin import WeChatStandIn
from storage.config import Settings

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"GD\d{8}-\d{4,}")
WECHAT_WAIT = 5.0  # WeChat hangs up after 5 s and resends
RESENDS = 3
GRIDS = 40  # one officer each: WeCom lets a member receive 30 messages a minute
_FIRST, _SECOND = "锦春翠碧金银玉丹", "晖竹桂沙河兰"
PLACES = [f"{a}{b}花园" for a in _FIRST for b in _SECOND][:GRIDS]
PROBLEMS = ["楼道里有人拉飞线给电动车充电，晚上一直插着，太危险了",
            "门口的垃圾桶满了好几天没人清运，臭味很大",
            "楼下的路灯坏了一个星期，晚上黑漆漆的",
            "楼道里堆满了杂物，消防通道被堵住了"]


@dataclass
class Plan:
    reports: int = 200
    kills: int = 2
    seed: int = 1
    chaos: float = 0.0  # share of API sends that fail
    ghost: float = 0.0  # share of API sends delivered and then timing out
    concurrency: int = 16
    new_keys: bool = True  # the config keys of this branch (False: an older checkout)
    settle_seconds: float = 150.0  # bound on waiting for the outbox to drain at the end


@dataclass
class Outcome:
    sent: int = 0
    acknowledged: int = 0
    lost: int = 0  # acknowledged, and no ticket
    duplicate_tickets: int = 0
    pushes_twice: int = 0  # the same text to the same person more than once
    no_code: int = 0  # acknowledged reporters who never got their ticket code
    undelivered: int = 0  # outbox rows neither sent nor held at the end
    stall_after_kill: float = 0.0  # longest silence of the API after a kill, seconds
    kills: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    ghosts: int = 0
    elapsed: float = 0.0

    def row(self) -> str:
        return (f"{self.acknowledged}/{self.sent} acknowledged, {self.lost} lost, "
                f"{self.duplicate_tickets} duplicate tickets, {self.pushes_twice} pushes twice, "
                f"{self.no_code} without their code, {self.undelivered} undelivered, "
                f"longest silence after a kill {self.stall_after_kill:.0f} s, {self.kills} kills, "
                f"{sum(self.faults.values())} faults, {self.ghosts} ghost deliveries, "
                f"{self.elapsed:.0f} s")


def district_toml() -> str:
    """A district with GRIDS grids of one compound and one officer each (4 communities)."""
    people = ['[district]\ncode = "CR"\nname = "压测区"\ncommand_centre = ["centre"]\n'
              'triage = ["centre"]\n',
              '[[people]]\nid = "centre"\nname = "指挥中心"\nroles = ["leader", "admin"]\n'
              'wecom_userid = "centre"\n']
    streets = ['[[streets]]\ncode = "S1"\nname = "压测街道"\nleader = "centre"\n']
    for c in range(4):
        people.append(f'[[people]]\nid = "leader{c}"\nname = "社区书记{c}"\n'
                      f'roles = ["leader"]\nwecom_userid = "leader{c}"\n')
        streets.append(f'  [[streets.communities]]\ncode = "S1-C{c}"\nname = "压测{c}社区"\n'
                       f'leader = "leader{c}"\ntriage = ["leader{c}"]\n')
        for g in range(c, GRIDS, 4):
            people.append(f'[[people]]\nid = "officer{g}"\nname = "网格员{g}"\n'
                          f'roles = ["officer"]\nwecom_userid = "officer{g}"\n')
            streets.append(f'    [[streets.communities.grids]]\ncode = "S1-C{c}-G{g}"\n'
                           f'name = "压测{c}社区第{g}网格"\nofficer = "officer{g}"\n'
                           f'kind = "residential"\n'
                           f'      [[streets.communities.grids.places]]\n'
                           f'name = "{PLACES[g]}"\nbuildings = ["1", "2", "3", "4", "5"]\n')
    return "\n".join(people + streets)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def write_config(path: Path, sections: dict[str, dict[str, Any]], top: dict[str, Any]) -> None:
    lines = [f"{k} = {_toml(v)}" for k, v in top.items()]
    for name, keys in sections.items():
        lines.append(f"\n[{name}]")
        lines += [f"{k} = {_toml(v)}" for k, v in keys.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Server:
    """`gridbot serve` of `code_root` in its own process."""

    def __init__(self, code_root: Path, config: Path, port: int, log: Path) -> None:
        self.code_root, self.config, self.port, self.log = code_root, config, port, log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, http: ClientSession, within: float = 60.0) -> None:
        env = {**os.environ, "PYTHONPATH": str(self.code_root), "GRIDBOT_CONFIG": ""}
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "from bot.cli.main import main; import sys; "
                "sys.exit(main())", "serve", "--config", str(self.config),
                cwd=str(self.code_root), env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.proc.returncode is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}; see {self.log}")
            with contextlib.suppress(ClientError, OSError, TimeoutError):
                async with http.get(f"http://127.0.0.1:{self.port}/healthz",
                                    timeout=ClientTimeout(total=1)) as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.1)  # the process is starting: nothing to wait on but time
        raise TimeoutError(f"server not healthy within {within} s; see {self.log}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def reset_database(url: str, tmp: Path, code_root: Path) -> None:
    if url.startswith("postgresql"):
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    env = {**os.environ, "PYTHONPATH": str(code_root), "GRIDBOT_CONFIG": ""}
    district = tmp / "district.toml"
    district.write_text(district_toml(), encoding="utf-8")
    for args in (["db", "upgrade"], ["district", "import", str(district)]):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from bot.cli.main import main; import sys; sys.exit(main())",
            *args, "--config", str(tmp / "crash.toml"), cwd=str(code_root), env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, err = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"gridbot {' '.join(args)} failed: {err.decode()[-2000:]}")


def settings_for(db_url: str, api_base: str, port: int, plan: Plan) -> tuple[dict, Settings]:
    mp_key, work_key = random_aes_key(), random_aes_key()
    server: dict[str, Any] = {"host": "127.0.0.1", "port": port, "messages_per_minute": 20}
    if plan.new_keys:
        server["inbound_lease_seconds"] = 5
    sections = {
        "server": server,
        "database": {"url": db_url},
        "wechat.mp": {"app_id": "wxcrash000000001", "app_secret": "s", "token": "crashtoken",
                      "encoding_aes_key": mp_key, "mode": "safe", "api_base_url": api_base},
        "wechat.work": {"corp_id": "wwcrash000000001", "agent_id": 1000002, "secret": "s",
                        "token": "crashworktoken", "encoding_aes_key": work_key,
                        "api_base_url": api_base},
        "admin": {"token": "crash-admin"},
        "outbox": {"poll_seconds": 0.2, "backoff_seconds": 0.2, "max_attempts": 12},
        "http": {"timeout_seconds": 1.0, "retries": 1},
        "scheduler": {"enabled": False},
        "duplicates": {"enabled": False},
        "logging": {"level": "WARNING"},
    }
    settings = Settings(**{k.split(".")[0]: v for k, v in sections.items() if "." not in k},
                        wechat={"mp": sections["wechat.mp"], "work": sections["wechat.work"]})
    return sections, settings


async def run(plan: Plan, db_url: str, tmp: Path, code_root: Path = ROOT) -> Outcome:
    rng = random.Random(plan.seed)
    standin = WeChatStandIn()
    api_base = await standin.start()
    if plan.chaos or plan.ghost:
        standin.chaos(plan.chaos, seed=plan.seed, ghost=plan.ghost, hang_seconds=1.5)
    port = _free_port()
    sections, settings = settings_for(db_url, api_base, port, plan)
    config = tmp / "crash.toml"
    write_config(config, sections, {"media_dir": str(tmp / "media")})
    await reset_database(db_url, tmp, code_root)
    server = Server(code_root, config, port, tmp / "server.log")
    out = Outcome(sent=plan.reports)
    began = time.monotonic()
    sends: list[float] = []  # when the stand-in recorded each delivery
    kills_at: list[float] = []
    acked: dict[int, list[str]] = {}  # report number → reply texts seen
    try:
        async with ClientSession() as http:
            await server.start(http)
            mp = MpSide(http, f"http://127.0.0.1:{port}", settings)
            watcher = asyncio.create_task(_watch_sends(standin, sends))
            queue: asyncio.Queue[int] = asyncio.Queue()
            for n in range(plan.reports):
                queue.put_nowait(n)
            progress = asyncio.Condition()
            workers = [asyncio.create_task(_resident(queue, mp, acked, settings, progress))
                       for _ in range(plan.concurrency)]
            killer = asyncio.create_task(_killer(server, http, plan, rng, queue, progress,
                                                 kills_at))
            await asyncio.gather(*workers)
            await killer
            out.kills = len(kills_at)
            await _settle(db_url, plan.settle_seconds)
            await server.stop()
            watcher.cancel()
        await _check(out, db_url, standin, acked)
        out.stall_after_kill = _longest_silence(kills_at, sends)
        out.faults, out.ghosts = dict(standin.faults), standin.ghosts
    finally:
        server.kill()
        await standin.stop()
    out.elapsed = time.monotonic() - began
    return out


async def _resident(queue: asyncio.Queue[int], mp: MpSide, acked: dict[int, list[str]],
                    settings: Settings, progress: asyncio.Condition) -> None:
    while not queue.empty():
        n = queue.get_nowait()
        async with progress:
            progress.notify_all()
        place, building = PLACES[n % GRIDS], 1 + n // GRIDS % 5
        words = f"{place}{building}号楼{PROBLEMS[n % len(PROBLEMS)]}（第{n}号反映）"
        xml = text_xml(settings.wechat.mp.app_id, f"oCrash{n:05d}", words, msg_id=10**9 + n)
        for _ in range(1 + RESENDS):  # WeChat: the same message again until it gets an answer
            started = time.monotonic()
            try:
                reply = await asyncio.wait_for(mp.post(xml), WECHAT_WAIT)
            except (TimeoutError, ClientError, OSError):
                # WeChat resends 5 s after the previous try began, whatever went wrong
                await asyncio.sleep(max(0.0, WECHAT_WAIT - (time.monotonic() - started)))
                continue
            if reply.status == 200:
                acked.setdefault(n, []).append(reply.content or "")
                break


async def _killer(server: Server, http: ClientSession, plan: Plan, rng: random.Random,
                  queue: asyncio.Queue[int], progress: asyncio.Condition,
                  kills_at: list[float]) -> None:
    marks = sorted(rng.uniform(0.1, 0.8) for _ in range(plan.kills))
    for mark in marks:
        async with progress:  # the burst's progress is how much of the queue is taken
            await progress.wait_for(lambda m=mark: queue.qsize() <= plan.reports * (1 - m))
        await asyncio.sleep(rng.uniform(0, 0.5))
        server.kill()
        kills_at.append(time.monotonic())
        await server.proc.wait()  # type: ignore[union-attr]
        await server.start(http)


async def _watch_sends(standin: WeChatStandIn, sends: list[float]) -> None:
    seen = 0
    while True:
        await standin.wait_for(lambda n=seen: len(standin.sent) > n, timeout=3600)
        now = time.monotonic()
        sends.extend([now] * (len(standin.sent) - seen))
        seen = len(standin.sent)


def _longest_silence(kills_at: list[float], sends: list[float]) -> float:
    longest = 0.0
    for k in kills_at:
        after = [t for t in sends if t > k]
        if after:
            longest = max(longest, after[0] - k)
    return longest


async def _settle(db_url: str, bound: float) -> None:
    """Wait (bounded) until nothing is left to process or send."""
    engine = create_async_engine(db_url)
    deadline = time.monotonic() + bound
    try:
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                busy = (await conn.execute(text(
                    "SELECT (SELECT count(*) FROM inbound_messages WHERE status IN "
                    "('processing', 'deferred', 'ignored')) + (SELECT count(*) FROM outbox "
                    "WHERE state IN ('pending', 'sending'))"))).scalar_one()
            if busy == 0:
                return
            await asyncio.sleep(0.5)  # another process's database: poll with a bound
    finally:
        await engine.dispose()


async def _check(out: Outcome, db_url: str, standin: WeChatStandIn,
                 acked: dict[int, list[str]]) -> None:
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            tickets = (await conn.execute(text("SELECT code, text FROM tickets"))).all()
            held = (await conn.execute(text(
                "SELECT recipient, payload FROM outbox WHERE state = 'held'"))).all()
            out.undelivered = (await conn.execute(text(
                "SELECT count(*) FROM outbox WHERE state NOT IN ('sent', 'held')"))).scalar_one()
    finally:
        await engine.dispose()
    per_report: Counter[int] = Counter()
    code_of: dict[int, str] = {}
    for code, words in tickets:
        m = re.search(r"（第(\d+)号反映）", words or "")
        if m:
            per_report[int(m.group(1))] += 1
            code_of[int(m.group(1))] = code
    out.acknowledged = len(acked)
    out.lost = sum(1 for n in acked if per_report[n] == 0)
    out.duplicate_tickets = sum(c - 1 for c in per_report.values() if c > 1)
    deliveries = Counter((m["touser"].lower(), m["text"]) for m in standin.sent)
    out.pushes_twice = sum(1 for c in deliveries.values() if c > 1)
    held_texts = {(r.lower(), str(p)) for r, p in held}
    for n, replies in acked.items():
        code = code_of.get(n)
        if code is None:
            continue
        who = f"ocrash{n:05d}"
        got = any(code in r for r in replies) or any(code in t for t in standin.texts(who)) \
            or any(r == who and code in p for r, p in held_texts)
        out.no_code += 0 if got else 1

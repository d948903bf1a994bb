"""Gateway under a burst, driven from outside the server: `wrk` (bench/gateway.lua) posts
distinct, pre-signed safe-mode callbacks to `gridbot serve` running in its own process(es), and
each case alternates with a bare aiohttp server answering `success` (the ceiling) under the
same script, so the ratio is measured on the machine as it is at that moment.

Cases: `sqlite` (new reports from distinct residents, one process), `mixed` (70% new reports,
20% officer commands on WeCom, 10% queries and ratings; SQLite), `pg1`, `pg2`, `pg4`
(PostgreSQL, 1/2/4 workers). Per case it prints req/s, p50/p99, the passive share, peak RSS
per worker, CPU seconds per process group (workers, PostgreSQL backends, wrk), the ratio to the
ceiling and lost/duplicated counts read back from the database. Statements per report are
counted in-process with a SQLAlchemy event listener (`--tree`'s code, one report at a time).

Run: .venv/bin/python bench/gateway.py [--cases sqlite,mixed,pg1,pg2,pg4] [--seconds 8]
     [--tree DIR: the code to serve, e.g. an export of main for the "before" figures]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_requests import Keys, write_requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432"
PG_DB = os.environ.get("GRIDBOT_BENCH_PG_DB", "gridbot_bench")  # one per engineer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(path: Path, db_url: str, port: int, keys: Keys) -> Path:
    cfg = path / "bench.toml"
    cfg.write_text(f"""
district_file = "{ROOT / 'examples' / 'district.toml'}"
[server]
host = "127.0.0.1"
port = {port}
messages_per_minute = 100000
staff_messages_per_minute = 100000
[database]
url = "{db_url}"
[logging]
level = "WARNING"
[duplicates]
enabled = false
[wechat.mp]
app_id = "{keys.app_id}"
app_secret = "bench"
token = "{keys.mp_token}"
encoding_aes_key = "{keys.mp_aes}"
mode = "safe"
api_base_url = "http://127.0.0.1:9"
[wechat.work]
corp_id = "{keys.corp_id}"
agent_id = 1000002
secret = "bench"
token = "{keys.work_token}"
encoding_aes_key = "{keys.work_aes}"
api_base_url = "http://127.0.0.1:9"
[admin]
token = "bench-admin"
""")
    return cfg


def env_for(tree: Path, trace: Path | None = None) -> dict[str, str]:
    """The server's environment: `tree`'s code; with `trace`, bench/probe's recorder too.
    PROMETHEUS_MULTIPROC_DIR is taken out, not set empty: prometheus_client turns its
    multiprocess mode on when the variable exists at all (then every observation is a write
    to a file in the working directory), and one `gridbot serve` runs without it; under
    `--workers` the parent sets its own."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir")}
    env["PYTHONPATH"] = str(tree)
    if trace is not None:
        env["PYTHONPATH"] += os.pathsep + str(HERE / "probe")
        env["GRIDBOT_PROBE_DIR"] = str(trace)
    return env


def wait_http(url: str, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not come up at {url}")


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def cpu_seconds(pids: list[int], part: slice = slice(11, 13)) -> float:
    """utime + stime of `pids` (`part`: slice(11, 12) for user time only, (12, 13) kernel)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[part]) / tick
    return total


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pg_backends() -> list[int]:
    out = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{PG_DB}'")
    return [int(x) for x in out.split()]


def psql(sql: str, db: str = PG_DB) -> str:
    return subprocess.run(["psql", f"{PG_ADMIN}/{db}", "-tAc", sql], check=True,
                          capture_output=True, text=True).stdout


def wrk(url: str, reqdir: Path, args: argparse.Namespace) -> tuple[dict[str, float], float]:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s",
           "--timeout", "10s", "-s", str(HERE / "gateway.lua"), url, "--", str(reqdir)]
    start = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    end = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in out.splitlines() if ln.startswith("RESULT")), None)
    if line is None:
        raise SystemExit(f"wrk said:\n{out}")
    result = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
    cpu = end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime
    return result, cpu


def ceiling(reqdir: Path, args: argparse.Namespace) -> dict[str, float]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(HERE / "ceiling.py"), str(port)])
    try:
        wait_http(f"http://127.0.0.1:{port}/", 20)
        result, _ = wrk(f"http://127.0.0.1:{port}/wechat/mp", reqdir, args)
    finally:
        proc.terminate()
        proc.wait()
    return result


def counted(db_url: str) -> dict[str, int]:
    """What the database holds after the run: messages stored, tickets, and duplicates."""
    queries = {
        "stored": "SELECT count(*) FROM inbound_messages",
        "tickets": "SELECT count(*) FROM tickets",
        "dup_tickets": "SELECT count(*) - count(DISTINCT reporter_id) FROM tickets "
                       "WHERE source = 'resident'",
        "dup_notices": "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM outbox "
                       "WHERE ticket_id IS NOT NULL GROUP BY ticket_id, recipient) AS g",
    }
    if db_url.startswith("sqlite"):
        con = sqlite3.connect(db_url.split("///", 1)[1])
        try:
            return {k: int(con.execute(q).fetchone()[0]) for k, q in queries.items()}
        finally:
            con.close()
    return {k: int(psql(q).strip() or 0) for k, q in queries.items()}


def statements_per_report(tree: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(HERE / "statements.py")], env=env_for(tree),
                         capture_output=True, text=True, cwd=tree)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("{")), None)
    if line is None:
        print(out.stderr[-2000:])
        return {}
    return json.loads(line)


def run_case(case: str, args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    workers = int(case[2:]) if case.startswith("pg") else 1
    keys = Keys.make()
    port = free_port()
    if case.startswith("pg"):
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", PG_DB],
                       check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", PG_DB], check=True)
        db_url = (f"postgresql+asyncpg://postgres@/{PG_DB}?host={args.pg_socket}"
                  if args.pg_socket else f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DB}")
    else:
        db_url = f"sqlite+aiosqlite:///{tmp / f'{case}.db'}"
    cfg = config(tmp, db_url, port, keys)
    env = env_for(args.tree, args.trace)
    py = [sys.executable, "-m", "bot.cli.main"]
    # cwd: `python -m` puts the working directory before PYTHONPATH, so not this tree's
    subprocess.run([*py, "db", "upgrade", "--config", str(cfg)], env=env, check=True,
                   capture_output=True, cwd=tmp)
    serve = [*py, "serve", "--config", str(cfg)] + (["--workers", str(workers)]
                                                   if workers > 1 else [])
    server = subprocess.Popen(serve, env=env, cwd=tmp, stderr=open(tmp / f"{case}.log", "w"))
    try:
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz")
        except SystemExit:
            print((tmp / f"{case}.log").read_text()[-3000:])
            raise
        time.sleep(1 if workers == 1 else 3)  # every worker up and warmed
        reqdir = tmp / f"req-{case}"
        reqdir.mkdir(exist_ok=True)
        write_requests(reqdir, keys, args.threads, args.per_thread, mixed=case == "mixed")
        top = ceiling(reqdir, args)
        write_requests(reqdir, keys, args.threads, args.per_thread, mixed=case == "mixed")
        procs = [server.pid, *children(server.pid)]
        pg = pg_backends() if case.startswith("pg") else []
        before = {"workers": cpu_seconds(procs), "postgres": cpu_seconds(pg),
                  "workers_kernel": cpu_seconds(procs, slice(12, 13))}
        spy = None
        if args.py_spy:  # folded stacks of every worker while wrk runs, for a profile
            spy = subprocess.Popen(
                [str(Path(sys.executable).parent / "py-spy"), "record", "--format", "raw",
                 "-r", "200", "-d", str(args.seconds + 1), "-s", "-p", str(server.pid),
                 "-o", str(args.py_spy / f"{case}.folded")], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            time.sleep(1)
        tracer = None
        if args.strace:  # each worker's socket syscalls while wrk runs (slows them down)
            tracer = subprocess.Popen(
                ["strace", "-c", "-f", "-e", "trace=sendto,recvfrom,write,read",
                 "-o", str(args.strace / f"{case}.strace"),
                 *[a for p in procs for a in ("-p", str(p))]],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        res, wrk_cpu = wrk(f"http://127.0.0.1:{port}/wechat/mp", reqdir, args)
        if tracer is not None:
            tracer.send_signal(signal.SIGINT)
            tracer.wait()
        if spy is not None:
            spy.wait()
        pg = sorted(set(pg) | set(pg_backends())) if case.startswith("pg") else []
        after = {"workers": cpu_seconds(procs), "postgres": cpu_seconds(pg),
                  "workers_kernel": cpu_seconds(procs, slice(12, 13))}
        rss = [peak_rss_mb(p) for p in procs if peak_rss_mb(p) > 0]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    db = counted(db_url)
    answered = int(res["passive"] + res["nothing"])
    rate = res["requests"] / res["seconds"]
    top_rate = top["requests"] / top["seconds"]
    cpu = {k: round(after[k] - before[k], 2) for k in after} | {"wrk": round(wrk_cpu, 2)}
    return {
        "case": case, "workers": workers, "req_s": round(rate), "p50_ms": res["p50_us"] / 1000,
        "p99_ms": res["p99_us"] / 1000, "passive": res["passive"] / max(answered, 1),
        "errors": int(res["errors"] + res["socket_errors"]), "wrapped": int(res["wrapped"]),
        "ceiling_req_s": round(top_rate), "ratio": rate / top_rate,
        "rss_mb": [round(r) for r in rss], "cpu_s": cpu,
        "cpu_ms_per_req": round(1000 * cpu["workers"] / max(res["requests"], 1), 2),
        "lost": max(0, answered - db["stored"]),
        "duplicated": db["dup_tickets"] + db["dup_notices"], "tickets": db["tickets"],
    }


def show(r: dict[str, object]) -> None:
    rss = "/".join(str(x) for x in r["rss_mb"])  # type: ignore[attr-defined]
    print(f"{r['case']:<7} {r['req_s']:>6} req/s  p50 {r['p50_ms']:6.1f} ms  p99 "
          f"{r['p99_ms']:6.1f} ms  passive {100 * r['passive']:5.1f}%  ceiling "  # type: ignore[operator]
          f"{r['ceiling_req_s']} ({r['ratio']:.3f}x)  rss {rss} MB  cpu {r['cpu_s']}  "
          f"{r['cpu_ms_per_req']} ms/req  lost {r['lost']} dup {r['duplicated']} "
          f"errors {r['errors']}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="sqlite,mixed,pg1,pg2,pg4")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--per-thread", type=int, default=8000)
    ap.add_argument("--tree", type=Path, default=ROOT)
    ap.add_argument("--pg-socket", metavar="DIR",
                    help="reach PostgreSQL through its Unix socket in DIR"
                    " (e.g. /var/run/postgresql) instead of TCP on 127.0.0.1")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--py-spy", type=Path, help="a folder: write each case's sampled stacks")
    ap.add_argument("--strace", type=Path, help="a folder: count the workers' socket "
                    "syscalls (strace -c) while wrk runs; per request with the requests "
                    "printed (strace slows the workers: not for the other figures)")
    ap.add_argument("--trace", type=Path, help="a folder: the server records its requests, "
                    "garbage collections, writer bursts and background rounds against time "
                    "there (bench/probe; summarise with bench/trace.py)")
    args = ap.parse_args()
    args.tree = args.tree.resolve()
    if args.strace is not None:
        args.strace = args.strace.resolve()
        args.strace.mkdir(parents=True, exist_ok=True)
    if args.trace is not None:
        args.trace = args.trace.resolve()
        args.trace.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()}; tree {args.tree}", flush=True)
    stmts = statements_per_report(args.tree)
    print(f"statements per report: {stmts}", flush=True)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.cases.split(","):
            results.append(run_case(case, args, Path(tmp)))
            show(results[-1])
    if args.json:
        args.json.write_text(json.dumps({"statements": stmts, "cases": results,
                                         "load": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()

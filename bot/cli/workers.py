"""`gridbot serve --workers N`: N gateway processes on one port (SO_REUSEPORT), on PostgreSQL.

Each worker is a whole app (gateway, outbox sender, media store, scheduler): PostgreSQL is
what they share (dedupe by unique key, outbox claimed with SKIP LOCKED, one scheduler leader
by advisory lock, the district version row); the flood guard shares its counters through
Redis when `[server] flood_store = "redis"`. This parent only starts them, restarts one that
dies, and stops them all on SIGINT/SIGTERM. Metrics: it points PROMETHEUS_MULTIPROC_DIR at a
fresh directory first, so `/metrics` on any worker adds up every worker's series.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from prometheus_client import multiprocess

from storage.config import Settings

logger = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # a worker that dies at once is not restarted in a tight loop
STOP_GRACE = 15.0


def exit_with_parent(parent: int, interval: float = 1.0) -> threading.Thread:
    """Stop this worker (SIGTERM: aiohttp's graceful shutdown) once `parent` is gone. A
    worker whose parent was killed would serve on as an orphan, never restarted when it
    dies, and a new `serve` would start beside it on the same port (trial 13)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        logger.error("the serving parent (pid %d) is gone: this worker stops", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def run_worker(settings: Settings, index: int, reuse_port: bool,
               parent: int | None = None) -> None:
    from aiohttp import web

    from bot.access_log import ACCESS_LOG
    from bot.app import create_app
    from bot.cli.main import _logging
    from bot.heap import settle_after_start

    _logging(settings.logging.level)
    if parent is not None:
        exit_with_parent(parent)
    host, port = settings.server.host, settings.server.port
    logger.info("worker %d (pid %d) starting", index, os.getpid())
    web.run_app(settle_after_start(create_app(settings)), host=host, port=port,
                reuse_port=reuse_port,
                # called once the socket listens, after the start-up (classifier, district)
                print=lambda _: logger.info("worker %d (pid %d) serving: listening on %s:%d",
                                            index, os.getpid(), host, port),
                **ACCESS_LOG)  # no openid, signature or nonce in the access log


def shared_console_secret(settings: Settings, workers: int) -> Settings:
    """With `[console] secret` empty each worker would make its own random key, and a sign-in
    made on one would not be valid on the next (each warning so, N times): the workers share
    one made here instead, and this one warning says what that still costs."""
    if settings.console.secret:
        return settings
    logger.warning("[console] secret is empty: the %d workers share a random key made at "
                   "start, so console sign-ins end when gridbot restarts; set [console] secret "
                   "(or GRIDBOT_CONSOLE__SECRET) to keep them", workers)
    console = settings.console.model_copy(update={"secret": secrets.token_hex(32)})
    return settings.model_copy(update={"console": console})


def metrics_dir() -> Path:
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    path = Path(given) if given else Path(tempfile.mkdtemp(prefix="gridbot-metrics-"))
    if path.exists():
        shutil.rmtree(path)  # values of a previous run must not add up with this one's
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def serve_workers(settings: Settings, workers: int) -> int:
    if settings.database.url.startswith("sqlite"):
        logger.error("--workers %d needs PostgreSQL: SQLite has one writer (use one process)",
                     workers)
        return 2
    settings = shared_console_secret(settings, workers)
    folder = metrics_dir()
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited loop or pool
    stopping = False

    def start(i: int) -> BaseProcess:
        proc = ctx.Process(target=run_worker, args=(settings, i, True, os.getpid()),
                           name=f"gridbot-{i}")
        proc.start()
        return proc

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    procs = [start(i) for i in range(workers)]
    logger.info("%d workers on %s:%d: %s", workers, settings.server.host, settings.server.port,
                " ".join(str(p.pid) for p in procs))
    while not stopping:
        time.sleep(0.2)
        for i, proc in enumerate(procs):
            if not proc.is_alive() and not stopping:
                logger.error("worker %d (pid %s) exited with %s: restarting", i, proc.pid,
                             proc.exitcode)
                multiprocess.mark_process_dead(proc.pid)
                time.sleep(RESTART_PAUSE)
                procs[i] = start(i)
    for proc in procs:
        if proc.is_alive() and proc.pid is not None:
            os.kill(proc.pid, signal.SIGINT)  # aiohttp's graceful shutdown
    deadline = time.monotonic() + STOP_GRACE
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
    shutil.rmtree(folder, ignore_errors=True)
    return 0

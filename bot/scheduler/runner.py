"""The scheduler (APScheduler 3, Asia/Shanghai):
runs the supervision jobs of handlers.jobs.registry.

Every worker runs a scheduler; at each run a job first asks the Leader whether this worker leads
(bot.scheduler.leader: an advisory lock on PostgreSQL), so one worker does the work and another
takes over when it dies. A job that raises is logged and its next run still happens. The job
bodies are idempotent on their own (JobRun keys), so a restart never double-sends.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import metrics
from bot.runtime import Runtime
from bot.scheduler.leader import Leader
from handlers.jobs.registry import Job, daily_digest, expire_drafts, sweep, weekly_summary
from handlers.ops.services import Services
from storage.clock import SHANGHAI
from storage.db import UNIT_KIND, Database

logger = logging.getLogger(__name__)

__all__ = ["SupervisionScheduler", "expire_drafts", "run_job", "start_scheduler"]

# a digest whose time passed while the loop was busy still goes out up to this late; one whose
# time passed while no worker ran is skipped (a catch-up at start would fire in any app start)
LATE_GRACE = 3600


class SupervisionScheduler(AsyncIOScheduler):
    """An AsyncIOScheduler that gives up the leader lock when it shuts down."""

    def __init__(self, leader: Leader) -> None:
        super().__init__(timezone=SHANGHAI)
        self.leader = leader
        self._closing: asyncio.Task[None] | None = None
        self.announcing: asyncio.Task[None] | None = None

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait=wait)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop left: the process is ending and its sessions with it
            return
        self._closing = loop.create_task(self.leader.close(), name="scheduler-leader-close")


async def run_job(job: Job, db: Database, services: Services, leader: Leader,
                  wake: Callable[[], None] | None = None) -> int:
    """One run of `job` if this worker leads; never raises (the next run must still happen)."""
    name = getattr(job, "__name__", str(job))
    start = time.perf_counter()
    UNIT_KIND.set("job")  # the job's own task (APScheduler runs each in one)
    try:
        if not await leader.check():
            return 0
        done = await job(db, services)
    except Exception:
        logger.exception("scheduled job %s failed", name)
        metrics.JOB_RUNS.labels(name, "failed").inc()
        return 0
    metrics.JOB_RUNS.labels(name, "done").inc()
    metrics.JOB_SECONDS.labels(name).observe(time.perf_counter() - start)
    if done and wake is not None:
        wake()  # the outbox sender sends now rather than at its next poll
    return done


def _cron(hhmm: str, day_of_week: str | None = None) -> CronTrigger:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return CronTrigger(hour=hour, minute=minute, day_of_week=day_of_week, timezone=SHANGHAI)


def start_scheduler(runtime: Runtime) -> AsyncIOScheduler | None:
    """The jobs over `runtime`'s database and services; None when the config disables it."""
    cfg = runtime.settings.scheduler
    if not cfg.enabled:
        return None
    db, services = runtime.db, runtime.services
    leader = Leader(db.url)
    scheduler = SupervisionScheduler(leader)
    wake = runtime.sender.wake if runtime.sender is not None else None

    def add(job: Job, trigger: IntervalTrigger | CronTrigger, grace: int) -> None:
        scheduler.add_job(run_job, trigger, args=(job, db, services, leader, wake),
                          id=job.__name__, name=job.__name__, max_instances=1, coalesce=True,
                          misfire_grace_time=grace)

    add(sweep, IntervalTrigger(seconds=cfg.sweep_seconds, timezone=SHANGHAI), cfg.sweep_seconds)
    add(daily_digest, _cron(cfg.digest_time), LATE_GRACE)
    add(weekly_summary, _cron(cfg.weekly_time, cfg.weekly_day), LATE_GRACE)
    scheduler.start()
    plan = (f"sweep every {cfg.sweep_seconds}s, digest at {cfg.digest_time}, weekly "
            f"{cfg.weekly_day} {cfg.weekly_time} (Asia/Shanghai)")
    scheduler.announcing = asyncio.get_running_loop().create_task(
        _announce(leader, plan), name="scheduler-announce")
    return scheduler


async def _announce(leader: Leader, plan: str) -> None:
    """One line at start that says whether this process leads (runs the jobs) or stands by:
    under `--workers N` only one of the N lines says it leads."""
    if await leader.check():
        logger.info("scheduler started, this process (pid %d) leads: %s", os.getpid(), plan)
    else:
        logger.info("scheduler started, standing by (pid %d): another process leads the "
                    "scheduled jobs; this one takes over if it stops", os.getpid())

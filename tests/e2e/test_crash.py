"""The crash experiment in the suite (small, bounded): `gridbot serve` SIGKILLed at random
points during a burst of distinct signed reports with WeChat-style retries, restarted; then
every acknowledged report has exactly one ticket, every reporter got their code, nothing was
pushed twice and nothing is left undelivered. Bigger runs: bench/crash.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import crash as crashkit
from tests.support.db import reset_schema

PG_URL = os.environ.get("GRIDBOT_TEST_DATABASE_URL")
CASES = {
    "kills": crashkit.Plan(reports=120, kills=2, seed=11),
    "faults": crashkit.Plan(reports=80, kills=1, seed=12, chaos=0.3, ghost=0.1),
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def crash_db(request: pytest.FixtureRequest, tmp_path: Path):  # noqa: ANN201
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
        return
    if not PG_URL:
        pytest.skip("GRIDBOT_TEST_DATABASE_URL is not set")
    yield PG_URL
    await reset_schema(PG_URL)


@pytest.mark.parametrize("case", CASES)
async def test_nothing_lost_nothing_twice_when_killed(case: str, crash_db: str,
                                                      tmp_path: Path) -> None:
    plan = CASES[case]
    out = await crashkit.run(plan, crash_db, tmp_path)
    print(f"{case} on {crash_db.split(':')[0]}: {out.row()}")
    assert out.kills == plan.kills
    assert out.acknowledged >= plan.reports // 2, out.row()
    assert (out.lost, out.duplicate_tickets, out.pushes_twice) == (0, 0, 0), out.row()
    assert (out.no_code, out.undelivered) == (0, 0), out.row()
    if plan.chaos:
        assert sum(out.faults.values()) > 0 and out.ghosts > 0  # the faults did happen

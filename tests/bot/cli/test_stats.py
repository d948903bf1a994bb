"""`gridbot stats` in-process over a migrated SQLite file: the table, --json, bad filters."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from storage.clock import FrozenClock
from storage.db import Database
from storage.migrate import upgrade
from tests.support.history import (
    BY_GRID,
    NOW,
    SINCE,
    TOTAL,
    UNTIL,
    approx,
    cli_parser,
    public,
    seed_history,
)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated file for the module: the CLI only reads it."""
    tmp_path = tmp_path_factory.mktemp("stats-cli")
    url = f"sqlite+aiosqlite:///{tmp_path / 'gridbot.db'}"

    async def make() -> None:
        await upgrade(url)
        db = Database(url)
        try:
            await db.run(seed_history)
        finally:
            await db.close()

    asyncio.run(make())
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def run(config: Path, *argv: str) -> int:
    args = cli_parser().parse_args(["stats", "--config", str(config), *argv])
    return args.fn(args, clock=FrozenClock(NOW))


def test_json_gives_the_rates(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "--since", SINCE, "--until", UNTIL, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["since"], out["until"]) == (SINCE, UNTIL)
    assert public(out) == approx(TOTAL)


def test_json_by_grid(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "--since", SINCE, "--until", UNTIL, "--by", "grid", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["by"] == "grid"
    assert [public(i) for i in out["items"]] == [approx(e) for e in BY_GRID]
    assert public(out["total"]) == approx(TOTAL)


def test_table_for_people(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "--since", SINCE, "--until", UNTIL, "--by", "grid") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("统计区间 2026-11-01 至 2026-11-20")
    assert lines[1].split() == ["分组", "受理", "响应率", "办结率", "按期办结率", "满意率",
                                "平均接单(分钟)", "平均办结(小时)", "催办率"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert rows["C1-G2"].split() == ["C1-G2", "幸福二网格", "2", "100.0%", "(2/2)", "50.0%",
                                     "(1/2)", "0.0%", "(0/2)", "50.0%", "(1/2)", "75.0", "300.0",
                                     "0.0%", "(0/2)"]
    # no grid: a readable label, '-' where there is nothing to divide by
    assert rows["(未定位到网格)"].split() == ["(未定位到网格)", "1", "0.0%", "(0/1)", "0.0%",
                                              "(0/1)", "0.0%", "(0/1)", "-", "-", "-",
                                              "0.0%", "(0/1)"]
    assert rows["合计"].split()[1:] == ["7", "57.1%", "(4/7)", "57.1%", "(4/7)", "50.0%",
                                        "(3/6)", "75.0%", "(3/4)", "340.0", "88.8",
                                        "0.0%", "(0/7)"]


def test_default_range_is_last_30_days(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["since"], out["until"]) == ("2026-10-22", "2026-11-20")
    assert out["received"] == 8  # T1–T7 and T10 of 10-31; T8 cancelled, T9 duplicate


@pytest.mark.parametrize(("argv", "words"), [
    (["--since", "2026-11-31"], "since is not a calendar date"),
    (["--until", "yesterday"], "until must be a date YYYY-MM-DD"),
    (["--since", "2026-11-20", "--until", "2026-11-01"], "after until"),
    (["--by", "street"], "by must be one of grid, community, category"),
])
def test_bad_filters_exit_2(config: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                            words: str) -> None:
    assert run(config, *argv) == 2
    captured = capsys.readouterr()
    assert words in captured.err and captured.out == ""


def test_missing_database_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "none.db"}"\n',
                    encoding="utf-8")
    assert run(path, "--json") == 1
    assert "gridbot db upgrade" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()

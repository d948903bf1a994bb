"""What the operator reads: `db upgrade` says what it applied, log lines name their process,
and `serve --workers N` without `[console] secret` warns once and shares one key."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.cli.main import _logging, main
from bot.cli.workers import shared_console_secret
from storage.config import Settings
from storage.migrate import head


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "g.db"}"\n',
                   encoding="utf-8")
    return cfg


def test_db_upgrade_says_what_it_applied_then_that_it_is_current(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _config(tmp_path)
    assert main(["db", "upgrade", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert f"已升级：0001 → {head()}" in out and "已是最新" not in out
    assert main(["db", "upgrade", "--config", str(cfg)]) == 0
    assert "数据库已是最新结构" in capsys.readouterr().out


def test_db_upgrade_prints_its_summary_without_alembics_info_lines(tmp_path: Path) -> None:
    import subprocess
    import sys

    cfg = _config(tmp_path)
    run = subprocess.run([sys.executable, "-m", "bot.cli.main", "db", "upgrade", "--config",
                          str(cfg)], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[3])
    assert run.returncode == 0 and f"已升级：0001 → {head()}" in run.stdout
    assert "Context impl" not in run.stderr and "Running upgrade" not in run.stderr
    assert "database migrated to" in run.stderr  # our own one line stays


def test_every_log_line_names_the_process_that_wrote_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = []
    try:
        _logging("INFO")
        logging.getLogger("gridbot.test").info("this worker leads")
    finally:
        root.handlers = saved
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"[{os.getpid()}]" in line and "this worker leads" in line


def test_workers_without_a_console_secret_share_one_key_with_one_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        shared = shared_console_secret(Settings(), 4)
    warnings = [r for r in caplog.records if "[console] secret" in r.getMessage()]
    assert len(warnings) == 1 and "4 workers" in warnings[0].getMessage()
    assert len(shared.console.secret) == 64  # every worker gets this same settings object
    caplog.clear()
    given = Settings(console={"secret": "s3cret"})
    assert shared_console_secret(given, 4).console.secret == "s3cret" and not caplog.records


def test_every_log_line_starts_with_its_time_and_pid() -> None:
    """A reply or a traceback spans lines; on call one greps a time or a pid and must get the
    whole record (trial 13: 62 % of the lines had no time stamp)."""
    import io
    import logging
    import re

    from bot.cli.main import LOG_FORMAT
    from handlers.ops.privacy import MaskPhones, OneLine

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(MaskPhones())
    handler.setFormatter(OneLine(LOG_FORMAT))
    log = logging.getLogger("gridbot.test.oneline")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("reply:\n已受理您的反映\n电话 13800000001")
        try:
            raise ValueError("第一行\n第二行")
        except ValueError:
            log.exception("processing failed")
    finally:
        log.removeHandler(handler)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    stamp = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (WARNING|ERROR) \[\d+\] ")
    assert all(stamp.match(line) for line in lines)
    assert "已受理您的反映 ⏎ 电话 138****0001" in lines[0]
    assert "Traceback" in lines[1] and "ValueError: 第一行 ⏎ 第二行" in lines[1]

"""`gridbot users add|list|passwd|disable` on a fresh database file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.storage import EXAMPLE_PATH


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], config: Path,
        *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main([*argv, "--config", str(config)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "g.db"}"\n',
                      encoding="utf-8")
    examples = EXAMPLE_PATH
    assert run(monkeypatch, capsys, config, "db", "upgrade")[0] == 0  # the only migrating command
    assert run(monkeypatch, capsys, config, "district", "import", str(examples))[0] == 0
    code, out, _ = run(monkeypatch, capsys, config, "users", "add", "wang", "--role", "community",
                       "--area", "FC-LJ", "--name", "王社区", "--password-stdin",
                       stdin="a-long-password\n")
    assert code == 0 and "wang added" in out
    code, _, err = run(monkeypatch, capsys, config, "users", "add", "li", "--role", "street",
                       "--area", "FC-LJ", "--password-stdin", stdin="a-long-password\n")
    assert code == 1 and "FC-LJ 是 community" in err
    code, _, err = run(monkeypatch, capsys, config, "users", "add", "zhao", "--role", "centre",
                       "--password-stdin", stdin="short\n")
    assert code == 1 and "至少 8 位" in err
    assert run(monkeypatch, capsys, config, "users", "passwd", "wang", "--password-stdin",
               stdin="another-password\n")[0] == 0
    assert run(monkeypatch, capsys, config, "users", "disable", "wang")[0] == 0
    code, out, _ = run(monkeypatch, capsys, config, "users", "list", "--json")
    assert code == 0
    assert json.loads(out) == [{"username": "wang", "name": "王社区", "role": "community",
                                "area": "FC-LJ", "person": None, "active": False}]

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
    assert code == 0 and "已添加用户 wang" in out
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


def test_a_password_piped_without_the_flag_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Trial G8: `echo pw | gridbot users add NAME --role centre` made a user with no password;
    it is refused, and nothing is made (a second try with the flag then works)."""
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "g.db"}"\n',
                      encoding="utf-8")
    assert run(monkeypatch, capsys, config, "db", "upgrade")[0] == 0
    code, _, err = run(monkeypatch, capsys, config, "users", "add", "zhou", "--role", "centre",
                       stdin="a-long-password\n")
    assert code == 1 and "--password-stdin" in err and "未做任何改动" in err
    assert "zhou" not in run(monkeypatch, capsys, config, "users", "list")[1]
    code, out, _ = run(monkeypatch, capsys, config, "users", "add", "zhou", "--role", "centre",
                       "--password-stdin", stdin="a-long-password\n")
    assert code == 0 and "未设密码" not in out
    code, out, _ = run(monkeypatch, capsys, config, "users", "add", "qian", "--role", "centre")
    assert code == 0 and "只能用企业微信登录" in out  # nothing piped: WeCom sign-in only

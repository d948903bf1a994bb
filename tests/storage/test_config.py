"""Config: TOML validated at start, environment overrides, every subcommand's --config."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from storage.config import ConfigError, config_path, load_settings


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_example_config_is_valid_and_documents_every_section() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    settings = load_settings(example)
    text = example.read_text(encoding="utf-8")
    for section in settings.model_dump():
        if isinstance(settings.model_dump()[section], dict):
            assert section in text, f"[{section}] is not documented in config.example.toml"


def test_environment_overrides_nested_keys(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write(tmp_path, '[wechat.mp]\napp_id = "wx1"\napp_secret = "from-file"\n')
    monkeypatch.setenv("GRIDBOT_WECHAT__MP__APP_SECRET", "from-env")
    s = load_settings(cfg)
    assert (s.wechat.mp.app_id, s.wechat.mp.app_secret) == ("wx1", "from-env")


def test_bad_values_name_the_key_and_the_reason(tmp_path: Path) -> None:
    cfg = write(tmp_path, '[server]\nport = "eighty"\n[sla.urgent]\nrespond = "5q"\n'
                'resolve = "1h"\n[wechat.mp]\nmode = "secret"\n')
    with pytest.raises(ConfigError) as e:
        load_settings(cfg)
    msg = str(e.value)
    assert "server.port" in msg and "sla.urgent.respond" in msg and "'5q'" in msg
    assert "wechat.mp.mode" in msg


def test_unknown_keys_are_refused_not_ignored(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="server.prot"):
        load_settings(write(tmp_path, "[server]\nprot = 8080\n"))
    with pytest.raises(ConfigError, match="categories"):
        load_settings(write(tmp_path, '[categories.weather]\nslot = "officer"\n'))


def test_toml_syntax_error_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="invalid config"):
        load_settings(write(tmp_path, "[server\nport = 1\n"))


def test_config_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDBOT_CONFIG", raising=False)
    assert config_path(None) is None
    write(tmp_path, "")
    assert config_path(None) == Path("config.toml")
    monkeypatch.setenv("GRIDBOT_CONFIG", "/etc/gridbot.toml")
    assert config_path(None) == Path("/etc/gridbot.toml")
    assert config_path("other.toml") == Path("other.toml")


def test_cli_reports_a_bad_config_and_exits_2(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path, "[server]\nport = -1\n")
    assert main(["tickets", "list", "--config", str(cfg)]) == 2
    assert "server.port" in capsys.readouterr().err
    assert main(["db", "upgrade", "--config", str(tmp_path / "missing.toml")]) == 2


def test_serving_logs_never_carry_sql_parameters() -> None:
    import logging

    from bot.cli.main import _logging

    _logging("DEBUG")
    for name in ("sqlalchemy.engine", "aiosqlite"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)

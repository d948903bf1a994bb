"""`gridbot district import` names the slot holders no notice can reach (trial E1)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli.main import main
from storage.migrate import upgrade
from tests.support.district import DISTRICT

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
UNBOUND = DISTRICT.replace('name = "李娜"\nroles = ["officer"]\nwecom_userid = "lina"',
                           'name = "李娜"\nroles = ["officer"]\nbind_code = "556677"')


def _import(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> str:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "g.db"}"\n'
                   '[logging]\nlevel = "WARNING"\n', encoding="utf-8")
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"))
    path = tmp_path / "district.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["district", "import", str(path), "--config", str(cfg)]) == 0
    return capsys.readouterr().out


def test_an_unreachable_officer_is_named(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert UNBOUND != DISTRICT
    out = _import(tmp_path, UNBOUND, capsys)
    [line] = [x for x in out.splitlines() if "收不到" in x]
    assert "李娜（lina）" in line and "连江社区第二网格网格员" in line
    assert "尚未用绑定码 556677 绑定公众号" in line  # the code stands apart from the words


def test_a_district_everyone_can_be_reached_in_warns_of_nobody(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _import(tmp_path, DISTRICT, capsys)
    assert "收不到" not in out and "区域：新建" in out


def test_a_department_nobody_can_reach_is_named(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = DISTRICT.replace('departments = ["城管"]', 'departments = ["城管"]').replace(
        'wecom_userid = "cg01"\n', "")
    assert text != DISTRICT
    out = _import(tmp_path, text, capsys)
    [line] = [x for x in out.splitlines() if "收不到" in x]
    assert "城管中队（cg）" in line and "部门（城管）" in line

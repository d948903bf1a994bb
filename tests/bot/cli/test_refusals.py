"""Every CLI command refuses bad input with one line on stderr and exit 2, and none but
`db upgrade` migrates the database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.main import main
from storage.migrate import current, head, upgrade

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "g.db"}"\n'
                   '[logging]\nlevel = "WARNING"\n', encoding="utf-8")
    return cfg


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "latin1.txt").write_bytes("名单".encode("gbk"))
    (tmp_path / "notjson.jsonl").write_text("{not json\n", encoding="utf-8")
    (tmp_path / "norows.jsonl").write_text('{"text": "x"}\n[1, 2]\n', encoding="utf-8")
    return {"missing": tmp_path / "nope.toml", "directory": tmp_path,
            "latin1": tmp_path / "latin1.txt", "notjson": tmp_path / "notjson.jsonl",
            "norows": tmp_path / "norows.jsonl"}


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err and len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("which", ["missing", "directory", "latin1"])
async def test_district_import_refuses_what_is_not_a_readable_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str) -> None:
    cfg = _config(tmp_path)
    await upgrade(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
    err = _refused(capsys, ["district", "import", str(_bad_files(tmp_path)[which]),
                            "--config", str(cfg)])
    assert str(tmp_path) in err


@pytest.mark.parametrize("which", ["missing", "directory", "latin1", "notjson", "norows"])
def test_eval_refuses_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 which: str) -> None:
    _refused(capsys, ["eval", str(_bad_files(tmp_path)[which])])


def test_a_bad_district_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    import asyncio

    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"))
    bad = tmp_path / "district.toml"
    bad.write_text("[district]\ncode = 1\n", encoding="utf-8")
    assert "整份未导入" in _refused(capsys, ["district", "import", str(bad), "--config",
                                                   str(_config(tmp_path))])


@pytest.mark.parametrize("argv", [["serve"], ["menu", "push"],
                                  ["district", "import", "examples/district.toml"]])
def test_only_db_upgrade_migrates(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  argv: list[str]) -> None:
    import asyncio

    cfg, url = _config(tmp_path), f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"
    err = _refused(capsys, [*argv, "--config", str(cfg)])
    assert "gridbot db upgrade" in err
    assert asyncio.run(current(url)) is None  # refused, and nothing was migrated on the way
    assert main(["db", "upgrade", "--config", str(cfg)]) == 0
    assert asyncio.run(current(url)) == head()


def test_tickets_list_refuses_an_unknown_status_with_the_valid_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Trial G7: `--status bogus` printed an empty list; the API refuses it, and so does the
    CLI, listing the statuses there are."""
    import asyncio

    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"))
    cfg = str(_config(tmp_path))
    err = _refused(capsys, ["tickets", "list", "--status", "bogus", "--config", cfg])
    assert "bogus" in err and "assigned" in err and "closed" in err
    err = _refused(capsys, ["tickets", "list", "--category", "weather", "--config", cfg])
    assert "weather" in err and "fire_safety" in err
    assert main(["tickets", "list", "--status", "assigned", "--config", cfg]) == 0


ENGLISH = re.compile(r"\b(refused|needs|no such|not a|cannot|nothing|not found|error)\b")


def test_refusals_are_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Trial G9: one language in what the CLI says (the command's name and flags aside)."""
    import asyncio

    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"))
    cfg = str(_config(tmp_path))
    bad = _bad_files(tmp_path)
    for argv in (["district", "import", str(bad["missing"])],
                 ["district", "import", str(bad["latin1"])],
                 ["tickets", "list", "--status", "bogus"]):
        err = _refused(capsys, [*argv, "--config", cfg])
        assert re.search(r"[\u4e00-\u9fff]", err) and not ENGLISH.search(err), err
    assert main(["tickets", "show", "GD20990101-0001", "--config", cfg]) == 1
    err = capsys.readouterr().err
    assert "没有找到工单" in err and not ENGLISH.search(err)
    empty = tmp_path / "empty"
    empty.mkdir()
    err = _refused(capsys, ["district", "import", "examples/district.toml", "--config",
                            str(_config(empty))])  # a database not migrated yet
    assert "gridbot db upgrade" in err and not ENGLISH.search(err.replace("gridbot db", "")), err


def test_output_cut_short_by_head_ends_quietly(tmp_path: Path) -> None:
    """`gridbot … | head`: the reader closes the pipe early; no BrokenPipe traceback."""
    import subprocess
    import sys

    lines = tmp_path / "many.txt"
    lines.write_text("3号楼楼道灯坏了\n" * 3000, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from bot.cli.main import main; sys.exit(main())",
         "classify", "--file", str(lines)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).parents[3])
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # what `head -1` reads, then it goes away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert b'"category"' in first
    assert "Traceback" not in err and "BrokenPipe" not in err, err

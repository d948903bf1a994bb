"""改类 corrections feed `gridbot nlp train`; a running analyser picks the new model up."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.main import main
from nlp import Analyzer
from storage.db import Database
from storage.migrate import upgrade
from storage.models import CategoryCorrection

ODD = "小区里新来的咕噜兽天天半夜嚎"  # a word no corpus has: only the corrections teach it


async def test_corrections_retrain_and_running_server_reloads(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"
    await upgrade(url)
    db = Database(url)

    async def add(s: AsyncSession) -> None:
        for _ in range(3):
            s.add(CategoryCorrection(text=ODD, old_category="noise", new_category="animals"))

    await db.run(add)
    await db.close()
    model = tmp_path / "nlp-model.json"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[database]\nurl = "{url}"\n[nlp]\nmodel_path = "{model}"\n')

    running = Analyzer.load_watching(model)  # a server started before any training
    assert not running.reload_if_changed()
    assert await asyncio.to_thread(main, ["nlp", "train", "--config", str(cfg)]) == 0
    assert model.exists()
    assert running.reload_if_changed()
    assert not running.reload_if_changed()  # once per new file
    assert running.analyze(ODD).category == "animals"

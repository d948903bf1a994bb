"""The second blind corpus, with its own district, through the dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from storage.db import Database
from tests.support.corpus import HERE_V2, corpus_run, known, load
from tests.support.db import fresh

DIALOGUES = load("dialogues.jsonl", HERE_V2)
KNOWN_V2 = known(HERE_V2)


@pytest_asyncio.fixture
async def corpus_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await fresh(f"sqlite+aiosqlite:///{tmp_path / 'corpus.db'}")
    yield database
    await database.close()


@pytest.mark.parametrize("dialogue", [
    pytest.param(d, id=d["id"], marks=[pytest.mark.xfail(reason=KNOWN_V2[d["id"]], strict=True)]
                 if d["id"] in KNOWN_V2 else []) for d in DIALOGUES])
async def test_blind_dialogue_v2(corpus_db: Database, dialogue: dict[str, Any]) -> None:
    failures = await (await corpus_run(corpus_db, HERE_V2)).play(dialogue)
    assert not failures, f"{dialogue['id']} ({dialogue['note']}):\n" + "\n".join(failures)


def test_every_known_failure_is_a_dialogue() -> None:
    assert set(KNOWN_V2) <= {d["id"] for d in DIALOGUES}

"""Every dialogue of the corpus through the dispatcher, one unit of work per message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from storage.db import Database
from tests.support.corpus import KNOWN, corpus_run, load
from tests.support.db import fresh

BLIND = load("dialogues.jsonl")
OURS = load("extra.jsonl")


@pytest_asyncio.fixture
async def corpus_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await fresh(f"sqlite+aiosqlite:///{tmp_path / 'corpus.db'}")
    yield database
    await database.close()


def _ids(rows: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(d, id=d["id"], marks=[pytest.mark.xfail(reason=KNOWN[d["id"]],
                                                                 strict=True)]
                         if d["id"] in KNOWN else []) for d in rows]


@pytest.mark.parametrize("dialogue", _ids(BLIND))
async def test_blind_dialogue(corpus_db: Database, dialogue: dict[str, Any]) -> None:
    failures = await (await corpus_run(corpus_db)).play(dialogue)
    assert not failures, f"{dialogue['id']} ({dialogue['note']}):\n" + "\n".join(failures)


@pytest.mark.parametrize("dialogue", _ids(OURS))
async def test_our_dialogue(corpus_db: Database, dialogue: dict[str, Any]) -> None:
    failures = await (await corpus_run(corpus_db)).play(dialogue)
    assert not failures, f"{dialogue['id']} ({dialogue['note']}):\n" + "\n".join(failures)


def test_corpus_is_large_enough() -> None:
    assert len(BLIND) + len(OURS) >= 150
    assert len({d["id"] for d in BLIND + OURS}) == len(BLIND) + len(OURS)

"""Every dialogue of the corpus through the dispatcher, one unit of work per message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from handlers.conversation.dispatcher import Dispatcher
from handlers.jobs.registry import expire_drafts
from handlers.ops.services import Services
from storage import repo
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from tests.conftest import _fresh
from tests.handlers.conftest import analyzer
from tests.handlers.conversation_corpus.corpus import DISTRICT_TEXT, Run, load

# Wednesday 2 December 2026, 10:00 in Shanghai: two working days end on Friday 4 December
START = datetime(2026, 12, 2, 2, 0)
BLIND = load("dialogues.jsonl")
OURS = load("extra.jsonl")
KNOWN = {line.split()[0]: line.split(None, 1)[1] for line in
         (Path(__file__).parent / "known_failures.txt").read_text(encoding="utf-8").splitlines()
         if line.strip() and not line.startswith("#")}


async def corpus_run(db: Database) -> Run:
    await db.run(lambda s: import_district(s, DISTRICT_TEXT, source="corpus"))
    an = analyzer()
    an.set_gazetteer(await db.read(repo.gazetteer))
    clock = FrozenClock(START)
    services = Services(settings=Settings(), analyzer=an, clock=clock)
    dispatcher = Dispatcher(services)
    return Run(db, services, clock, lambda u: db.run(lambda s: dispatcher.handle(s, u)),
               sweep=lambda: expire_drafts(db, services))


@pytest_asyncio.fixture
async def corpus_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await _fresh(f"sqlite+aiosqlite:///{tmp_path / 'corpus.db'}")
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

"""The conversation corpus: scripted multi-turn dialogues as data, and the checks of each turn.

A dialogue is a line of `dialogues.jsonl` (written blind, against `district.toml`) or of
`extra.jsonl` (ours, counted apart). Each turn is sent by one speaker (`res:<name>` a resident's
openid, `officer:<id>` / `staff:<id>` that person on WeCom) after `after_minutes` of frozen
time; its `expect` says what the reply meant and what it did to tickets and pushes:

- ticket: "new" (this turn made one ticket), "none" (no ticket made), "same" (none made, the
  latest ticket changed);
- ticket_is: fields of the dialogue's latest ticket (grid, assignee, category, building, unit,
  room, status, kind, about_staff, urgency, text_contains, place_contains, place_unknown);
- asks: the question left open to the speaker ("where", "category_choice", "confirm", or null
  for none of them);
- reply_has / reply_lacks: words in the passive reply;
- push_to / no_push_to / push_has: notices queued for staff (by person id) during the turn;
- rated: the latest ticket's rating; tickets_total: tickets in the district.

`{code}` in a send is the latest ticket's code, `{code1}`/`{code2}` the first/second ticket's,
`{code:fullwidth}` the latest code in full-width characters. Between turns the draft-expiry
sweep runs, as the scheduler would (a draft left unanswered is filed to triage).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from handlers.conversation.dispatcher import Dispatcher
from handlers.conversation.states import Conv
from handlers.conversation.types import Update
from handlers.jobs.registry import expire_drafts
from handlers.ops.services import Services
from storage import repo
from storage.clock import FrozenClock
from storage.config import Settings
from storage.db import Database
from storage.district import import_district
from storage.models import ConversationState, Outbox, Region, Ticket, TicketEvent
from tests.support.bot import analyzer

# the dialogues, their district and the known failures live beside the test that plays them
HERE = Path(__file__).resolve().parents[1] / "handlers" / "conversation" / "corpus"
# the second blind corpus (written 2026-12-02 by another writer, with a district of its own)
HERE_V2 = HERE.parent / "corpus_v2"
DISTRICT_TEXT = (HERE / "district.toml").read_text(encoding="utf-8")


def wecom_ids(district_text: str) -> dict[str, str]:
    return {p["id"]: p.get("wecom_userid", p["id"])
            for p in tomllib.loads(district_text)["people"]}


WECOM = wecom_ids(DISTRICT_TEXT)
ASKS = {Conv.AWAITING_LOCATION: "where", Conv.AWAITING_CATEGORY: "category_choice",
        Conv.AWAITING_DUPLICATE: "confirm", "awaiting_place": "where"}
FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-"}


def load(name: str = "dialogues.jsonl", here: Path = HERE) -> list[dict[str, Any]]:
    path = here / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def openid(name: str) -> str:
    return "o" + hashlib.sha1(name.encode()).hexdigest()[:27]


def speaker(who: str, wecom: dict[str, str] | None = None) -> tuple[str, str]:
    """(channel, sender) of `res:<name>`, `officer:<id>` or `staff:<id>`."""
    role, _, name = who.partition(":")
    return ("mp", openid(name)) if role == "res" else ("work", (wecom or WECOM)[name])


Deliver = Callable[[Update], Awaitable[str | None]]


@dataclass
class Run:
    """One dialogue against a database whose district is `district.toml`."""

    db: Database
    services: Services
    clock: FrozenClock
    deliver: Deliver
    sweep: Callable[[], Awaitable[Any]] | None = None
    wecom: dict[str, str] | None = None
    failures: list[str] = field(default_factory=list)
    _n: int = 0

    async def play(self, dialogue: dict[str, Any]) -> list[str]:
        for i, turn in enumerate(dialogue["turns"], 1):
            if turn.get("after_minutes"):
                self.clock.advance(minutes=turn["after_minutes"])
                if self.sweep is not None:
                    await self.sweep()
            await self.turn(i, turn)
        return self.failures

    async def turn(self, i: int, turn: dict[str, Any]) -> None:
        before = await self.db.read(self._snapshot)
        channel, sender = speaker(turn["from"], self.wecom)
        update = self._update(channel, sender, turn["send"], before["codes"])
        reply = await self.deliver(update) or ""
        after = await self.db.read(self._snapshot)
        state = await self.db.read(lambda s: self._state(s, channel, sender))
        pushes = await self.db.read(lambda s: self._pushes(s, before["outbox"]))
        where = f"turn {i} ({turn['from']}: {str(turn['send'])[:30]!r} → {reply[:300]!r})"
        for problem in await self.check(turn.get("expect") or {}, reply, before, after, state,
                                        pushes):
            self.failures.append(f"{where}: {problem}")

    def _update(self, channel: str, sender: str, send: Any, codes: list[str]) -> Update:
        self._n += 1
        stamp = int(self.clock.now().replace(tzinfo=UTC).timestamp())
        common = {"channel": channel, "sender": sender, "msg_id": f"{self._n}{stamp}",
                  "create_time": stamp}
        if isinstance(send, str):
            return Update(type="text", text=_fill(send, codes), **common)
        kind = send["type"]
        if kind == "voice":
            return Update(type="voice", text=send.get("recognition", ""),
                          media_id=f"voice{self._n}", **common)
        if kind == "location":
            return Update(type="location", lat=send["lat"], lng=send["lng"],
                          label=send.get("label"), **common)
        if kind == "event":
            return Update(type="event", event=send["event"], event_key=send.get("key"),
                          msg_id=None, **{k: v for k, v in common.items() if k != "msg_id"})
        return Update(type=kind, media_id=f"media{self._n}", **common)

    @staticmethod
    async def _snapshot(s: Any) -> dict[str, Any]:
        rows = (await s.execute(select(Ticket.id, Ticket.code).order_by(Ticket.id))).all()
        outbox = await s.scalar(select(func.max(Outbox.id))) or 0
        events = await s.scalar(select(func.max(TicketEvent.id))) or 0
        return {"codes": [r.code for r in rows], "outbox": outbox, "events": events}

    @staticmethod
    async def _state(s: Any, channel: str, sender: str) -> str | None:
        row = await s.scalar(select(ConversationState).where(
            ConversationState.channel == channel, ConversationState.external_id == sender))
        return row.state if row is not None else None

    @staticmethod
    async def _pushes(s: Any, since: int) -> dict[str, list[str]]:
        rows = (await s.scalars(select(Outbox).where(Outbox.id > since))).all()
        out: dict[str, list[str]] = {}
        for r in rows:
            out.setdefault(r.person_id or r.recipient, []).append(r.payload.get("text", ""))
        return out

    async def check(self, exp: dict[str, Any], reply: str, before: dict[str, Any],
                    after: dict[str, Any], state: str | None,
                    pushes: dict[str, list[str]]) -> list[str]:
        bad: list[str] = []
        made = len(after["codes"]) - len(before["codes"])
        want = exp.get("ticket")
        if want == "new" and made != 1:
            bad.append(f"expected one new ticket, {made} made")
        if want in ("none", "same") and made != 0:
            bad.append(f"expected no new ticket, {made} made")
        if want == "same":
            changed = await self.db.read(lambda s: _changed(s, after["codes"], before["events"]))
            if not changed:
                bad.append("expected the latest ticket to change")
        if "asks" in exp:
            asked = ASKS.get(state or "")
            if asked != exp["asks"]:
                bad.append(f"asks {asked!r}, expected {exp['asks']!r}")
        bad += [f"reply lacks {w!r}" for w in exp.get("reply_has", []) if w not in reply]
        bad += [f"reply has {w!r}" for w in exp.get("reply_lacks", []) if w in reply]
        bad += [f"no push to {p}" for p in exp.get("push_to", []) if p not in pushes]
        bad += [f"unexpected push to {p}: {pushes[p][0][:80]!r}"
                for p in exp.get("no_push_to", []) if p in pushes]
        for p, words in (exp.get("push_has") or {}).items():
            texts = "\n".join(pushes.get(p, []))
            bad += [f"push to {p} lacks {w!r}" for w in words if w not in texts]
        if "tickets_total" in exp and len(after["codes"]) != exp["tickets_total"]:
            bad.append(f"{len(after['codes'])} tickets, expected {exp['tickets_total']}")
        if ("ticket_is" in exp or "rated" in exp) and not after["codes"]:
            return bad + ["no ticket to check"]
        if "ticket_is" in exp or "rated" in exp:
            facts = await self.db.read(lambda s: _facts(s, after["codes"][-1]))
            if "rated" in exp and facts["rating"] != exp["rated"]:
                bad.append(f"rating {facts['rating']}, expected {exp['rated']}")
            bad += _compare(exp.get("ticket_is") or {}, facts)
        return bad


def _fill(text: str, codes: list[str]) -> str:
    latest = codes[-1] if codes else "GD00000000-0000"
    text = text.replace("{code:fullwidth}", latest.translate(FULLWIDTH))
    for i, code in enumerate(codes[:9], 1):
        text = text.replace(f"{{code{i}}}", code)
    return text.replace("{code}", latest)


async def _changed(s: Any, codes: list[str], since: int) -> bool:
    t = await s.scalar(select(Ticket).where(Ticket.code == codes[-1]))
    return await s.scalar(select(TicketEvent.id).where(
        TicketEvent.ticket_id == t.id, TicketEvent.id > since).limit(1)) is not None


async def _facts(s: Any, code: str) -> dict[str, Any]:
    t = await s.scalar(select(Ticket).where(Ticket.code == code))
    grid = await s.get(Region, t.region_id) if t.region_id else None
    place = "".join(x for x in (t.community_text, t.place) if x)
    return {"grid": grid.code if grid else None, "assignee": t.assignee_id,
            "category": t.category, "building": t.building, "unit": t.unit, "room": t.room,
            "status": t.status, "kind": t.request_kind, "urgency": t.urgency,
            "about_staff": t.subject_id is not None, "text": t.text,
            "place": place, "rating": t.rating,
            "place_unknown": t.region_id is None and not (t.place or t.community_text)}


def _compare(want: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    bad = []
    for key, value in want.items():
        if key == "text_contains":
            ok = value in facts["text"]
        elif key == "place_contains":
            ok = value in facts["place"]
        else:
            ok = facts[key] == value
        if not ok:
            got = facts["text"][:60] if key == "text_contains" else facts.get(
                key.removesuffix("_contains") if key != "place_contains" else "place")
            bad.append(f"ticket {key} is {got!r}, expected {value!r}")
    return bad


# Wednesday 2 December 2026, 10:00 in Shanghai: two working days end on Friday 4 December
START = datetime(2026, 12, 2, 2, 0)
def known(here: Path = HERE) -> dict[str, str]:
    """The corpus's known failures: id → the first failure, each an xfail(strict)."""
    return {line.split()[0]: line.split(None, 1)[1] for line in
            (here / "known_failures.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


KNOWN = known()


async def corpus_run(db: Database, here: Path = HERE) -> Run:
    district = DISTRICT_TEXT if here == HERE else (here / "district.toml").read_text("utf-8")
    await db.run(lambda s: import_district(s, district, source="corpus"))
    an = analyzer()
    an.set_gazetteer(await db.read(repo.gazetteer))
    clock = FrozenClock(START)
    services = Services(settings=Settings(), analyzer=an, clock=clock)
    dispatcher = Dispatcher(services)
    return Run(db, services, clock, lambda u: db.run(lambda s: dispatcher.handle(s, u)),
               sweep=lambda: expire_drafts(db, services), wecom=wecom_ids(district))

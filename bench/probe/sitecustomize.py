"""A probe for `bench/gateway.py --trace DIR`, loaded by the server under test as Python's
`sitecustomize` (the bench puts this folder on its PYTHONPATH only then). It changes nothing
the server does; it records, against time.monotonic(), what the tail of the latency is made of:

- each request (aiohttp's handler entered and left),
- each garbage collection (gc.callbacks: generation, duration, objects collected),
- each SQLite writer burst (its units by kind, and the commit's thread hop on its own),
- each round of the outbox sender and the media store, and each inbound recovery sweep,
- each wait of the event loop in epoll longer than 0.2 ms (the loop idle),

and writes them as JSON lines to DIR/trace-<pid>.jsonl when the process exits. Summarise with
`bench/trace.py DIR/trace-<pid>.jsonl`.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import time

OUT = os.environ.get("GRIDBOT_PROBE_DIR")
now = time.monotonic
events: list[tuple] = []


def _install() -> None:
    gc_start: list[float] = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_start[0] = now()
        else:
            events.append(("gc", gc_start[0], now(), info["generation"], info["collected"]))

    gc.callbacks.append(on_gc)

    import selectors

    select = selectors.EpollSelector.select

    def timed_select(self, timeout=None):  # type: ignore[no-untyped-def]
        start = now()
        try:
            return select(self, timeout)
        finally:
            end = now()
            if end - start > 0.0002:  # the loop had nothing to run: idle
                events.append(("idle", start, end, None))

    selectors.EpollSelector.select = timed_select  # type: ignore[method-assign]

    from aiohttp import web_app

    handle = web_app.Application._handle
    patched = [False]

    async def _handle(self, request):  # type: ignore[no-untyped-def]
        if not patched[0]:
            patched[0] = True
            _patch_server()
            t = now()  # the heap the collector walks, and what start-up froze
            events.append(("heap", t, t, len(gc.get_objects()), gc.get_freeze_count()))
        start = now()
        try:
            return await handle(self, request)
        finally:
            events.append(("req", start, now(), request.path))

    web_app.Application._handle = _handle  # type: ignore[method-assign]
    atexit.register(_write)


def _timed(owner: type, name: str, kind: str, size=None) -> None:  # type: ignore[no-untyped-def]
    original = getattr(owner, name)

    async def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        start = now()
        result = None
        try:
            result = await original(self, *args, **kwargs)
            return result
        finally:
            extra = size(self, args, result) if size else None
            events.append((kind, start, now(), extra))

    setattr(owner, name, wrapper)


def _kinds(_self, args, _result):  # type: ignore[no-untyped-def]
    counts: dict[str, int] = {}
    for item in args[0]:
        counts[item[2]] = counts.get(item[2], 0) + 1
    return counts


def _patch_server() -> None:
    """Once the app runs, its modules are imported: wrap the pieces that take the loop."""
    import sys

    db = sys.modules.get("storage.db")
    if db is not None:
        _timed(db.Database, "_run_batch", "burst", _kinds)
    inline = sys.modules.get("storage.sqlite_inline")
    if inline is not None:
        _timed(inline.InlineConnection, "commit", "commit")
    sender = sys.modules.get("bot.channels.sender")
    if sender is not None:
        _timed(sender.OutboxSender, "round", "sender", lambda s, a, r: r)
    media = sys.modules.get("bot.channels.media_store")
    if media is not None:
        _timed(media.MediaStore, "round", "media", lambda s, a, r: r)
    flow = sys.modules.get("bot.gateway.flow")
    if flow is not None:
        _timed(flow.Inbound, "sweep_once", "sweep", lambda s, a, r: r)


def _write() -> None:
    if not any(e[0] == "req" for e in events):
        return  # not a server that served (`gridbot db upgrade`)
    path = os.path.join(OUT or ".", f"trace-{os.getpid()}.jsonl")
    with open(path, "w") as f:
        for e in events:
            f.write(json.dumps(e) + "\n")


if OUT:
    _install()

"""Round trips to PostgreSQL as the wire carries them: every Sync and simple Query message the
client writes is answered (ReadyForQuery) before the client goes on, so each is one round
trip, BEGIN and COMMIT included, whatever the code above the socket does."""

from __future__ import annotations

from asyncio import selector_events
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TRANSPORT = selector_events._SelectorSocketTransport  # noqa: SLF001 - asyncio's TCP transport


@contextmanager
def round_trips(port: int) -> Iterator[list[bytes]]:
    """The kind ('S' Sync, 'Q' Query) of each round trip written to `port` meanwhile."""
    seen: list[bytes] = []
    original = TRANSPORT.write

    def write(self: Any, data: Any) -> None:
        view = bytes(data)
        peer = self.get_extra_info("peername") or ("", 0)
        if peer[1] == port and view[:1] not in (b"", b"\0"):  # not the start-up message
            at = 0
            while at + 5 <= len(view):  # a type byte and a length that counts itself
                kind = view[at:at + 1]
                if kind in (b"S", b"Q"):
                    seen.append(kind)
                at += 1 + int.from_bytes(view[at + 1:at + 5], "big")
        original(self, data)

    TRANSPORT.write = write  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        TRANSPORT.write = original  # type: ignore[method-assign]

"""The flood guard on its own: sliding minute, one notice, retries not counted."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.gateway.ratelimit import FloodGuard, Verdict

T0 = datetime(2026, 11, 23, 2, 0)
A, B = ("mp", "o-a"), ("mp", "o-b")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_notice_once_then_ignored_until_the_window_has_room() -> None:
    guard = FloodGuard(limit=2)
    assert [guard.hit(A, at(s)) for s in (0, 10, 20, 30, 59)] == [
        Verdict.ACCEPT, Verdict.ACCEPT, Verdict.NOTICE, Verdict.IGNORE, Verdict.IGNORE]
    assert guard.hit(B, at(30)) is Verdict.ACCEPT  # per sender
    assert guard.hit(A, at(60)) is Verdict.ACCEPT  # the message at 0 s left the window
    assert guard.hit(A, at(65)) is Verdict.NOTICE  # a new flood gets a new notice
    assert guard.hit(A, at(70)) is Verdict.ACCEPT  # 10 s has left too
    assert guard.hit(("work", "o-a"), at(70)) is Verdict.ACCEPT  # per channel


def test_released_hit_does_not_count() -> None:
    guard = FloodGuard(limit=1)
    assert guard.hit(A, at(0)) is Verdict.ACCEPT
    guard.release(A, Verdict.ACCEPT, at(0))  # it was a retry of a stored message
    assert guard.hit(A, at(1)) is Verdict.ACCEPT
    assert guard.hit(A, at(2)) is Verdict.NOTICE
    guard.release(A, Verdict.NOTICE, at(2))
    assert guard.hit(A, at(3)) is Verdict.NOTICE


def test_quiet_senders_are_forgotten() -> None:
    guard = FloodGuard(limit=5)
    for n in range(2000):
        guard.hit(("mp", f"o-{n}"), at(n))
    assert len(guard._accepted) <= 1100  # swept every 1024 hits: memory follows activity

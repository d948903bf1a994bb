"""The flood guard on its own: slots in a sliding minute, one notice per burst, order kept,
retries not counted."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.gateway.ratelimit import FloodGuard

T0 = datetime(2026, 11, 23, 2, 0)
A, B = ("mp", "o-a"), ("mp", "o-b")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def secs(when: datetime) -> float:
    return (when - T0).total_seconds()


def test_over_the_limit_waits_for_the_window_and_nothing_is_dropped() -> None:
    guard = FloodGuard()
    slots = [guard.slot(A, at(s), 2) for s in (0, 10, 20, 30, 59)]
    assert [secs(s.at) for s in slots] == [0, 10, 60, 70, 120]
    assert [s.notice for s in slots] == [False, False, True, False, False]
    assert not guard.slot(B, at(30), 2).waits(at(30))  # per sender
    assert not guard.slot(("work", "o-a"), at(30), 2).waits(at(30))  # per channel


def test_no_more_than_the_limit_in_any_minute() -> None:
    guard = FloodGuard()
    slots = sorted(secs(guard.slot(A, at(s * 0.5), 3).at) for s in range(30))
    assert len(slots) == 30
    for i, t in enumerate(slots):
        assert sum(1 for u in slots[i:] if u < t + 60) <= 3


def test_behind_a_backlog_a_later_message_keeps_its_turn() -> None:
    guard = FloodGuard()
    for s in (0, 1, 2):
        guard.slot(A, at(s), 2)  # the third waits until 60 s
    later = guard.slot(A, at(61), 2)  # the window has room again, but one is still queued
    assert secs(later.at) >= 60
    assert not later.notice  # the burst was already told


def test_a_new_burst_gets_a_new_notice() -> None:
    guard = FloodGuard()
    guard.slot(A, at(0), 1)
    assert guard.slot(A, at(1), 1).notice
    assert not guard.slot(A, at(200), 1).waits(at(200))
    assert guard.slot(A, at(201), 1).notice


def test_staff_limit_is_the_callers_choice() -> None:
    guard = FloodGuard()
    assert not any(guard.slot(A, at(s), 120).waits(at(s)) for s in range(20))
    assert guard.would_wait(A, at(20), 20)
    assert not guard.would_wait(A, at(20), 120)


def test_released_slot_does_not_count() -> None:
    guard = FloodGuard()
    first = guard.slot(A, at(0), 1)
    guard.release(A, first)  # it was a retry of a stored message
    assert not guard.slot(A, at(1), 1).waits(at(1))
    waiting = guard.slot(A, at(2), 1)
    assert waiting.notice
    guard.release(A, waiting)
    assert guard.slot(A, at(3), 1).notice


def test_quiet_senders_are_forgotten() -> None:
    guard = FloodGuard()
    for n in range(2000):  # a new sender a second: about a minute's worth stays
        guard.slot(("mp", f"o-{n}"), at(n), 5)
    assert len(guard._slots) <= 100  # memory follows activity: ~61 live, a few per message


def test_a_sender_still_waiting_is_not_forgotten() -> None:
    guard = FloodGuard()
    for _ in range(3):  # a flood: the third waits a minute
        slot = guard.slot(A, at(0), 2)
    assert slot.waits(at(0))
    for n in range(200):  # many others write meanwhile, five a second
        guard.slot(("mp", f"o-{n}"), at(1 + n * 0.2), 5)
    assert guard.would_wait(A, at(41), 2)  # its window is still full: A was kept

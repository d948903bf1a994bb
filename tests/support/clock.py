"""Local times for the tests, converted the way the database stores them."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.clock import SHANGHAI


def utc(local: str) -> datetime:
    """'2026-11-20 10:00' in Shanghai → naive UTC, as stored."""
    return (datetime.fromisoformat(local).replace(tzinfo=SHANGHAI)
            .astimezone(UTC).replace(tzinfo=None))

"""The current instant, as stored (naive UTC); services take `now` so tests can pin it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_today(now: datetime, timezone: str) -> date:
    """The tenant's calendar date at the stored instant `now`."""
    return now.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).date()

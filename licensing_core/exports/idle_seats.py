"""The Idle seats CSV: the same rows, through the same query, as the page."""

from __future__ import annotations

from datetime import datetime
from typing import TextIO

from licensing_core.db.engine import Database
from licensing_core.exports.csv import write_csv
from licensing_core.queries.idle_seats import IDLE_CELLS, iter_idle_seats


def export_idle_seats(db: Database, tenant_id: str, out: TextIO, *, term_id: int, days: int,
                      now: datetime | None = None) -> int:
    """Write the term's users idle for `days` days; returns the rows written."""
    frames = iter_idle_seats(db, tenant_id, term_id, days=days, now=now)
    return write_csv(frames, out, IDLE_CELLS)


__all__ = ["export_idle_seats"]

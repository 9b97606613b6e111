"""SQLite's side of the exports formatted in SQL (exports.csv.sql_cell): the cells come
out of the query as the text the Python writer would write, and the raw cursor's rows go
straight into csv.writer, with no frame or per-cell Python in between.

SQLite has no time zones: an instant's offset comes from a CASE over the zone's runs of
one offset (queries.offsets) across the range the rows are expected in. An instant
outside that range is still exact, only slower: iso_local itself formats it, registered
on the export's connection as an SQL function.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, String, case, func

from licensing_core.db.engine import Database
from licensing_core.queries.common import Cell, Expr, iso_local
from licensing_core.queries.offsets import (
    OffsetRun,
    by_instant,
    offset_runs,
    shift,
    whole_seconds,
)

ISO_SECONDS = "%Y-%m-%dT%H:%M:%S"
# iso_local as an SQL function of (stored text, zone name), for instants outside the runs.
ISO_LOCAL_FUNCTION = "licensing_iso_local"
# Rows per fetch: memory stays at one batch, as with the Python path's frames.
FETCH_ROWS = 10_000


def local_iso_cell(tz: ZoneInfo, start: datetime, end: datetime) -> Cell:
    """local_iso for each instant column of one export, its runs worked out once."""
    runs = offset_runs(tz, start, end)
    return lambda column: local_iso(column, tz, runs, end)


def local_iso(column: Expr, tz: ZoneInfo, runs: Sequence[OffsetRun],
              end: datetime) -> ColumnElement[str]:
    """iso_local in SQLite: the local time to the second and the offset as Python prints
    it; NULL stays NULL. Runs cover [runs[0].start, end); other instants call iso_local."""
    texts = [func.strftime(ISO_SECONDS, whole_seconds(column), shift(run.offset), type_=String)
             + _label(run.offset) for run in runs]
    outside = case((column.is_not(None), getattr(func, ISO_LOCAL_FUNCTION)(column, tz.key)))
    return by_instant(column, [run.start for run in runs] + [end], [outside, *texts, outside])


def _label(offset: timedelta) -> str:
    """The offset as isoformat writes it: +05:30, or +00:19:32 when it has seconds."""
    return datetime(2000, 1, 1, tzinfo=timezone(offset)).isoformat()[19:]


def _iso_local_text(value: str | None, zone: str) -> str | None:
    """ISO_LOCAL_FUNCTION: a stored instant (SQLite hands over its text) through iso_local."""
    return None if value is None else iso_local(datetime.fromisoformat(value), ZoneInfo(zone))


def write_rows(db: Database, statement: Select, writer: Any) -> int:
    """Write the statement's rows (sql_cell columns) with the csv writer, a batch at a
    time as SQLite steps through them; returns how many."""
    with db.transaction() as session:
        connection = session.connection()
        raw: Any = connection.connection.driver_connection
        raw.create_function(ISO_LOCAL_FUNCTION, 2, _iso_local_text, deterministic=True)
        with connection.execute(statement) as result:
            cursor, written = result.cursor, 0
            while batch := cursor.fetchmany(FETCH_ROWS):
                writer.writerows(batch)
                written += len(batch)
            return written


__all__ = ["local_iso", "local_iso_cell", "write_rows"]

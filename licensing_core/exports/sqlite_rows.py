"""SQLite's side of the exports formatted in SQL: each kind of cell by its form here
(sqlite_forms, through exports.cells.sql_cell), so the cells come out of the query as the
text the Python writer would write, and the raw cursor's rows go straight into
csv.writer, with no frame or per-cell Python in between.

SQLite has no time zones: an instant's offset comes from a CASE over the zone's runs of
one offset (queries.offsets) across the range the rows are expected in. An instant
outside that range is still exact, only slower: cells.iso_local itself formats it,
registered on the export's connection as an SQL function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, Select, String, case, cast, func

from licensing_core.db.engine import Database
from licensing_core.exports.cells import CellKind, SqlForms, SqlValue, defused_sql, iso_local
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


def sqlite_forms(tz: ZoneInfo, start: datetime, end: datetime) -> SqlForms:
    """Each kind of cell in SQLite, for one export whose instants are expected from start
    to end (naive UTC): CAST makes sure an integer never comes as text, unicode() is a
    text's first code point, and a local time's offsets are worked out once."""
    return {
        CellKind.INTEGER: lambda value: cast(value, Integer),
        CellKind.TEXT: partial(defused_sql, first_code=func.unicode),
        CellKind.LOCAL_TIME: local_iso_cell(tz, start, end),
    }


def local_iso_cell(tz: ZoneInfo, start: datetime,
                   end: datetime) -> Callable[[SqlValue], SqlValue]:
    """local_iso for each instant column of one export, its runs worked out once."""
    runs = offset_runs(tz, start, end)
    return lambda column: local_iso(column, tz, runs, end)


def local_iso(column: SqlValue, tz: ZoneInfo, runs: Sequence[OffsetRun],
              end: datetime) -> ColumnElement[str]:
    """A local-time cell (cells.iso_local) in SQLite: the local time to the second and the
    offset as Python prints it; NULL stays NULL. Runs cover [runs[0].start, end); other
    instants call iso_local."""
    texts = [func.strftime(ISO_SECONDS, whole_seconds(column), shift(run.offset), type_=String)
             + _label(run.offset) for run in runs]
    outside = case((column.is_not(None), getattr(func, ISO_LOCAL_FUNCTION)(column, tz.key)))
    return by_instant(column, [run.start for run in runs] + [end], [outside, *texts, outside])


def _label(offset: timedelta) -> str:
    """The offset as isoformat writes it: +05:30, or +00:19:32 when it has seconds."""
    return datetime(2000, 1, 1, tzinfo=timezone(offset)).isoformat()[19:]


def _iso_local_text(value: str | None, zone: str) -> str | None:
    """ISO_LOCAL_FUNCTION: a stored instant (SQLite hands over its text) through
    cells.iso_local."""
    return None if value is None else iso_local(datetime.fromisoformat(value), ZoneInfo(zone))


def write_rows(db: Database, statement: Select, writer: Any) -> int:
    """Write the statement's rows (cells formatted by sqlite_forms) with the csv writer, a
    batch at a time as SQLite steps through them; returns how many."""
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


__all__ = ["local_iso", "local_iso_cell", "sqlite_forms", "write_rows"]

"""Bulk writes inside the caller's transaction: COPY on PostgreSQL, executemany on SQLite.

Hot paths (imports, session recomputation) go through here instead of one ORM object per
row. Timestamps are written as text in the layout SQLAlchemy itself stores on SQLite, so
ORM reads and SQL comparisons see the same values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import pandas as pd
from sqlalchemy import FromClause, TableClause
from sqlalchemy.orm import Session

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
# Rows per executemany call on SQLite: bounds the memory of one batch of tuples.
SQLITE_BATCH_ROWS = 50_000


def _column_values(series: pd.Series) -> list[Any]:
    """Plain Python values: timestamps as text, numpy scalars as int/float, None for gaps."""
    if pd.api.types.is_datetime64_any_dtype(series):
        series = series.dt.strftime(TIMESTAMP_FORMAT)
    values = series.tolist()
    if series.hasnans:
        return [None if v is None or v is pd.NA or v != v else v for v in values]
    return values


def frame_rows(frame: pd.DataFrame, columns: Sequence[str]) -> Iterable[tuple[Any, ...]]:
    """The frame's rows as plain Python tuples (text timestamps, None for missing)."""
    converted = [_column_values(frame[c]) for c in columns]
    return zip(*converted, strict=True)


def insert_frame(session: Session, table: FromClause, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the table's) into `table`."""
    if frame.empty:
        return 0
    name = cast(TableClause, table).name  # a mapped class's __table__ is a Table
    columns = list(frame.columns)
    rows = frame_rows(frame, columns)
    connection = session.connection()
    raw: Any = connection.connection.dbapi_connection  # psycopg or sqlite3 connection
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(
            f'COPY "{name}" ({names}) FROM STDIN'
        ) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        statement = f'INSERT INTO "{name}" ({names}) VALUES ({placeholders})'
        cursor = raw.cursor()
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= SQLITE_BATCH_ROWS:
                cursor.executemany(statement, batch)
                batch.clear()
        if batch:
            cursor.executemany(statement, batch)
        cursor.close()
    return len(frame)


def read_frame(session: Session, statement: Any, parse_dates: Sequence[str] = ()) -> pd.DataFrame:
    """Run a SELECT in the caller's transaction and return its rows as a DataFrame."""
    result = session.execute(statement)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for column in parse_dates:
        frame[column] = pd.to_datetime(frame[column], format="mixed")
    return frame

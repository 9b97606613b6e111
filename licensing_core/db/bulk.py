"""Bulk writes inside the caller's transaction: COPY on PostgreSQL, executemany on SQLite.

Hot paths (imports, session recomputation) go through here instead of one ORM object per
row. Timestamps are written as text in the layout SQLAlchemy itself stores on SQLite, so
ORM reads and SQL comparisons see the same values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import ColumnElement, FromClause, TableClause, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
# Rows per executemany call on SQLite: bounds the memory of one batch of tuples.
SQLITE_BATCH_ROWS = 50_000
# Rows per CSV block sent to PostgreSQL's COPY: bounds the memory of one block.
COPY_SLICE_ROWS = 50_000


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


def csv_for_copy(frame: pd.DataFrame) -> bytes:
    """The frame as COPY's CSV, written by Arrow in C rather than row by row in Python.

    Arrow quotes every text and leaves a missing value unquoted and empty, which is how
    COPY tells an empty text ("") from NULL; timestamps go to the microsecond, as stored.
    """
    micro = {c: "datetime64[us]" for c in frame.columns
             if pd.api.types.is_datetime64_any_dtype(frame[c])
             and not isinstance(frame[c].dtype, pd.DatetimeTZDtype)}
    table = pa.Table.from_pandas(frame.astype(micro) if micro else frame, preserve_index=False)
    out = pa.BufferOutputStream()
    pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False,
                                                     quoting_style="needed"))
    return cast(bytes, out.getvalue().to_pybytes())


def insert_frame(session: Session, table: FromClause, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the table's) into `table`."""
    if frame.empty:
        return 0
    name = cast(TableClause, table).name  # a mapped class's __table__ is a Table
    columns = list(frame.columns)
    connection = session.connection()
    raw: Any = connection.connection.dbapi_connection  # psycopg or sqlite3 connection
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(
            f'COPY "{name}" ({names}) FROM STDIN WITH (FORMAT csv)'
        ) as copy:
            for start in range(0, len(frame), COPY_SLICE_ROWS):
                copy.write(csv_for_copy(frame.iloc[start:start + COPY_SLICE_ROWS]))
    else:
        placeholders = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        statement = f'INSERT INTO "{name}" ({names}) VALUES ({placeholders})'
        cursor = raw.cursor()
        batch: list[tuple[Any, ...]] = []
        for row in frame_rows(frame, columns):
            batch.append(row)
            if len(batch) >= SQLITE_BATCH_ROWS:
                cursor.executemany(statement, batch)
                batch.clear()
        if batch:
            cursor.executemany(statement, batch)
        cursor.close()
    return len(frame)


def one_of(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values` with all the values in one bound parameter: an array on PostgreSQL
    (`= ANY(...)`), a JSON array read by json_each on SQLite. The SQL text stays the same
    whatever the number of values, so neither SQLAlchemy nor the driver spends time on
    thousands of placeholders, and SQLite's limit on bound variables does not apply."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(ColumnElement[bool],
                    column == any_(bindparam(None, list(values), type_=ARRAY(column.type))))
    listed = func.json_each(bindparam(None, json.dumps(list(values)))).table_valued("value")
    return cast(ColumnElement[bool], column.in_(select(listed.c.value)))


def read_frame(session: Session, statement: Any, parse_dates: Sequence[str] = ()) -> pd.DataFrame:
    """Run a SELECT in the caller's transaction and return its rows as a DataFrame."""
    result = session.execute(statement)
    names = list(result.keys())
    rows = result.fetchall()
    if len(set(names)) == len(names):  # built column by column: far faster than by row
        columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in names]
        frame = pd.DataFrame(dict(zip(names, columns, strict=True)), columns=names)
    else:
        frame = pd.DataFrame(rows, columns=names)
    for column in parse_dates:
        frame[column] = pd.to_datetime(frame[column], format="mixed")
    return frame

"""Bulk writes inside the caller's transaction: COPY on PostgreSQL, executemany on SQLite.

Hot paths (imports, session recomputation) go through here instead of one ORM object per
row. Timestamps are written as text in the layout SQLAlchemy itself stores on SQLite, so
ORM reads and SQL comparisons see the same values. `BulkWriter` lets the caller prepare
its next rows while PostgreSQL stores the previous ones.
"""

from __future__ import annotations

import json
import queue
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from types import TracebackType
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import (
    ColumnElement,
    DateTime,
    FromClause,
    String,
    TableClause,
    any_,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
# Rows per executemany call on SQLite: bounds the memory of one batch of tuples.
SQLITE_BATCH_ROWS = 50_000
# Rows per CSV block sent to PostgreSQL's COPY: bounds the memory of one block.
COPY_SLICE_ROWS = 50_000
# SQLite's page cache while a bulk change runs, in KiB (its default is 2,000): inserting
# into the indexes of large tables touches pages all over them, and a page evicted in the
# middle of the transaction is written to the WAL and read back (twice the time at 1M).
SQLITE_BULK_CACHE_KIB = 65_536
# Frames a BulkWriter holds for its thread, beside the one being sent: the caller runs at
# most this far ahead of the server (one is enough to keep both busy; each costs memory).
WRITER_QUEUE_FRAMES = 1


def _timestamp_texts(series: pd.Series) -> list[str | None]:
    """Naive timestamps as TIMESTAMP_FORMAT's text, None for NaT: pyarrow's cast of a
    microsecond timestamp to text writes that very layout (2026-06-01 09:30:00.000000),
    in C, a quarter of the time of numpy's ISO text."""
    instants = pa.array(series.to_numpy(dtype="datetime64[us]"), from_pandas=True)
    return cast(list[str | None], pc.cast(instants, pa.string()).to_pylist())


def _column_values(series: pd.Series) -> list[Any]:
    """Plain Python values: timestamps as text, numpy scalars as int/float, None for gaps."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):  # its wall time, as written
        series = series.dt.strftime(TIMESTAMP_FORMAT)
    elif pd.api.types.is_datetime64_any_dtype(series):
        return _timestamp_texts(series)
    elif series.dtype == "str":  # Arrow texts: None for a missing one, in C
        return cast(list[Any], pa.array(series, type=pa.large_string()).to_pylist())
    elif isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":  # no gap possible
        return cast(list[Any], series.tolist())
    values = series.tolist()
    if series.hasnans:
        return [None if v is None or v is pd.NA or v != v else v for v in values]
    return values


def frame_rows(frame: pd.DataFrame, columns: Sequence[str],
               constants: Mapping[str, Any] | None = None) -> Iterable[tuple[Any, ...]]:
    """The frame's rows as plain Python tuples (text timestamps, None for missing); a
    column named in `constants` holds its one value on every row (not in the frame)."""
    given = constants or {}
    converted = [[given[c]] * len(frame) if c in given else _column_values(frame[c])
                 for c in columns]
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


def _copy_statement(table: FromClause, columns: Sequence[str]) -> str:
    name = cast(TableClause, table).name  # a mapped class's __table__ is a Table
    names = ", ".join(f'"{c}"' for c in columns)
    return f'COPY "{name}" ({names}) FROM STDIN WITH (FORMAT csv)'


def _copy_frame(copy: Any, frame: pd.DataFrame) -> None:
    for start in range(0, len(frame), COPY_SLICE_ROWS):
        copy.write(csv_for_copy(frame.iloc[start:start + COPY_SLICE_ROWS]))


def raw_connection(session: Session) -> Any:
    """The session's psycopg or sqlite3 connection, inside its transaction."""
    return session.connection().connection.dbapi_connection


class Prepared:
    """A frame's rows turned into what the driver takes, before they are written: on
    SQLite the tuples executemany takes (the conversion is most of the Python time of an
    insert, so a caller can do it before it waits for the one writer's lock); nothing on
    PostgreSQL, where the writer's thread writes COPY's CSV beside the caller anyway.

    `columns` are the table's, taken from `source` (it may hold others) or from
    `constants`, one value for every row: neither is copied into a new frame unless the
    frame itself is asked for."""

    def __init__(self, session: Session, source: pd.DataFrame, columns: Sequence[str],
                 constants: Mapping[str, Any] | None = None) -> None:
        self.columns = list(columns)
        self._source = source
        self._constants = dict(constants or {})
        self.rows = (list(frame_rows(source, self.columns, self._constants))
                     if session.get_bind().dialect.name == "sqlite" else None)

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a frame of exactly `columns` (COPY's CSV is written from it)."""
        frame = self._source.assign(**self._constants) if self._constants else self._source
        return frame[self.columns]

    def __len__(self) -> int:
        return len(self._source)


def insert_frame(session: Session, table: FromClause, frame: pd.DataFrame | Prepared) -> int:
    """Insert every row of `frame` (columns named as the table's) into `table`; a Prepared
    frame's tuples are inserted as they are."""
    if len(frame) == 0:
        return 0
    name = cast(TableClause, table).name
    columns = frame.columns if isinstance(frame, Prepared) else list(frame.columns)
    raw = raw_connection(session)
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(_copy_statement(table, columns)) as copy:
            _copy_frame(copy, frame.frame if isinstance(frame, Prepared) else frame)
        return len(frame)
    placeholders = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{name}" ({names}) VALUES ({placeholders})'
    made = frame.rows if isinstance(frame, Prepared) else None
    rows = iter(made if made is not None else frame_rows(frame, columns))
    cursor = raw.cursor()
    while batch := list(islice(rows, SQLITE_BATCH_ROWS)):
        cursor.executemany(statement, batch)
    cursor.close()
    return len(frame)


@contextmanager
def bulk_cache(session: Session) -> Iterator[None]:
    """A larger page cache on SQLite for the block (given back after); nothing elsewhere."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    raw = raw_connection(session)
    before = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(before)}")


class BulkWriter:
    """Frames of one table stored as they come, in the caller's transaction.

    On PostgreSQL a thread keeps one COPY open and sends it the frames from a short queue:
    the server stores a chunk while the caller reads or checks the next one (psycopg waits
    on the socket and Arrow writes the CSV without holding the GIL), so both cores work.
    The COPY holds the connection: `pause()` waits for what was queued and ends it before
    the caller runs any other statement; the next `write()` opens a new one. On SQLite
    each `write()` inserts at once. `close()` (or leaving the `with` block) waits for
    every row, and raises what the server refused.
    """

    _END = None

    def __init__(self, session: Session, table: FromClause, columns: Sequence[str]) -> None:
        self.session = session
        self.table = table
        self.columns = list(columns)
        self.rows = 0
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self._queue: queue.Queue[pd.DataFrame | None] = queue.Queue(WRITER_QUEUE_FRAMES)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:  # the caller failed: stop the COPY, the transaction is rolled back anyway
            self.pause(raise_error=False)

    def write(self, frame: pd.DataFrame | Prepared) -> None:
        """Store the frame's rows (a Prepared one's columns are the writer's)."""
        if len(frame) == 0:
            return
        ready = frame if isinstance(frame, Prepared) else Prepared(self.session, frame,
                                                                   self.columns)
        self.rows += len(ready)
        if not self._postgres:
            insert_frame(self.session, self.table, ready)
            return
        self._raise_error()
        if self._thread is None:
            raw = raw_connection(self.session)
            self._thread = threading.Thread(target=self._send, args=(raw,),
                                            name="bulk-writer", daemon=True)
            self._thread.start()
        self._queue.put(ready.frame)

    def pause(self, raise_error: bool = True) -> None:
        """Wait until every queued frame is stored and free the connection."""
        if self._thread is not None:
            self._queue.put(self._END)
            self._thread.join()
            self._thread = None
        if raise_error:
            self._raise_error()

    def close(self) -> int:
        """Wait for every row; returns how many were written."""
        self.pause()
        return self.rows

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _send(self, raw: Any) -> None:
        """The thread: one COPY fed from the queue until the end mark."""
        ended = False
        try:
            with raw.cursor() as cursor, cursor.copy(
                    _copy_statement(self.table, self.columns)) as copy:
                while not ended:
                    frame = self._queue.get()
                    ended = frame is self._END
                    if frame is not None:
                        _copy_frame(copy, frame)
        except BaseException as exc:  # handed to the caller's thread by its next call
            self._error = exc
            while not ended:  # let the caller's puts through until its end mark
                ended = self._queue.get() is self._END


def one_of(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values` with all the values in one bound parameter: an array on PostgreSQL
    (`= ANY(...)`), a JSON array read by json_each on SQLite. The SQL text stays the same
    whatever the number of values, so neither SQLAlchemy nor the driver spends time on
    thousands of placeholders, and SQLite's limit on bound variables does not apply."""
    dialect = session.get_bind().dialect.name
    return one_of_named(dialect, column, None, one_of_value(dialect, values))


def one_of_named(dialect: str, column: Any, name: str | None,
                 value: Any = None) -> ColumnElement[bool]:
    """`one_of` in `dialect` with its values bound as parameter `name` (the value given to
    it by one_of_value), for a statement built once and run many times."""
    if dialect == "postgresql":
        return cast(ColumnElement[bool],
                    column == any_(bindparam(name, value, type_=ARRAY(column.type))))
    listed = func.json_each(bindparam(name, value)).table_valued("value")
    return cast(ColumnElement[bool], column.in_(select(listed.c.value)))


def one_of_value(dialect: str, values: Sequence[Any]) -> Any:
    """The values as one_of_named's parameter takes them in `dialect`."""
    return list(values) if dialect == "postgresql" else json.dumps(list(values))


# PostgreSQL hashes an array bound as one value only when it plans the statement with the
# value in hand. The driver prepares a statement it runs often, and after a few runs
# PostgreSQL may keep one plan for any values, which compares every row with every value
# in turn: a filtered count of 195,000 rows and 1,600 values took 17 s instead of 25 ms.
CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan"


def one_of_filtering(session: Session, column: Any,
                     values: Sequence[Any]) -> ColumnElement[bool]:
    """`one_of` for a condition that many rows are tested against (not an index lookup):
    on PostgreSQL the rest of the transaction plans its statements for their values, so
    the values are looked up in a hash (see CUSTOM_PLANS)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(CUSTOM_PLANS))
    return one_of(session, column, values)


def bound_rows(session: Session, frame: pd.DataFrame) -> FromClause:
    """The frame's rows as a table for one query, all bound in one value per column on
    PostgreSQL (arrays, unnested side by side) or one JSON value on SQLite (json_each):
    no temporary table to create and drop. Texts and timestamps only (the timestamps as
    text in the stored layout on SQLite)."""
    columns = list(frame.columns)
    if session.get_bind().dialect.name == "postgresql":
        unnested = []
        for name in columns:
            values = frame[name]
            kind = DateTime() if pd.api.types.is_datetime64_any_dtype(values) else String()
            listed = [None if v is pd.NaT else v for v in (
                values.dt.to_pydatetime().tolist() if isinstance(kind, DateTime)
                else values.astype(object).tolist())]
            unnested.append(func.unnest(bindparam(None, listed, type_=ARRAY(kind))).label(name))
        return select(*unnested).subquery()
    rows = json.dumps([list(row) for row in frame_rows(frame, columns)])
    each = func.json_each(bindparam(None, rows)).table_valued("value")
    return select(*(func.json_extract(each.c.value, f"$[{i}]").label(name)
                    for i, name in enumerate(columns))).subquery()


def _instants(values: list[Any]) -> Any:
    """Stored timestamps as datetime64[us]: SQLite's text (the stored layout) parsed by
    numpy in C, a tenth of the time of pandas' parse of mixed formats; the driver's
    datetimes (PostgreSQL), or any text numpy will not read exactly, by pandas."""
    if all(v is None or isinstance(v, str) for v in values):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # e.g. an offset, which numpy would drop
                return np.array(values, dtype="datetime64[us]")
        except (ValueError, Warning):
            pass
    return pd.to_datetime(pd.Series(values, dtype=object), format="mixed")


def read_frame(session: Session, statement: Any, parse_dates: Sequence[str] = (),
               params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run a SELECT in the caller's transaction and return its rows as a DataFrame."""
    result = session.execute(statement, params)
    names = list(result.keys())
    rows = result.fetchall()
    if len(set(names)) == len(names):  # built column by column: far faster than by row
        columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in names]
        return pd.DataFrame({name: _instants(values) if name in parse_dates else values
                             for name, values in zip(names, columns, strict=True)})
    frame = pd.DataFrame(rows, columns=names)
    for column in parse_dates:
        frame[column] = pd.to_datetime(frame[column], format="mixed")
    return frame

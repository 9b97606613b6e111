"""PostgreSQL's COPY ... TO STDOUT behind a CSV export: the server formats and quotes the
rows, several times faster than Python's csv writer, and this module streams its output.

The statement's columns must already be cells formatted in SQL, each kind of cell by its
form here (POSTGRES_FORMS, through exports.cells.sql_cell), so that the bytes equal the
Python writer's; what COPY does differently is fixed here: its records end with LF, where
RFC 4180 (and the Python path) ends them with CRLF.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import partial
from itertools import islice
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, Text, case, cast, func, literal
from sqlalchemy.sql.expression import Select

from licensing_core.db.engine import Database
from licensing_core.exports.cells import CellKind, SqlForms, SqlValue, defused_sql

# COPY sends one message per row: this many are joined into one write (a few hundred KB at
# most), so the output sees few large writes and memory never holds more than that.
ROWS_PER_WRITE = 2_000
# cells.iso_local's text in the session's zone, for an offset of whole minutes.
LOCAL_ISO = 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'
# No zone has had an offset with seconds since Liberia's -00:44:30 ended in January 1972
# (see the tests): only earlier instants pay for working their offset's seconds out.
WHOLE_MINUTE_OFFSETS_SINCE = datetime(1973, 1, 1)
COPY_OPTIONS = "FORMAT csv, DELIMITER ',', QUOTE '\"', NULL '', ENCODING 'UTF8'"


def local_iso(column: SqlValue) -> ColumnElement[str]:
    """A local-time cell (cells.iso_local) in SQL: a naive-UTC instant in the session's
    zone (copy_rows sets it to the tenant's) with its offset, to the second; NULL stays
    NULL (an empty cell)."""
    moment = func.timezone("UTC", column)
    text = func.to_char(moment, LOCAL_ISO)
    return case((column >= WHOLE_MINUTE_OFFSETS_SINCE, text),
                else_=text + _offset_seconds(moment))


def _offset_seconds(moment: SqlValue) -> ColumnElement[str]:
    """":SS" when the offset has seconds (local mean time), as Python prints it; else ""."""
    extra = func.mod(cast(func.date_part("timezone", moment), Integer), 60)
    return case((extra == 0, literal("")),
                else_=literal(":") + func.lpad(cast(func.abs(extra), Text), 2, "0"))


def _as_is(value: SqlValue) -> SqlValue:
    return value


# Each kind of cell in PostgreSQL: an integer as it is, text defused (ascii() is the code
# point of the first character in a UTF-8 database), a local time in the session's zone.
POSTGRES_FORMS: SqlForms = {
    CellKind.INTEGER: _as_is,
    CellKind.TEXT: partial(defused_sql, first_code=func.ascii),
    CellKind.LOCAL_TIME: local_iso,
}


def _compiled(db: Database, statement: Select) -> tuple[str, dict[str, Any]]:
    """The statement's SQL and parameters; psycopg merges them client-side for COPY."""
    compiled = statement.compile(dialect=db.engine.dialect,
                                 compile_kwargs={"render_postcompile": True})
    return compiled.string, dict(compiled.params)


def copy_rows(db: Database, statement: Select, out: TextIO, zone: ZoneInfo) -> int:
    """COPY the statement's rows as CSV into `out` as they arrive; returns how many.

    The session's zone is the tenant's for this transaction only, for local_iso's cells.
    """
    sql, params = _compiled(db, statement)
    with db.transaction() as session:
        raw: Any = session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [zone.key])
            with cursor.copy(f"COPY ({sql}) TO STDOUT WITH ({COPY_OPTIONS})", params) as copy:
                write_records(_joined(copy), out)
            return int(cursor.rowcount)


def _joined(blocks: Iterable[Any]) -> Iterator[bytes]:
    """ROWS_PER_WRITE messages at a time as one bytes (islice gathers them in C)."""
    source = iter(blocks)
    while group := list(islice(source, ROWS_PER_WRITE)):
        yield b"".join(group)


def write_records(chunks: Iterable[bytes], out: TextIO) -> None:
    """COPY's CSV bytes as text with CRLF record ends; a chunk may split a character."""
    ends, decoder = RecordEnds(), codecs.getincrementaldecoder("utf-8")()
    for chunk in chunks:
        out.write(decoder.decode(ends(chunk)))
    out.write(decoder.decode(b"", final=True))


class RecordEnds:
    """LF → CRLF at the end of each record, never inside a quoted field, across chunks.

    Both writers quote a field holding a CR, LF or quote, and write its text as it is:
    every LF outside quotes ends a record. A chunk without a quote character (most of
    them) is one replace; otherwise the text between quote characters alternates outside
    and inside (a doubled quote "" inside a field closes and reopens, which is the same).
    """

    def __init__(self) -> None:
        self.quoted = False  # whether the last chunk ended inside a quoted field

    def __call__(self, chunk: bytes) -> bytes:
        if b'"' not in chunk:
            return chunk if self.quoted else chunk.replace(b"\n", b"\r\n")
        parts = chunk.split(b'"')
        for i in range(1 if self.quoted else 0, len(parts), 2):
            parts[i] = parts[i].replace(b"\n", b"\r\n")
        self.quoted = (self.quoted + len(parts) - 1) % 2 == 1
        return b'"'.join(parts)


__all__ = ["POSTGRES_FORMS", "RecordEnds", "copy_rows", "local_iso", "write_records"]

"""Streamed CSV exports: RFC 4180, UTF-8, formula-looking text defused for spreadsheets.

Rows go out batch by batch as the database returns them, so memory does not grow with
the size of the export. The history exports format their cells in SQL (sql_cell) to the
text the Python writer (write_csv over frames, the reference) would write: PostgreSQL's
COPY then quotes and writes them (exports.pg_copy), on SQLite the raw cursor's rows go
into csv.writer (exports.sqlite_rows).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from numbers import Integral, Real
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import DateTime, Integer, Select, String, case, cast, func, literal

from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Term
from licensing_core.db.tenancy import get_tenant, term_on
from licensing_core.domain.terms import term_bounds_utc
from licensing_core.exports import pg_copy, sqlite_rows
from licensing_core.queries.common import Cell, Expr, tenant_term, tenant_zone
from licensing_core.queries.conversations import (
    CONVERSATION_COLUMNS,
    ConversationFilters,
    conversation_span,
    conversation_statement,
)
from licensing_core.queries.history import (
    NO_FILTERS,
    HistoryFilters,
    columns_for,
    consumption_statement,
)
from licensing_core.queries.purchases import PURCHASE_COLUMNS, purchase_history

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# RFC 4180 ends every record with CRLF.
LINE_TERMINATOR = "\r\n"


def defuse(value: str) -> str:
    """Prefix ' to text a spreadsheet would otherwise evaluate as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_cell(value: Any) -> str:
    """Numbers plain (never defused: -20 stays a number), dates ISO 8601, text defused."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return defuse(str(value))


def _format_column(series: pd.Series) -> list[str]:
    """format_cell over a column, with fast paths for the common all-int and all-text ones."""
    if pd.api.types.is_integer_dtype(series) and not pd.api.types.is_bool_dtype(series) \
            and not series.hasnans:
        return series.astype("int64").astype(str).tolist()
    values = series.tolist()
    if all(type(v) is str for v in values):
        return ["'" + v if v.startswith(FORMULA_STARTS) else v for v in values]
    return [format_cell(v) for v in values]


@dataclass(frozen=True)
class SqlCells:
    """What formatting a cell in SQL (sql_cell) takes that differs between databases."""

    local_iso: Cell  # a naive-UTC instant as iso_local's text, NULL kept
    first_code: Cell  # the code point of a text's first character (0 or NULL if empty)
    integer: Cell  # an integer column's value as an integer


POSTGRES_CELLS = SqlCells(pg_copy.local_iso, func.ascii, lambda expr: expr)


def sqlite_cells(tz: ZoneInfo, start: datetime, end: datetime) -> SqlCells:
    """SQLite's: instants from start to end (naive UTC) by a CASE over the zone's
    offsets, others through iso_local; CAST makes sure an integer never comes as text."""
    return SqlCells(sqlite_rows.local_iso_cell(tz, start, end), func.unicode,
                    lambda expr: cast(expr, Integer))


def sql_cell(expr: Expr, cells: SqlCells = POSTGRES_CELLS) -> Expr:
    """format_cell in SQL: integers plain, instants as iso_local, text defused.

    Text that is empty or NULL becomes NULL: COPY writes NULL as nothing, as Python does
    both, but would quote an empty string. A type without a rule here is refused.
    """
    kind = expr.type
    if isinstance(kind, Integer):
        return cells.integer(expr)
    if isinstance(kind, DateTime) and not kind.timezone:  # naive UTC, as every model's
        return cells.local_iso(expr)
    if not isinstance(kind, String):
        raise TypeError(f"no SQL cell format for a column of type {kind!r}")
    formula = cells.first_code(expr).in_([ord(c) for c in FORMULA_STARTS])
    return case((formula, literal("'") + expr), else_=func.nullif(expr, ""))


def _sql_cell(db: Database, span: Callable[[], tuple[ZoneInfo, datetime, datetime]]) -> Cell:
    """sql_cell for the database; SQLite's needs the span (zone, start, end) its rows'
    instants are expected in, read only there."""
    return sql_cell if db.is_postgres else partial(sql_cell, cells=sqlite_cells(*span()))


def _writer(out: TextIO) -> Any:
    return csv.writer(out, lineterminator=LINE_TERMINATOR)


def write_csv(frames: Iterable[pd.DataFrame], out: TextIO, columns: Sequence[str]) -> int:
    """Write the header and then each frame's rows as they come; returns the rows written."""
    writer = _writer(out)
    writer.writerow(list(columns))
    written = 0
    for frame in frames:
        if frame.empty:
            continue
        cells = [_format_column(frame[c]) for c in columns]
        writer.writerows(zip(*cells, strict=True))
        written += len(frame)
    return written


def sql_csv(db: Database, statement: Select, zone: ZoneInfo, out: TextIO,
            columns: Sequence[str]) -> int:
    """write_csv's bytes from a statement of sql_cell columns, about twice as fast: written
    by COPY on PostgreSQL, the raw cursor's rows by csv.writer on SQLite. The header is
    the Python writer's own."""
    writer = _writer(out)
    writer.writerow(list(columns))
    if db.is_postgres:
        return pg_copy.copy_rows(db, statement, out, zone)
    return sqlite_rows.write_rows(db, statement, writer)


def _export_term(db: Database, tenant_id: str, term_id: int | None, term_date: date | None,
                 now: datetime | None) -> tuple[Term, ZoneInfo]:
    """The term asked for by id, else the one containing term_date, else the current one;
    and the tenant's zone."""
    with db.transaction() as session:
        if term_id is not None:
            return tenant_term(session, tenant_id, term_id), tenant_zone(session, tenant_id)
        tenant = get_tenant(session, tenant_id)
        return term_on(session, tenant, term_date, now or utcnow()), ZoneInfo(tenant.timezone)


def export_consumption(  # noqa: PLR0913 - keyword-only: the page's term, filters and order
        db: Database, tenant_id: str, out: TextIO, *, term_id: int | None = None,
        term_date: date | None = None,
        filters: HistoryFilters = NO_FILTERS, sort_by: str | None = None,
        descending: bool = False, now: datetime | None = None) -> int:
    """The Consumption History CSV: the same rows, through the same query, as the page,
    formatted by the database (sql_csv) to the very bytes of the Python path
    (iter_consumption_history into write_csv). Sessions start inside their term."""
    term, tz = _export_term(db, tenant_id, term_id, term_date, now)
    cell = _sql_cell(db, lambda: (tz, *term_bounds_utc(term.start_date, term.end_date, tz)))
    statement, _ = consumption_statement(db, tenant_id, term.id, cell=cell, filters=filters,
                                         sort_by=sort_by, descending=descending)
    return sql_csv(db, statement, tz, out, columns_for(term.license_type))


def export_purchases(db: Database, tenant_id: str, out: TextIO, *, term_id: int | None = None,
                     term_date: date | None = None, now: datetime | None = None) -> int:
    """The License Purchase History CSV of a term (a handful of rows: read at once)."""
    term, _ = _export_term(db, tenant_id, term_id, term_date, now)
    return write_csv([purchase_history(db, tenant_id, term.id)], out, PURCHASE_COLUMNS)


__all__ = ["POSTGRES_CELLS", "SqlCells", "defuse", "export_consumption",
           "export_conversations", "export_purchases", "format_cell", "sql_cell", "sql_csv",
           "sqlite_cells", "write_csv"]


def export_conversations(db: Database, tenant_id: str, out: TextIO, *,
                         filters: ConversationFilters | None = None) -> int:
    """The conversations that Conversation History's filters select, streamed, formatted by
    the database (sql_csv) to the bytes of iter_conversation_history into write_csv."""
    chosen = filters or ConversationFilters()
    cell = _sql_cell(db, lambda: conversation_span(db, tenant_id))
    statement, tz = conversation_statement(db, tenant_id, cell=cell, filters=chosen)
    return sql_csv(db, statement, tz, out, CONVERSATION_COLUMNS)

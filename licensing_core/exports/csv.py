"""Streamed CSV exports: RFC 4180, UTF-8, formula-looking text defused for spreadsheets.

Rows go out batch by batch as the database returns them, so memory does not grow with
the size of the export. Each export's column list gives every column its kind of cell
(exports.cells), and each kind is written one way: by write_csv over frames (format_cell,
the reference the tests hold the others to), or in SQL by the history exports, whose
cells the kind's SQL form for the database builds (sql_cell): PostgreSQL's COPY then
quotes and writes them (exports.pg_copy), on SQLite the raw cursor's rows go into
csv.writer (exports.sqlite_rows).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Select

from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Term
from licensing_core.db.tenancy import get_tenant, term_on
from licensing_core.domain.terms import term_bounds_utc
from licensing_core.exports import pg_copy, sqlite_rows
from licensing_core.exports.cells import (
    FORMULA_STARTS,
    CellKind,
    ExportColumns,
    SqlValue,
    format_cell,
    sql_cell,
)
from licensing_core.queries.common import Cell, tenant_term, tenant_zone
from licensing_core.queries.conversations import (
    CONVERSATION_CELLS,
    ConversationFilters,
    conversation_span,
    conversation_statement,
)
from licensing_core.queries.history import (
    NO_FILTERS,
    HistoryFilters,
    cells_for,
    consumption_statement,
)
from licensing_core.queries.purchases import PURCHASE_CELLS, purchase_history

# RFC 4180 ends every record with CRLF.
LINE_TERMINATOR = "\r\n"


def _format_column(series: pd.Series, kind: CellKind) -> list[str]:
    """format_cell over a column, with fast paths for the common all-int and all-text ones."""
    if kind is CellKind.INTEGER and pd.api.types.is_integer_dtype(series) \
            and not pd.api.types.is_bool_dtype(series) and not series.hasnans:
        return series.astype("int64").astype(str).tolist()
    values = series.tolist()
    if kind is CellKind.TEXT and all(type(v) is str for v in values):
        return ["'" + v if v.startswith(FORMULA_STARTS) else v for v in values]
    return [format_cell(kind, v) for v in values]


def _sql_cell(db: Database, span: Callable[[], tuple[ZoneInfo, datetime, datetime]]) -> Cell:
    """Each column's cell in the database's SQL, by its kind; SQLite's local times need
    the span (zone, start, end) its rows' instants are expected in, read only there."""
    forms = pg_copy.POSTGRES_FORMS if db.is_postgres else sqlite_rows.sqlite_forms(*span())

    def cell(value: SqlValue, kind: CellKind) -> SqlValue:
        return sql_cell(value, kind, forms)
    return cell


def _writer(out: TextIO) -> Any:
    return csv.writer(out, lineterminator=LINE_TERMINATOR)


def write_csv(frames: Iterable[pd.DataFrame], out: TextIO, columns: ExportColumns) -> int:
    """Write the header and then each frame's rows as they come, each column's cells by
    its kind; returns the rows written."""
    writer = _writer(out)
    writer.writerow(list(columns))
    written = 0
    for frame in frames:
        if frame.empty:
            continue
        cells = [_format_column(frame[name], kind) for name, kind in columns.items()]
        writer.writerows(zip(*cells, strict=True))
        written += len(frame)
    return written


def sql_csv(db: Database, statement: Select, zone: ZoneInfo, out: TextIO,
            columns: ExportColumns) -> int:
    """write_csv's bytes from a statement of sql_cell columns, about twice as fast: written
    by COPY on PostgreSQL, the raw cursor's rows by csv.writer on SQLite. The header is
    the Python writer's own, so the statement's columns must be those of the header."""
    selected = list(statement.selected_columns.keys())
    if selected != list(columns):
        raise ValueError(f"the statement's columns {selected} are not the export's {list(columns)}")
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
    formatted by the database (sql_csv) to the very bytes of the Python path (the page's
    rows into write_csv). Sessions start inside their term."""
    term, tz = _export_term(db, tenant_id, term_id, term_date, now)
    cell = _sql_cell(db, lambda: (tz, *term_bounds_utc(term.start_date, term.end_date, tz)))
    statement, _ = consumption_statement(db, tenant_id, term.id, cell=cell, filters=filters,
                                         sort_by=sort_by, descending=descending)
    return sql_csv(db, statement, tz, out, cells_for(term.license_type))


def export_purchases(db: Database, tenant_id: str, out: TextIO, *, term_id: int | None = None,
                     term_date: date | None = None, now: datetime | None = None) -> int:
    """The License Purchase History CSV of a term (a handful of rows: read at once)."""
    term, _ = _export_term(db, tenant_id, term_id, term_date, now)
    return write_csv([purchase_history(db, tenant_id, term.id)], out, PURCHASE_CELLS)


def export_conversations(db: Database, tenant_id: str, out: TextIO, *,
                         filters: ConversationFilters | None = None) -> int:
    """The conversations that Conversation History's filters select, streamed, formatted by
    the database (sql_csv) to the bytes of the page's rows into write_csv."""
    chosen = filters or ConversationFilters()
    cell = _sql_cell(db, lambda: conversation_span(db, tenant_id))
    statement, tz = conversation_statement(db, tenant_id, cell=cell, filters=chosen)
    return sql_csv(db, statement, tz, out, CONVERSATION_CELLS)


__all__ = ["export_consumption", "export_conversations", "export_purchases", "sql_csv",
           "write_csv"]

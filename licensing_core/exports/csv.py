"""Streamed CSV exports: RFC 4180, UTF-8, formula-looking text defused for spreadsheets.

Rows go out frame by frame as the database returns them, so memory does not grow with
the size of the export. On PostgreSQL the history exports have COPY format and quote
the rows (sql_cell, exports.pg_copy) to the bytes the Python writer would write.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from numbers import Integral, Real
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import DateTime, Integer, Select, String, case, func, literal

from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Term
from licensing_core.exports.pg_copy import copy_rows, local_iso
from licensing_core.queries.common import Expr, tenant_term
from licensing_core.queries.conversations import (
    CONVERSATION_COLUMNS,
    ConversationFilters,
    conversation_statement,
    iter_conversation_history,
)
from licensing_core.queries.history import (
    NO_FILTERS,
    HistoryFilters,
    columns_for,
    consumption_statement,
    iter_consumption_history,
)
from licensing_core.queries.purchases import PURCHASE_COLUMNS, purchase_history
from licensing_core.services.tenancy import get_tenant, term_on

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


def sql_cell(expr: Expr) -> Expr:
    """format_cell in SQL, for COPY: integers plain, instants as iso_local, text defused.

    Text that is empty or NULL becomes NULL: COPY writes NULL as nothing, as Python does
    both, but would quote an empty string. A type without a rule here is refused.
    """
    kind = expr.type
    if isinstance(kind, Integer):
        return expr
    if isinstance(kind, DateTime) and not kind.timezone:  # naive UTC, as every model's
        return local_iso(expr)
    if not isinstance(kind, String):
        raise TypeError(f"no SQL cell format for a column of type {kind!r}")
    formula = func.ascii(expr).in_([ord(c) for c in FORMULA_STARTS])  # ascii('') is 0
    return case((formula, literal("'") + expr), else_=func.nullif(expr, ""))


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


def copy_csv(db: Database, statement: Select, zone: ZoneInfo, out: TextIO,
             columns: Sequence[str]) -> int:
    """write_csv's bytes, the rows formatted (sql_cell) and written by PostgreSQL's COPY,
    about twice as fast; the header is the Python writer's own."""
    _writer(out).writerow(list(columns))
    return copy_rows(db, statement, out, zone)


def _export_term(db: Database, tenant_id: str, term_id: int | None, term_date: date | None,
                 now: datetime | None) -> Term:
    """The term asked for by id, else the one containing term_date, else the current one."""
    with db.transaction() as session:
        if term_id is not None:
            return tenant_term(session, tenant_id, term_id)
        return term_on(session, get_tenant(session, tenant_id), term_date, now or utcnow())


def export_consumption(db: Database, tenant_id: str, out: TextIO, *, term_id: int | None = None,
                       term_date: date | None = None,
                       filters: HistoryFilters = NO_FILTERS, sort_by: str | None = None,
                       descending: bool = False, now: datetime | None = None) -> int:
    """The Consumption History CSV: the same rows, through the same query, as the page.

    PostgreSQL formats and writes the rows itself (copy_csv), to the very bytes that the
    Python path (SQLite's) writes.
    """
    term = _export_term(db, tenant_id, term_id, term_date, now)
    columns = columns_for(term.license_type)
    if db.is_postgres:
        return copy_csv(db, *consumption_statement(
            db, tenant_id, term.id, cell=sql_cell, filters=filters, sort_by=sort_by,
            descending=descending), out, columns)
    frames = iter_consumption_history(db, tenant_id, term.id, filters=filters,
                                      sort_by=sort_by, descending=descending)
    return write_csv(frames, out, columns)


def export_purchases(db: Database, tenant_id: str, out: TextIO, *, term_id: int | None = None,
                     term_date: date | None = None, now: datetime | None = None) -> int:
    """The License Purchase History CSV of a term (a handful of rows: read at once)."""
    term = _export_term(db, tenant_id, term_id, term_date, now)
    return write_csv([purchase_history(db, tenant_id, term.id)], out, PURCHASE_COLUMNS)


__all__ = ["copy_csv", "defuse", "export_consumption", "export_conversations",
           "export_purchases", "format_cell", "sql_cell", "write_csv"]


def export_conversations(db: Database, tenant_id: str, out: TextIO, *,
                         filters: ConversationFilters | None = None) -> int:
    """The conversations that Conversation History's filters select, streamed (through
    COPY on PostgreSQL, to the same bytes)."""
    chosen = filters or ConversationFilters()
    if db.is_postgres:
        return copy_csv(db, *conversation_statement(db, tenant_id, cell=sql_cell,
                                                    filters=chosen), out, CONVERSATION_COLUMNS)
    return write_csv(iter_conversation_history(db, tenant_id, filters=chosen), out,
                     CONVERSATION_COLUMNS)

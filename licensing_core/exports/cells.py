"""The kinds of cell an export writes, each named once with how it is written.

Every export's column list (queries: SESSION_CELLS, USER_CELLS, CONVERSATION_CELLS,
PURCHASE_CELLS, IDLE_CELLS) gives each column one kind. The Python writer formats a value
by its kind (format_cell); the exports formatted in the database take the SQL form of the
kind for their dialect (sql_cell, with pg_copy.POSTGRES_FORMS or sqlite_rows.sqlite_forms),
and the tests hold the two to the same bytes.

A missing value (NULL, None, NaT, NA) is an empty cell whatever the kind, so no kind needs
a nullable twin.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from numbers import Integral
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, DateTime, Integer, String, case, func, literal
from sqlalchemy.orm import QueryableAttribute

from licensing_core.domain.terms import to_local

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A column, or an SQL expression over columns.
SqlValue = ColumnElement[Any] | QueryableAttribute[Any]


class CellKind(Enum):
    """What a column holds, and so how each export path writes it."""

    INTEGER = "integer"  # digits as they are, never defused: -20 stays a number
    TEXT = "text"  # defused (a leading = + - @ tab or CR gets a '); "" is an empty cell
    LOCAL_TIME = "local time"  # a stored naive-UTC instant, in the tenant's zone as ISO 8601
    # with its offset, to the second (what a person reads and a spreadsheet parses)


# An export's columns in order, each with its kind.
ExportColumns = Mapping[str, CellKind]
# A kind's SQL form in one dialect: a column's stored value → its cell's text (NULL: empty).
SqlForms = Mapping[CellKind, Callable[[SqlValue], SqlValue]]

# The SQL type a column of each kind has; any other is refused before its SQL is built.
SQL_TYPES: dict[CellKind, type] = {
    CellKind.INTEGER: Integer, CellKind.TEXT: String, CellKind.LOCAL_TIME: DateTime,
}


def defuse(value: str) -> str:
    """Prefix ' to text a spreadsheet would otherwise evaluate as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def iso_local(moment: datetime, tz: ZoneInfo | None = None) -> str:
    """An instant as ISO 8601 with its offset, to the second: an aware one in its own zone,
    a naive one (stored UTC) in `tz`. Sub-seconds add nothing a person reads."""
    if moment.tzinfo is None:
        if tz is None:
            raise TypeError("a naive (stored UTC) instant needs the zone to be written in")
        moment = to_local(moment, tz)
    return moment.isoformat(timespec="seconds")


def missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_cell(kind: CellKind, value: Any) -> str:
    """The Python rule of each kind; a value that is not of its column's kind is refused."""
    if missing(value):
        return ""
    if kind is CellKind.INTEGER and isinstance(value, Integral) and not isinstance(value, bool):
        return str(int(value))
    if kind is CellKind.TEXT and isinstance(value, str):
        return defuse(value)
    if kind is CellKind.LOCAL_TIME and isinstance(value, datetime) and value.tzinfo is not None:
        return iso_local(value)
    raise TypeError(f"{value!r} is not a value of a {kind.value} cell")


def defused_sql(value: SqlValue, first_code: Callable[[SqlValue], SqlValue]) -> SqlValue:
    """defuse in SQL, given the dialect's code point of a text's first character.

    Text that is empty or NULL becomes NULL: COPY writes NULL as nothing, as Python does
    both, but would quote an empty string.
    """
    formula = first_code(value).in_([ord(c) for c in FORMULA_STARTS])
    return case((formula, literal("'") + value), else_=func.nullif(value, ""))


def sql_cell(value: SqlValue, kind: CellKind, forms: SqlForms) -> SqlValue:
    """The kind's SQL form in the dialect of `forms`: the text format_cell writes.

    A column whose SQL type is not its kind's (or a naive-UTC instant's, for a local
    time) is refused, as is a kind the dialect has no form for.
    """
    sql_type = value.type
    if not isinstance(sql_type, SQL_TYPES[kind]) or (
            isinstance(sql_type, DateTime) and sql_type.timezone):
        raise TypeError(f"no SQL cell format for a {kind.value} column of type {sql_type!r}")
    form = forms.get(kind)
    if form is None:
        raise TypeError(f"no SQL form of a {kind.value} cell in this dialect")
    return form(value)


__all__ = ["FORMULA_STARTS", "SQL_TYPES", "CellKind", "ExportColumns", "SqlForms", "SqlValue",
           "defuse", "defused_sql", "format_cell", "iso_local", "missing", "sql_cell"]

"""Helpers every read model shares: tenant scoping, paging checks, text search, local times."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, and_, func, literal, or_, select, true
from sqlalchemy.orm import QueryableAttribute, Session

from licensing_core.db.models import Tenant, Term
from licensing_core.domain.terms import local_midnight_utc, to_local
from licensing_core.errors import NotFound, Refused
from licensing_core.exports.cells import CellKind

# A column of a table or of a mapped class, or an SQL expression over them.
Expr = ColumnElement[Any] | QueryableAttribute[Any]
# Rewrites a display column's expression by the column's kind (an export formatting its
# cells in SQL: exports.cells.sql_cell).
Cell = Callable[[Expr, CellKind], Expr]

# The escape character of LIKE patterns, so that a search for "50%" finds that text.
LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class HistoryPage:
    """One page of a table and the number of rows its filters match (for "N rows")."""

    rows: pd.DataFrame
    total_rows: int


def tenant_zone(session: Session, tenant_id: str) -> ZoneInfo:
    """The tenant's timezone; an unknown tenant is NotFound (never another tenant's data)."""
    name = session.scalar(select(Tenant.timezone).where(Tenant.id == tenant_id))
    if name is None:
        raise NotFound(f"no tenant {tenant_id!r}")
    return ZoneInfo(name)


def tenant_term(session: Session, tenant_id: str, term_id: int) -> Term:
    """The term, only when it belongs to the tenant: a term id never crosses tenants."""
    term = session.scalar(select(Term).where(Term.id == term_id, Term.tenant_id == tenant_id))
    if term is None:
        tenant_zone(session, tenant_id)
        raise NotFound(f"tenant {tenant_id!r} has no term {term_id}")
    return term


def of_term(model: Any, term: Term) -> ColumnElement[bool]:
    """The sessions or licenses (`model`) of a term got through tenant_term: by the term id
    alone, as term ids never cross tenants. A tenant condition beside it made PostgreSQL
    take the two for independent, expect a tenth of the rows and read the whole table
    instead of the term's entries of its index (the history's filter options: 560 ms to
    245 on a term of 600,000 sessions)."""
    return cast(ColumnElement[bool], model.term_id == term.id)


def check_page(limit: int, offset: int) -> None:
    if limit < 1:
        raise Refused(f"a page needs a limit of 1 or more rows, not {limit}")
    if offset < 0:
        raise Refused(f"a page offset must be 0 or more, not {offset}")


def contains_text(columns: Sequence[Expr], text: str,
                  postgres: bool) -> ColumnElement[bool] | None:
    """Case-insensitive substring match on any of the columns (None when no text is given).

    PostgreSQL uses ILIKE; SQLite lowers both sides with its own lower() so that the two
    sides agree on which letters have a case.
    """
    needle = text.strip()
    if not needle:
        return None
    escaped = (needle.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
               .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))
    pattern = f"%{escaped}%"
    if postgres:
        return or_(*(c.ilike(pattern, escape=LIKE_ESCAPE) for c in columns))
    lowered = func.lower(literal(pattern))
    return or_(*(func.lower(c).like(lowered, escape=LIKE_ESCAPE) for c in columns))


def local_day_bounds(column: Expr, date_from: date | None,
                     date_to: date | None, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    """Conditions keeping instants on tenant-local days date_from..date_to (inclusive)."""
    conditions: list[ColumnElement[bool]] = []
    if date_from is not None and date_to is not None and date_to < date_from:
        raise Refused(f"the date range ends ({date_to}) before it starts ({date_from})")
    if date_from is not None:
        conditions.append(column >= local_midnight_utc(date_from, tz))
    if date_to is not None:
        conditions.append(column < local_midnight_utc(date_to + timedelta(days=1), tz))
    return conditions


def in_values(column: Expr, values: Iterable[str]) -> ColumnElement[bool] | None:
    chosen = list(dict.fromkeys(values))
    return column.in_(chosen) if chosen else None


def all_of(conditions: Iterable[ColumnElement[bool] | None]) -> ColumnElement[bool]:
    kept = [c for c in conditions if c is not None]
    return and_(*kept) if kept else true()


def in_zone(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A stored naive-UTC instant as an aware time in the zone (None when missing)."""
    return None if moment is None else to_local(moment, tz)


def local_times(values: Iterable[Any], tz: ZoneInfo) -> pd.Series:
    """Stored naive-UTC instants as a column of timestamps in the tenant's zone (NaT for a
    missing one): read models return times, the pages and the exports write them."""
    utc = pd.to_datetime(pd.Series(list(values), dtype=object)).astype("datetime64[us]")
    return utc.dt.tz_localize("UTC").dt.tz_convert(tz)


def empty_frame(columns: Sequence[str], integer_columns: Sequence[str] = ()) -> pd.DataFrame:
    """A frame with the columns (and integer dtypes) of a table, but no rows."""
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in integer_columns else object)
                         for c in columns})

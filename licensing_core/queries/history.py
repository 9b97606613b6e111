"""Consumption History: the users (user-based) or sessions (session-based) counted in a term.

Filtering, sorting and paging happen in the database; the page, its "N rows" and the CSV
export all go through the one statement built here, so a download holds exactly the rows
that the page's filters show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, FromClause, Join, Select, func, select
from sqlalchemy.orm import Session

from licensing_core.db.bulk import one_of_filtering
from licensing_core.db.engine import Database
from licensing_core.db.models import PlatformUser, Term, UsageSession, UserLicense
from licensing_core.domain.kinds import LicenseType, UserStatus
from licensing_core.errors import Refused
from licensing_core.exports.cells import CellKind, ExportColumns
from licensing_core.queries.common import (
    Cell,
    Expr,
    HistoryPage,
    all_of,
    check_page,
    contains_text,
    in_values,
    local_day_bounds,
    local_times,
    of_term,
    tenant_term,
    tenant_zone,
)

_TEXT, _INTEGER, _LOCAL_TIME = CellKind.TEXT, CellKind.INTEGER, CellKind.LOCAL_TIME
# The page's (and the CSV's) columns in order, each with its kind of cell.
USER_CELLS: ExportColumns = {
    "User ID": _TEXT, "User Name": _TEXT, "Email": _TEXT, "First Name": _TEXT,
    "Last Name": _TEXT, "Role": _TEXT, "Status": _TEXT, "Conversations": _INTEGER,
}
SESSION_CELLS: ExportColumns = {
    "Session ID": _TEXT, "Started On": _LOCAL_TIME, "Initiated By": _TEXT, "User Name": _TEXT,
    "Email": _TEXT, "Role": _TEXT, "Agent Name": _TEXT, "Channel": _TEXT,
    "Conversations": _INTEGER,
}
USER_COLUMNS: tuple[str, ...] = tuple(USER_CELLS)
SESSION_COLUMNS: tuple[str, ...] = tuple(SESSION_CELLS)


@dataclass(frozen=True)
class HistoryFilters:
    """The filters of the Consumption History page; empty values filter nothing."""

    text: str = ""  # case-insensitive substring of user id, user name or email
    roles: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # user status (Active/Inactive)
    channels: tuple[str, ...] = ()  # session-based only
    agents: tuple[str, ...] = ()  # session-based only
    date_from: date | None = None  # tenant-local, inclusive: Started On / held since
    date_to: date | None = None


NO_FILTERS = HistoryFilters()


@dataclass(frozen=True)
class FilterOptions:
    roles: list[str]
    statuses: list[str]
    channels: list[str]
    agents: list[str]


@dataclass(frozen=True)
class _UserSearch:
    """Where the text filter looks: the row's user's id, name and email."""

    tenant_id: str
    user_id: Expr  # the row's user id

    def condition(self, session: Session, needle: str,
                  postgres: bool) -> ColumnElement[bool] | None:
        """The row's user is one whose id, name or email contains the text.

        Every row's user is stored (an import creates the users it meets first), so the
        users are found first, in one query (on PostgreSQL through the trigram index
        ix_platform_users_search), and their ids bound into the statement as one value
        (`one_of_filtering`): each of the term's rows is then looked up in a hash of them, where a
        LIKE on every row's user id took half the time of a filtered count. The page and
        its count run in the transaction that found the users; an export finds them as its
        statement is built, just before it runs.
        """
        u = PlatformUser
        theirs = contains_text([u.user_id, u.user_name, u.email], needle, postgres)
        if theirs is None:
            return None
        users = session.scalars(select(u.user_id).where(u.tenant_id == self.tenant_id, theirs))
        return one_of_filtering(session, self.user_id, users.all())


@dataclass(frozen=True)
class _Shape:
    """The SQL of one license type's history: display columns, source, scope and order."""

    columns: dict[str, Expr]
    cells: ExportColumns  # each column's kind
    source: FromClause
    scope: list[ColumnElement[bool]]
    searched: _UserSearch
    held_at: Expr  # the instant the date filter applies to
    key: Expr  # unique in the term: the last sort key, so pages never overlap
    default_sort: str
    default_descending: bool
    channel: Expr | None
    agent: Expr | None


def cells_for(license_type: str) -> ExportColumns:
    """The display (and CSV) columns of a term's history, each with its kind."""
    return SESSION_CELLS if license_type == LicenseType.SESSION else USER_CELLS


def columns_for(license_type: str) -> tuple[str, ...]:
    """The display (and CSV) columns of a term's history."""
    return tuple(cells_for(license_type))


def _user_fields() -> dict[str, Expr]:
    u = PlatformUser
    return {
        "User Name": func.coalesce(u.user_name, ""), "Email": func.coalesce(u.email, ""),
        "First Name": func.coalesce(u.first_name, ""), "Last Name": func.coalesce(u.last_name, ""),
        "Role": func.coalesce(u.role, ""), "Status": func.coalesce(u.status, UserStatus.ACTIVE),
    }


def _shape(term: Term) -> _Shape:
    """Rows are scoped by the term alone: term ids are unique across tenants and the term was
    checked to be the tenant's. A constant tenant id here would let PostgreSQL, on tables
    not yet analyzed after a bulk import, join every row to all of the tenant's users."""
    u = PlatformUser
    user = _user_fields()
    if term.license_type == LicenseType.SESSION:
        s = UsageSession
        source = s.__table__.outerjoin(
            u.__table__, (u.tenant_id == s.tenant_id) & (u.user_id == s.user_id))
        columns: dict[str, Expr] = {
            "Session ID": s.session_id, "Started On": s.started_at,
            "Initiated By": s.initiated_by, "User Name": user["User Name"],
            "Email": user["Email"], "Role": user["Role"], "Agent Name": s.agent_name,
            "Channel": s.channel, "Conversations": s.conversation_count,
        }
        return _Shape(columns, SESSION_CELLS, source, [of_term(s, term)],
                      _UserSearch(term.tenant_id, s.user_id), s.started_at, s.session_id,
                      "Started On", True, s.channel, s.agent_name)
    lic = UserLicense
    source = lic.__table__.outerjoin(
        u.__table__, (u.tenant_id == lic.tenant_id) & (u.user_id == lic.user_id))
    columns = {"User ID": lic.user_id, **{c: user[c] for c in USER_COLUMNS[1:-1]},
               "Conversations": lic.conversation_count}
    return _Shape(columns, USER_CELLS, source, [of_term(lic, term)],
                  _UserSearch(term.tenant_id, lic.user_id), lic.held_since, lic.user_id,
                  "User ID", False, None, None)


def _where(session: Session, shape: _Shape, filters: HistoryFilters, tz: ZoneInfo,
           postgres: bool) -> ColumnElement[bool]:
    """Channel and agent filters are ignored on a user-based term, which has neither."""
    return all_of([
        *shape.scope,
        shape.searched.condition(session, filters.text, postgres),
        in_values(shape.columns["Role"], filters.roles),
        in_values(_user_fields()["Status"], filters.statuses),
        in_values(shape.channel, filters.channels) if shape.channel is not None else None,
        in_values(shape.agent, filters.agents) if shape.agent is not None else None,
        *local_day_bounds(shape.held_at, filters.date_from, filters.date_to, tz),
    ])


def _order(shape: _Shape, sort_by: str | None, descending: bool) -> list[Expr]:
    """ORDER BY the chosen display column, then the row's key; None gives the default order."""
    if sort_by is None:
        sort_by, descending = shape.default_sort, shape.default_descending
    if sort_by not in shape.columns:
        raise Refused(f"cannot sort by {sort_by!r}; choose one of {', '.join(shape.columns)}")
    keys = [shape.columns[sort_by]]
    if keys[0] is not shape.key:
        keys.append(shape.key)
    return [k.desc() if descending else k.asc() for k in keys]


def _as_is(expr: Expr, kind: CellKind) -> Expr:
    return expr


def _statement(shape: _Shape, where: ColumnElement[bool], sort_by: str | None,
               descending: bool, cell: Cell = _as_is) -> Select:
    """The page's and the exports' one statement; `cell` changes what a column shows (by
    the column's kind), never which rows come or their order (ORDER BY stays on the
    stored values)."""
    return (select(*(cell(expr, shape.cells[name]).label(name)
                     for name, expr in shape.columns.items()))
            .select_from(shape.source)
            .where(where)
            .order_by(*_order(shape, sort_by, descending)))


def _frame(rows: Sequence[Any], shape: _Shape, tz: ZoneInfo) -> pd.DataFrame:
    """The rows as the page's table: integers as int64, local times as timestamps in the
    tenant's zone (the page and the exports write them)."""
    names = list(shape.columns)
    integers = [n for n, kind in shape.cells.items() if kind is CellKind.INTEGER]
    columns = zip(*rows, strict=True) if rows else ([] for _ in names)
    values: dict[str, Any] = dict(zip(names, (list(c) for c in columns), strict=True))
    for name, kind in shape.cells.items():
        if kind is CellKind.LOCAL_TIME:
            values[name] = local_times(values[name], tz)
    frame = pd.DataFrame(values, columns=names)
    return frame.astype(dict.fromkeys(integers, "int64"))


def consumption_history(db: Database, tenant_id: str, term_id: int, *,
                        filters: HistoryFilters = HistoryFilters(), sort_by: str | None = None,
                        descending: bool = False, limit: int = 50,
                        offset: int = 0) -> HistoryPage:
    """One page of the term's history and the number of rows the filters match.

    `sort_by` is a display column; without it rows come newest session first, or by user id.
    """
    check_page(limit, offset)
    with db.transaction() as session:
        term = tenant_term(session, tenant_id, term_id)
        tz = tenant_zone(session, tenant_id)
        shape = _shape(term)
        where = _where(session, shape, filters, tz, db.is_postgres)
        statement = _statement(shape, where, sort_by, descending)
        rows = session.execute(statement.limit(limit).offset(offset)).all()
        total = session.scalar(select(func.count()).select_from(_count_source(shape, filters))
                               .where(where))
        return HistoryPage(_frame(rows, shape, tz), int(total or 0))


def _count_source(shape: _Shape, filters: HistoryFilters) -> FromClause:
    """The rows to count: without a filter on the joined user's fields (role, status; the
    text filter finds its users apart), the history's own table alone, as the outer join
    to the user (one at most per row) never changes the count. PostgreSQL drops such a
    join by itself; SQLite would look up every row's user."""
    by_user = filters.roles or filters.statuses
    if not by_user and isinstance(shape.source, Join):
        return shape.source.left
    return shape.source


def consumption_statement(db: Database, tenant_id: str, term_id: int, *,
                          cell: Cell = _as_is,
                          filters: HistoryFilters = HistoryFilters(),
                          sort_by: str | None = None,
                          descending: bool = False) -> tuple[Select, ZoneInfo]:
    """The page's statement with each column's cell rewritten by `cell`, and the tenant's
    zone: an export that formats in the database (COPY) still gets the page's rows. The
    tenant, term and sort are checked now, so that an export fails before writing."""
    with db.transaction() as session:
        term = tenant_term(session, tenant_id, term_id)
        tz = tenant_zone(session, tenant_id)
        shape = _shape(term)
        where = _where(session, shape, filters, tz, db.is_postgres)
        statement = _statement(shape, where, sort_by, descending, cell)
        return statement, tz


def _distinct(session: Session, column: Expr, *scope: ColumnElement[bool]) -> list[str]:
    """The column's distinct non-empty values in the scope, sorted."""
    statement = select(column).distinct().where(*scope, column.is_not(None), column != "")
    return sorted(str(v) for v in session.scalars(statement))


def filter_options(db: Database, tenant_id: str, term_id: int) -> FilterOptions:
    """The values the page's filters offer: roles and statuses of the tenant's users,
    channels and agents of the term's sessions (none for a user-based term)."""
    with db.transaction() as session:
        term = tenant_term(session, tenant_id, term_id)
        u, s = PlatformUser, UsageSession
        roles = _distinct(session, u.role, u.tenant_id == tenant_id)
        statuses = _distinct(session, u.status, u.tenant_id == tenant_id)
        if term.license_type != LicenseType.SESSION:
            return FilterOptions(roles, statuses, [], [])
        # One pass over the term's sessions for both lists.
        pairs = session.execute(select(s.channel, s.agent_name).distinct().where(
            of_term(s, term))).all()
        return FilterOptions(roles, statuses, sorted({c for c, _ in pairs if c}),
                             sorted({a for _, a in pairs if a}))


__all__ = [
    "NO_FILTERS", "SESSION_CELLS", "SESSION_COLUMNS", "USER_CELLS", "USER_COLUMNS",
    "FilterOptions", "HistoryFilters", "HistoryPage", "cells_for", "columns_for",
    "consumption_history", "consumption_statement", "filter_options",
]

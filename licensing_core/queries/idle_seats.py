"""Idle seats of a user-based term: users holding a license with no recent conversation.

"No conversation in the last N days" means none started on the N tenant-local days that
end today (today included). The latest conversation per user is joined in SQL; filtering,
counting and paging happen in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Select, func, or_, select

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Conversation, PlatformUser, Term, UserLicense
from licensing_core.domain.kinds import LicenseType, UserStatus
from licensing_core.domain.terms import local_midnight_utc
from licensing_core.errors import Refused
from licensing_core.exports.cells import CellKind, ExportColumns
from licensing_core.queries.common import (
    HistoryPage,
    check_page,
    empty_frame,
    local_times,
    of_term,
    tenant_term,
    tenant_zone,
)

_TEXT, _LOCAL_TIME = CellKind.TEXT, CellKind.LOCAL_TIME
# The page's (and the CSV's) columns in order, each with its kind of cell.
IDLE_CELLS: ExportColumns = {
    "User ID": _TEXT, "User Name": _TEXT, "Email": _TEXT, "Role": _TEXT, "Status": _TEXT,
    "Licensed Since": _LOCAL_TIME, "Last Conversation": _LOCAL_TIME,
}
IDLE_COLUMNS: tuple[str, ...] = tuple(IDLE_CELLS)
# The viewer's choices stay within a year: longer than any term has no meaning.
MAX_IDLE_DAYS = 366
# Rows per frame of the export: few round trips, little memory.
BATCH_ROWS = 10_000


def idle_cutoff(now: datetime, tz: ZoneInfo, days: int) -> datetime:
    """The instant (naive UTC) from which a conversation makes a user not idle."""
    if not 1 <= days <= MAX_IDLE_DAYS:
        raise Refused(f"idle days must be between 1 and {MAX_IDLE_DAYS}, not {days}")
    today = local_today(now, tz.key)
    return local_midnight_utc(today - timedelta(days=days - 1), tz)


def _statement(term: Term, cutoff: datetime) -> Select:
    latest = (select(Conversation.user_id, func.max(Conversation.started_at).label("last"))
              .where(Conversation.tenant_id == term.tenant_id)
              .group_by(Conversation.user_id).subquery())
    lic, u = UserLicense, PlatformUser
    return (select(lic.user_id.label("User ID"),
                   func.coalesce(u.user_name, "").label("User Name"),
                   func.coalesce(u.email, "").label("Email"),
                   func.coalesce(u.role, "").label("Role"),
                   func.coalesce(u.status, UserStatus.ACTIVE).label("Status"),
                   lic.held_since.label("Licensed Since"),
                   latest.c.last.label("Last Conversation"))
            .select_from(lic)
            .outerjoin(u, (u.tenant_id == lic.tenant_id) & (u.user_id == lic.user_id))
            .outerjoin(latest, latest.c.user_id == lic.user_id)
            .where(of_term(lic, term),
                   or_(latest.c.last.is_(None), latest.c.last < cutoff)))


def _checked(db: Database, tenant_id: str, term_id: int, days: int,
             now: datetime) -> tuple[Select, ZoneInfo]:
    with db.transaction() as session:
        term = tenant_term(session, tenant_id, term_id)
        tz = tenant_zone(session, tenant_id)
    if term.license_type != LicenseType.USER:
        raise Refused("idle seats exist only in user-based terms")
    return _statement(term, idle_cutoff(now, tz, days)), tz


def _frame(rows: list, tz: ZoneInfo) -> pd.DataFrame:
    """The rows as the page's table, times as timestamps in the tenant's zone."""
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(IDLE_COLUMNS)) if rows \
        else empty_frame(IDLE_COLUMNS)
    for name, kind in IDLE_CELLS.items():
        if kind is CellKind.LOCAL_TIME:
            frame[name] = local_times(frame[name], tz)
    return frame


def idle_seats(db: Database, tenant_id: str, term_id: int, *, days: int, limit: int = 50,
               offset: int = 0, now: datetime | None = None) -> HistoryPage:
    """One page of the term's idle users (longest idle first) and how many there are."""
    check_page(limit, offset)
    statement, tz = _checked(db, tenant_id, term_id, days, now or utcnow())
    ordered = _ordered(statement)
    with db.transaction() as session:
        rows = session.execute(ordered.limit(limit).offset(offset)).all()
        total = session.scalar(select(func.count()).select_from(statement.subquery()))
    return HistoryPage(_frame(list(rows), tz), int(total or 0))


def _ordered(statement: Select) -> Select:
    """Never seen first, then the oldest last conversation; the user id breaks ties."""
    last = statement.selected_columns["Last Conversation"]
    return statement.order_by(last.is_not(None), last, UserLicense.user_id)


def iter_idle_seats(db: Database, tenant_id: str, term_id: int, *, days: int,
                    now: datetime | None = None,
                    batch_rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """Every idle user, in the page's order, in frames (checked before the first row)."""
    statement, tz = _checked(db, tenant_id, term_id, days, now or utcnow())
    return _stream(db, _ordered(statement), tz, batch_rows)


def _stream(db: Database, statement: Select, tz: ZoneInfo,
            batch_rows: int) -> Iterator[pd.DataFrame]:
    with db.transaction() as session:
        result = session.connection().execute(
            statement, execution_options={"yield_per": batch_rows})
        for rows in result.partitions(batch_rows):
            yield _frame(list(rows), tz)


__all__ = ["IDLE_CELLS", "IDLE_COLUMNS", "MAX_IDLE_DAYS", "idle_cutoff", "idle_seats",
           "iter_idle_seats"]

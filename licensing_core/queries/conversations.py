"""Conversation History: the conversations of one user, of one session, or of a filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

from licensing_core.db.engine import Database
from licensing_core.db.models import Conversation, PlatformUser, UsageSession
from licensing_core.domain.sessions import first_conversation_of
from licensing_core.errors import NotFound
from licensing_core.exports.cells import CellKind, ExportColumns
from licensing_core.queries.common import (
    Cell,
    Expr,
    HistoryPage,
    all_of,
    check_page,
    local_day_bounds,
    local_times,
    tenant_zone,
)

_TEXT, _LOCAL_TIME = CellKind.TEXT, CellKind.LOCAL_TIME
# The page's (and the CSV's) columns in order, each with its kind of cell.
CONVERSATION_CELLS: ExportColumns = {
    "Conversation ID": _TEXT, "Started On": _LOCAL_TIME, "Ended On": _LOCAL_TIME,
    "User ID": _TEXT, "User Name": _TEXT, "Agent Name": _TEXT, "Channel": _TEXT,
    "Initiated By": _TEXT, "Messages": CellKind.INTEGER,
}
CONVERSATION_COLUMNS: tuple[str, ...] = tuple(CONVERSATION_CELLS)
# How far past the last start conversation_span reaches, for the Ended On of the last ones.
ENDED_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class ConversationFilters:
    """Empty values filter nothing; `session_id` narrows to that session's conversations."""

    user_id: str | None = None
    session_id: str | None = None
    agent: str | None = None
    channel: str | None = None
    date_from: date | None = None  # tenant-local, inclusive, on Started On
    date_to: date | None = None


def _session_scope(session: Session, tenant_id: str,
                   session_id: str) -> list[ColumnElement[bool]]:
    """A session has no link column: its conversations are those of its user, agent and
    channel that start inside its window, which is exactly how sessions are formed. The
    session is looked up with the user of the conversation its id names (its key leads
    with the user)."""
    first = first_conversation_of(session_id)
    user = select(Conversation.user_id).where(
        Conversation.tenant_id == tenant_id,
        Conversation.conversation_id == first).scalar_subquery()
    found = session.execute(select(
        UsageSession.user_id, UsageSession.agent_name, UsageSession.channel,
        UsageSession.started_at, UsageSession.window_end,
    ).where(UsageSession.tenant_id == tenant_id, UsageSession.user_id == user,
            UsageSession.session_id == session_id)).first() if first is not None else None
    if found is None:
        raise NotFound(f"tenant {tenant_id!r} has no session {session_id!r}")
    c = Conversation
    return [c.user_id == found.user_id, c.agent_name == found.agent_name,
            c.channel == found.channel, c.started_at >= found.started_at,
            c.started_at < found.window_end]


def _where(session: Session, tenant_id: str, filters: ConversationFilters,
           tz: ZoneInfo) -> ColumnElement[bool]:
    c = Conversation
    return all_of([
        c.tenant_id == tenant_id,
        *(_session_scope(session, tenant_id, filters.session_id)
          if filters.session_id else []),
        c.user_id == filters.user_id if filters.user_id else None,
        c.agent_name == filters.agent if filters.agent else None,
        c.channel == filters.channel if filters.channel else None,
        *local_day_bounds(c.started_at, filters.date_from, filters.date_to, tz),
    ])


# The page's order; the conversation id, unique in the tenant, breaks ties.
_NEWEST_FIRST = (Conversation.started_at.desc(), Conversation.conversation_id.desc())


def _newest_first(where: ColumnElement[bool]) -> Select:
    c = Conversation
    return select(
        c.conversation_id, c.started_at, c.ended_at, c.user_id, c.agent_name, c.channel,
        c.initiated_by, c.messages,
    ).where(where).order_by(*_NEWEST_FIRST)


def _frame(session: Session, tenant_id: str, rows: Sequence[Row[Any]],
           tz: ZoneInfo) -> pd.DataFrame:
    """Display rows, times as timestamps in the tenant's zone; the user names of just these
    rows are read (at most one page)."""
    u = PlatformUser
    user_ids = sorted({r.user_id for r in rows})
    names: dict[str, str] = {
        user_id: name for user_id, name in session.execute(select(
            u.user_id, u.user_name).where(u.tenant_id == tenant_id, u.user_id.in_(user_ids)))
    } if user_ids else {}
    return pd.DataFrame({
        "Conversation ID": [r.conversation_id for r in rows],
        "Started On": local_times((r.started_at for r in rows), tz),
        "Ended On": local_times((r.ended_at for r in rows), tz),
        "User ID": [r.user_id for r in rows],
        "User Name": [names.get(r.user_id) or "" for r in rows],
        "Agent Name": [r.agent_name for r in rows],
        "Channel": [r.channel for r in rows],
        "Initiated By": [r.initiated_by for r in rows],
        "Messages": pd.array([r.messages for r in rows], dtype="Int64"),
    }, columns=list(CONVERSATION_COLUMNS))


def conversation_history(db: Database, tenant_id: str, *,
                         filters: ConversationFilters = ConversationFilters(), limit: int = 50,
                         offset: int = 0) -> HistoryPage:
    """One page of the tenant's conversations, newest first, and how many match.

    The page is cut from conversations alone, then its (at most `limit`) users' names are
    read: no join over the whole history, whatever the planner's statistics say.
    """
    check_page(limit, offset)
    with db.transaction() as session:
        tz = tenant_zone(session, tenant_id)
        where = _where(session, tenant_id, filters, tz)
        rows = session.execute(_newest_first(where).limit(limit).offset(offset)).all()
        total = session.scalar(select(func.count()).select_from(Conversation).where(where))
        return HistoryPage(_frame(session, tenant_id, rows, tz), int(total or 0))


def conversation_statement(db: Database, tenant_id: str, *, cell: Cell,
                           filters: ConversationFilters = ConversationFilters(),
                           ) -> tuple[Select, ZoneInfo]:
    """Every matching conversation as the page's columns, each rewritten by `cell`, in the
    page's order, with its user's name joined (one statement, for an export's COPY; the
    page reads the names of its rows only), and the tenant's zone."""
    c, u = Conversation, PlatformUser
    with db.transaction() as session:
        tz = tenant_zone(session, tenant_id)
        where = _where(session, tenant_id, filters, tz)
    columns: dict[str, Expr] = {
        "Conversation ID": c.conversation_id, "Started On": c.started_at,
        "Ended On": c.ended_at, "User ID": c.user_id,
        "User Name": func.coalesce(u.user_name, ""), "Agent Name": c.agent_name,
        "Channel": c.channel, "Initiated By": c.initiated_by, "Messages": c.messages,
    }
    source = c.__table__.outerjoin(
        u.__table__, (u.tenant_id == c.tenant_id) & (u.user_id == c.user_id))
    return (select(*(cell(columns[name], kind).label(name)
                     for name, kind in CONVERSATION_CELLS.items()))
            .select_from(source).where(where).order_by(*_NEWEST_FIRST)), tz


def conversation_span(db: Database, tenant_id: str) -> tuple[ZoneInfo, datetime, datetime]:
    """The tenant's zone and the instants its conversations lie in, bar the odd late end:
    from the first start to ENDED_MARGIN after the last (two index lookups), for an
    export that formats them in SQLite. No conversations: an empty span."""
    c = Conversation
    scope = c.tenant_id == tenant_id
    with db.transaction() as session:
        tz = tenant_zone(session, tenant_id)
        first, last = session.execute(select(
            select(func.min(c.started_at)).where(scope).scalar_subquery(),
            select(func.max(c.started_at)).where(scope).scalar_subquery())).one()
    if first is None or last is None:
        return tz, datetime.min, datetime.min
    return tz, first, last + ENDED_MARGIN


__all__ = ["CONVERSATION_CELLS", "CONVERSATION_COLUMNS", "ConversationFilters",
           "conversation_history", "conversation_span", "conversation_statement"]

"""Usage breakdowns of a term, aggregated in the database: per day by channel or agent,
and the top users.

Session-based terms count sessions started per tenant-local day; user-based terms count
active users per day (distinct users with a conversation that day, within the term).
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Conversation, PlatformUser, UsageSession, UserLicense
from licensing_core.domain.kinds import LicenseType
from licensing_core.domain.terms import term_bounds_utc
from licensing_core.errors import Refused
from licensing_core.queries.common import of_term, tenant_term, tenant_zone
from licensing_core.queries.series import local_day

BREAKDOWN_COLUMNS: tuple[str, ...] = ("date", "group", "count")
TOP_USER_COLUMNS: tuple[str, ...] = ("User ID", "User Name", "Count")
BY = ("channel", "agent")
# Enough to see who drives consumption, few enough to read at a glance.
DEFAULT_TOP_USERS = 10


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def daily_breakdown(db: Database, tenant_id: str, term_id: int, *, by: str,
                    now: datetime | None = None) -> pd.DataFrame:
    """Per day and channel (or agent): sessions started, or distinct active users."""
    if by not in BY:
        raise Refused(f"break down by one of {', '.join(BY)}, not {by!r}")
    now = now or utcnow()
    with db.transaction() as session:
        term = tenant_term(session, tenant_id, term_id)
        tz = tenant_zone(session, tenant_id)
        last = min(local_today(now, tz.key), term.end_date)
        if term.license_type == LicenseType.SESSION:
            s = UsageSession
            group = s.channel if by == "channel" else s.agent_name
            days = select(local_day(s.started_at, tz, term.start_date, term.end_date,
                                    db.is_postgres).label("day"), group.label("grp")).where(
                of_term(s, term)).subquery()
            measure = func.count()
        else:
            c = Conversation
            group = c.channel if by == "channel" else c.agent_name
            start, end = term_bounds_utc(term.start_date, term.end_date, tz)
            days = select(local_day(c.started_at, tz, term.start_date, term.end_date,
                                    db.is_postgres).label("day"), group.label("grp"),
                          c.user_id.label("user_id")).where(
                c.tenant_id == tenant_id, c.started_at >= start, c.started_at < end).subquery()
            measure = func.count(func.distinct(days.c.user_id))
        rows = session.execute(select(days.c.day, days.c.grp, measure)
                               .group_by(days.c.day, days.c.grp)
                               .order_by(days.c.day, days.c.grp)).all()
    kept = [(_as_date(d), str(g), int(n)) for d, g, n in rows
            if d is not None and _as_date(d) <= last]
    frame = pd.DataFrame(kept, columns=list(BREAKDOWN_COLUMNS))
    return frame.astype({"count": "int64"})


def top_users(db: Database, tenant_id: str, term_id: int, *,
              limit: int = DEFAULT_TOP_USERS) -> pd.DataFrame:
    """The users with the most sessions (session-based) or conversations (user-based)."""
    if limit < 1:
        raise Refused(f"top users needs a limit of 1 or more, not {limit}")
    u = PlatformUser
    with db.transaction() as session:
        term = tenant_term(session, tenant_id, term_id)
        if term.license_type == LicenseType.SESSION:
            s = UsageSession
            counted = (select(s.user_id.label("user_id"), func.count().label("n"))
                       .where(of_term(s, term))
                       .group_by(s.user_id).subquery())
        else:
            lic = UserLicense
            counted = (select(lic.user_id.label("user_id"),
                              lic.conversation_count.label("n"))
                       .where(of_term(lic, term)).subquery())
        rows = session.execute(
            select(counted.c.user_id, func.coalesce(u.user_name, ""), counted.c.n)
            .outerjoin(u, (u.tenant_id == tenant_id) & (u.user_id == counted.c.user_id))
            .order_by(counted.c.n.desc(), counted.c.user_id).limit(limit)).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(TOP_USER_COLUMNS))
    return frame.astype({"Count": "int64"})


__all__ = ["BREAKDOWN_COLUMNS", "BY", "TOP_USER_COLUMNS", "daily_breakdown", "top_users"]

"""Daily consumption of a term, for the chart: counted per tenant-local day in the database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Date, cast, func, null, select
from sqlalchemy.sql.elements import ColumnElement

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Refill, UsageSession, UserLicense
from licensing_core.domain.kinds import LicenseType
from licensing_core.domain.terms import local_midnight_utc, to_local
from licensing_core.queries.common import Expr, of_term, tenant_term, tenant_zone
from licensing_core.queries.offsets import by_instant, offset_runs, shift, whole_seconds

SERIES_COLUMNS: tuple[str, ...] = (
    "date", "consumed", "consumed_cumulative", "total_purchased",
)
ONE_DAY = timedelta(days=1)


def local_day(column: Expr, tz: ZoneInfo, first_day: date,
              last_day: date, postgres: bool) -> ColumnElement:
    """SQL giving the tenant-local day of a stored naive-UTC instant in first..last day.

    PostgreSQL converts with AT TIME ZONE. SQLite has no time zones, so the range is cut
    into runs of one UTC offset (queries.offsets): inside a run the day is
    date(instant + offset); instants before the range take its first offset, after it NULL.
    """
    if postgres:
        return cast(func.timezone(tz.key, func.timezone("UTC", column)), Date)
    end = local_midnight_utc(last_day + ONE_DAY, tz)
    runs = offset_runs(tz, local_midnight_utc(first_day, tz), end)
    if not runs:
        return null()
    days = [func.date(whole_seconds(column), shift(run.offset)) for run in runs]
    return by_instant(column, [run.start for run in runs[1:]] + [end], [*days, null()])


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def daily_consumption(db: Database, tenant_id: str, term_id: int, *,
                      now: datetime | None = None) -> pd.DataFrame:
    """One row per day from the term's start to today (or its end): what was newly
    consumed, the running sum, and the total purchased as of that day."""
    now = now or utcnow()
    with db.transaction() as session:
        term = tenant_term(session, tenant_id, term_id)
        tz = tenant_zone(session, tenant_id)
        last = min(local_today(now, tz.key), term.end_date)
        if last < term.start_date:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c != "date" else object)
                                 for c in SERIES_COLUMNS})
        if term.license_type == LicenseType.SESSION:
            moment, scope = UsageSession.started_at, of_term(UsageSession, term)
        else:
            moment, scope = UserLicense.held_since, of_term(UserLicense, term)
        days = select(local_day(moment, tz, term.start_date, term.end_date, db.is_postgres)
                      .label("day")).where(scope).subquery()
        counted = session.execute(
            select(days.c.day, func.count().label("n")).group_by(days.c.day)).all()
        refills = session.execute(select(Refill.recorded_at, Refill.quantity).where(
            Refill.tenant_id == tenant_id, Refill.term_id == term.id)).all()
        initial = term.initial_licenses
        start = term.start_date
    index = pd.Index([start + timedelta(days=i) for i in range((last - start).days + 1)])
    per_day = pd.Series({_as_date(day): n for day, n in counted if day is not None},
                        dtype="int64")
    consumed = per_day.reindex(index, fill_value=0).astype("int64")
    # A refill recorded before the term starts counts from its first day.
    refilled = pd.Series([q for _, q in refills], index=[
        max(to_local(at, tz).date(), start) for at, _ in refills], dtype="int64")
    refilled = refilled.groupby(level=0).sum().reindex(index, fill_value=0).cumsum()
    return pd.DataFrame({
        "date": list(index), "consumed": consumed.to_numpy(),
        "consumed_cumulative": consumed.cumsum().to_numpy(),
        "total_purchased": (refilled + initial).astype("int64").to_numpy(),
    })


__all__ = ["SERIES_COLUMNS", "daily_consumption", "local_day"]

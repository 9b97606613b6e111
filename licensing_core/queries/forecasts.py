"""Forecast inputs of one tenant's term, and the risk ranking of every tenant.

One tenant: its daily series (queries.series) and its numbers (queries.summary). All
tenants: the overview's numbers plus one query per table and timezone for the trailing
days' consumption, never one query per tenant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import UsageSession, UserLicense
from licensing_core.db.tenancy import current_terms
from licensing_core.domain.forecast import (
    LONG_WINDOW_DAYS,
    Forecast,
    Pacing,
    RefillEffect,
    forecast_run_out,
    pacing,
    refill_effect,
    risk_of,
)
from licensing_core.domain.kinds import LicenseType
from licensing_core.domain.terms import local_midnight_utc
from licensing_core.queries.overview import tenants_overview
from licensing_core.queries.series import daily_consumption, local_day
from licensing_core.queries.summary import SubscriptionSummary, subscription_summary

# Term ids per IN list: far below SQLite's limit on bound parameters.
IDS_PER_QUERY = 900

RISK_COLUMNS: tuple[str, ...] = (
    "tenant_id", "name", "license_type", "state", "end_date", "days_left", "total_purchased",
    "consumed", "percent_used", "term_elapsed_percent", "pace_per_day", "run_out_date",
    "run_out_low", "run_out_high", "lasts_term", "already_over", "needed_to_last_term",
    "days_to_risk", "risk",
)


@dataclass(frozen=True)
class TermForecast:
    """A term's numbers, daily series, forecast and pacing, as of the tenant's today."""

    summary: SubscriptionSummary
    today: date
    series: pd.DataFrame
    forecast: Forecast
    pacing: Pacing

    @property
    def daily(self) -> pd.Series:
        if self.series.empty:
            return pd.Series(dtype="float64")
        return pd.Series(self.series["consumed"].to_numpy(dtype="float64"),
                         index=list(self.series["date"]))

    def what_if(self, quantity: int) -> RefillEffect:
        """A refill of `quantity`: new total, percent, run-out and the alerts it re-arms."""
        s = self.summary
        return refill_effect(self.daily, quantity=quantity, total=s.total_purchased,
                             consumed=s.consumed, today=self.today, term_start=s.start_date,
                             term_end=s.end_date, thresholds=s.thresholds,
                             notified_threshold=s.notified_threshold)


def term_forecast(db: Database, tenant_id: str, *, now: datetime | None = None) -> TermForecast:
    """The current term's forecast for one tenant (the tenant is always explicit)."""
    now = now or utcnow()
    summary = subscription_summary(db, tenant_id, now=now)
    series = daily_consumption(db, tenant_id, summary.term_id, now=now)
    today = local_today(now, summary.timezone)
    daily = (pd.Series(series["consumed"].to_numpy(dtype="float64"), index=list(series["date"]))
             if not series.empty else pd.Series(dtype="float64"))
    forecast = forecast_run_out(daily, total=summary.total_purchased, consumed=summary.consumed,
                                today=today, term_start=summary.start_date,
                                term_end=summary.end_date)
    paced = pacing(summary.start_date, summary.end_date, today, summary.consumed,
                   summary.total_purchased)
    return TermForecast(summary, today, series, forecast, paced)


def _trailing_counts(db: Database, terms: list[tuple[int, str, str]],
                     today_by_zone: dict[str, date]) -> dict[int, dict[date, int]]:
    """New consumption per local day over the trailing window, for many terms at once:
    one query per license type and timezone (the local day depends on the zone)."""
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for term_id, license_type, zone in terms:
        groups[(license_type, zone)].append(term_id)
    with db.transaction() as session:
        for (license_type, zone), ids in groups.items():
            tz, today = ZoneInfo(zone), today_by_zone[zone]
            first = today - timedelta(days=LONG_WINDOW_DAYS)
            table = UsageSession if license_type == LicenseType.SESSION else UserLicense
            moment = (UsageSession.started_at if table is UsageSession
                      else UserLicense.held_since)
            for start in range(0, len(ids), IDS_PER_QUERY):
                chunk = ids[start:start + IDS_PER_QUERY]
                days = select(table.term_id.label("term_id"), local_day(
                    moment, tz, first, today, db.is_postgres).label("day")).where(
                    table.term_id.in_(chunk), moment >= local_midnight_utc(first, tz),
                    moment < local_midnight_utc(today, tz)).subquery()
                for term_id, day, n in session.execute(
                        select(days.c.term_id, days.c.day, func.count())
                        .group_by(days.c.term_id, days.c.day)):
                    if day is not None:
                        key = day if isinstance(day, date) else date.fromisoformat(str(day))
                        counts[int(term_id)][key] = int(n)
    return counts


@dataclass(frozen=True)
class CurrentForecast:
    """A tenant's current term and its forecast as of the tenant's today: what
    risk_ranking ranks, and what the run-out warnings of `licensing alerts run` read."""

    tenant_id: str
    term_id: int
    today: date
    term_start: date
    term_end: date
    forecast: Forecast
    pacing: Pacing


def current_forecasts(db: Database, *, now: datetime | None = None,
                      overview: pd.DataFrame | None = None) -> list[CurrentForecast]:
    """Every tenant's current term with its forecast, in the order of `overview` (a
    tenants_overview read at the same instant, or read here): a few queries in all."""
    now = now or utcnow()
    overview = tenants_overview(db, now=now) if overview is None else overview
    with db.transaction() as session:
        current = current_terms(session, now)
    today_by_zone = {c.timezone: c.today for c in current.values()}
    counts = _trailing_counts(db, [(c.term.id, c.term.license_type, c.timezone)
                                   for c in current.values()], today_by_zone)
    forecasts = []
    for row in overview.itertuples(index=False):
        term, today = current[row.tenant_id].term, current[row.tenant_id].today
        daily = pd.Series(counts.get(term.id, {}), dtype="float64")
        forecast = forecast_run_out(daily, total=int(row.total_purchased),
                                    consumed=int(row.consumed), today=today,
                                    term_start=term.start_date, term_end=term.end_date)
        paced = pacing(term.start_date, term.end_date, today, int(row.consumed),
                       int(row.total_purchased))
        forecasts.append(CurrentForecast(row.tenant_id, term.id, today, term.start_date,
                                         term.end_date, forecast, paced))
    return forecasts


def risk_ranking(db: Database, *, now: datetime | None = None,
                 overview: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every tenant's current term with its forecast, soonest run-out or expiry first.

    `overview` may pass a tenants_overview already read at the same instant.
    """
    now = now or utcnow()
    overview = tenants_overview(db, now=now) if overview is None else overview
    rows = []
    for row, current in zip(overview.itertuples(index=False),
                            current_forecasts(db, now=now, overview=overview), strict=True):
        forecast, paced, today = current.forecast, current.pacing, current.today
        days_to_risk, risk = risk_of(forecast, start=current.term_start,
                                     end=current.term_end, today=today)
        rows.append((row.tenant_id, row.name, row.license_type, row.state, row.end_date,
                     row.days_left, row.total_purchased, row.consumed, row.percent_used,
                     paced.term_elapsed_percent, forecast.pace_per_day_mid,
                     forecast.run_out_date, forecast.run_out_low, forecast.run_out_high,
                     forecast.lasts_term, forecast.already_over, forecast.needed_to_last_term,
                     days_to_risk, risk))
    frame = pd.DataFrame(rows, columns=list(RISK_COLUMNS))
    return frame.sort_values(["days_to_risk", "percent_used", "tenant_id"],
                             ascending=[True, False, True], kind="stable").reset_index(drop=True)


def runs_out_text(run_out: date | None, lasts_term: bool, already_over: bool, *,
                  day: Callable[[date], str] = date.isoformat) -> str:
    """The run-out in words, the one wording of every page: "runs out on …", "lasts the
    term" or "used up" (the overview and the risk page write the day as ISO 8601)."""
    if already_over:
        return "used up"
    if lasts_term or run_out is None:
        return "lasts the term"
    return f"runs out on {day(run_out)}"


__all__ = ["RISK_COLUMNS", "CurrentForecast", "TermForecast", "current_forecasts", "risk_ranking",
           "runs_out_text", "term_forecast"]

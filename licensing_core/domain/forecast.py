"""Run-out forecast, pacing and what-if refills: pure functions of a term's daily series.

The daily series is the newly consumed licenses per tenant-local day (sessions started,
or users who first held a license that day). Nothing here reads a database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from licensing_core.domain.kinds import TermState
from licensing_core.domain.terms import days_left, percent_used, term_state, total_after_refill
from licensing_core.domain.thresholds import evaluate_thresholds, rearmed_thresholds

# Two weeks: the recent pace, which follows a change of habits quickly (and is whole weeks).
SHORT_WINDOW_DAYS = 14
# A month: the steadier pace; together with the recent one it bounds the range.
LONG_WINDOW_DAYS = 30
# Four samples of each weekday: enough to see a weekly rhythm, recent enough to follow it.
RHYTHM_DAYS = 28
# With less than two weeks observed, a weekday profile is noise: project flat instead.
MIN_RHYTHM_DAYS = 14
# A run-out further away than ten years is "never" for any contract.
HORIZON_DAYS = 3650
# Float sums of paces: below this, what is left counts as used up.
EPSILON = 1e-9
# A run-out this close, before the term ends, is urgent (the spec's run-out warning too).
RUN_OUT_WARNING_DAYS = 30
ONE_DAY = timedelta(days=1)
FLAT = (1.0,) * 7


@dataclass(frozen=True)
class Forecast:
    """When the term's licenses run out at the recent pace, with a range."""

    pace_per_day_low: float
    pace_per_day_mid: float
    pace_per_day_high: float
    run_out_date: date | None  # at the mid pace; None: not within the horizon, or used up
    run_out_low: date | None  # the earliest: at the high pace
    run_out_high: date | None  # the latest: at the low pace
    lasts_term: bool  # not used up, and at the mid pace not used up before the last day
    already_over: bool  # consumed has reached the total already
    needed_to_last_term: int  # more licenses needed to last to the end at the mid pace
    needed_to_last_term_high: int  # the same at the high pace: the safe figure
    history_days: int  # completed days of the term the pace was measured on
    weekday_profile: tuple[float, ...]  # Monday..Sunday factors, mean 1


@dataclass(frozen=True)
class Pacing:
    term_elapsed_percent: float
    used_percent: float


def _observed(daily: pd.Series, term_start: date, today: date) -> pd.Series:
    """The completed days of the term before today, the last LONG_WINDOW_DAYS at most,
    each present (0 where nothing was consumed)."""
    first = max(term_start, today - timedelta(days=LONG_WINDOW_DAYS))
    days = [first + timedelta(days=i) for i in range(max(0, (today - first).days))]
    values = {(d if isinstance(d, date) else pd.Timestamp(d).date()): float(v)
              for d, v in daily.items()}
    return pd.Series([values.get(d, 0.0) for d in days], index=days, dtype="float64")


def weekday_profile(observed: pd.Series) -> tuple[float, ...]:
    """Mean consumption of each weekday over the last RHYTHM_DAYS, as factors of mean 1."""
    recent = observed.iloc[-RHYTHM_DAYS:]
    if len(recent) < MIN_RHYTHM_DAYS:
        return FLAT
    means = np.zeros(7)
    for weekday in range(7):
        picked = [v for d, v in recent.items() if d.weekday() == weekday]
        means[weekday] = float(np.mean(picked)) if picked else 0.0
    average = means.mean()
    return FLAT if average <= 0 else tuple(float(m / average) for m in means)


def _run_out(remaining: float, level: float, profile: Sequence[float],
             first_day: date) -> date | None:
    """The first day on which the projected consumption from first_day uses `remaining`."""
    if remaining <= EPSILON:
        return first_day - ONE_DAY
    if level <= 0:
        return None
    weekly = level * sum(profile)
    full_weeks = max(0, int(remaining // weekly) - 1)
    if full_weeks * 7 > HORIZON_DAYS:
        return None
    day, left = first_day + timedelta(weeks=full_weeks), remaining - full_weeks * weekly
    while left > EPSILON:
        left -= level * profile[day.weekday()]
        if left <= EPSILON:
            break
        day += ONE_DAY
    return day if (day - first_day).days <= HORIZON_DAYS else None


def projected_use(level: float, profile: Sequence[float], first_day: date,
                  last_day: date) -> float:
    """Licenses the pace uses from first_day to last_day (inclusive)."""
    days = (last_day - first_day).days + 1
    if days <= 0 or level <= 0:
        return 0.0
    weeks, rest = divmod(days, 7)
    tail = sum(profile[(first_day + timedelta(days=i)).weekday()] for i in range(rest))
    return level * (weeks * sum(profile) + tail)


def _needed(consumed: int, total: int, use: float) -> int:
    return max(0, math.ceil(consumed + use - total - EPSILON))


def forecast_run_out(daily: pd.Series, *, total: int, consumed: int, today: date,
                     term_start: date, term_end: date) -> Forecast:
    """Project the recent pace, weekday by weekday, until the licenses are used up.

    Pace: the mean per day over the last SHORT_WINDOW_DAYS completed days (mid) and over
    the last LONG_WINDOW_DAYS (the lower and higher of the two bound the range), shaped by
    the weekday profile of the last RHYTHM_DAYS. The projection starts tomorrow (today is
    not over) or on the term's first day.
    """
    observed = _observed(daily, term_start, today)
    short = float(observed.iloc[-SHORT_WINDOW_DAYS:].mean()) if len(observed) else 0.0
    long = float(observed.mean()) if len(observed) else 0.0
    low, mid, high = min(short, long), short, max(short, long)
    profile = weekday_profile(observed)
    remaining = total - consumed
    already_over = remaining <= 0
    first_day = max(today + ONE_DAY, term_start)
    ended = today >= term_end
    if already_over or ended:
        mid_date = low_date = high_date = None
    else:
        mid_date = _run_out(remaining, mid, profile, first_day)
        low_date = _run_out(remaining, high, profile, first_day)
        high_date = _run_out(remaining, low, profile, first_day)
    lasts = not already_over and (mid_date is None or mid_date >= term_end)
    return Forecast(
        pace_per_day_low=low, pace_per_day_mid=mid, pace_per_day_high=high,
        run_out_date=mid_date, run_out_low=low_date, run_out_high=high_date,
        lasts_term=lasts, already_over=already_over,
        needed_to_last_term=_needed(consumed, total,
                                    projected_use(mid, profile, first_day, term_end)),
        needed_to_last_term_high=_needed(consumed, total,
                                         projected_use(high, profile, first_day, term_end)),
        history_days=len(observed), weekday_profile=profile,
    )


def runs_out_before_end(forecast: Forecast, term_end: date) -> bool:
    """At the mid pace the licenses are used up before the term's last day."""
    return (not forecast.already_over and forecast.run_out_date is not None
            and forecast.run_out_date < term_end)


def runs_out_soon(forecast: Forecast, *, today: date, term_end: date,
                  days: int = RUN_OUT_WARNING_DAYS) -> bool:
    """Used up within `days` of today, and before the term ends."""
    return (runs_out_before_end(forecast, term_end) and forecast.run_out_date is not None
            and (forecast.run_out_date - today).days <= days)


def risk_of(forecast: Forecast, *, start: date, end: date, today: date) -> tuple[int, str]:
    """Days until the first thing an operator must act on, and what it is: the order of
    the risk ranking."""
    if forecast.already_over:
        return 0, "used up"
    if term_state(start, end, today) == TermState.EXPIRED:
        return 0, "term ended"
    if forecast.run_out_date is not None and forecast.run_out_date < end:
        return (forecast.run_out_date - today).days, "runs out"
    return days_left(start, end, today), "term ends"


def pacing(start: date, end: date, today: date, consumed: int, total: int) -> Pacing:
    """Percent of the term's days gone (today counts as gone) beside percent used."""
    length = (end - start).days + 1
    elapsed = min(max((today - start).days + 1, 0), length)
    return Pacing(elapsed * 100.0 / length if length > 0 else 100.0,
                  percent_used(consumed, total))


def projection(forecast: Forecast, *, consumed: int, today: date, term_start: date,
               term_end: date) -> pd.DataFrame:
    """Cumulative consumption projected from today to the term's end: mid, low and high."""
    first_day = max(today + ONE_DAY, term_start)
    if first_day > term_end:
        return pd.DataFrame({"date": [], "mid": [], "low": [], "high": []})
    days = [first_day + timedelta(days=i) for i in range((term_end - first_day).days + 1)]
    shape = np.array([forecast.weekday_profile[d.weekday()] for d in days])
    frame: dict[str, list] = {"date": [first_day - ONE_DAY, *days]}
    for name, level in (("mid", forecast.pace_per_day_mid), ("low", forecast.pace_per_day_low),
                        ("high", forecast.pace_per_day_high)):
        frame[name] = [float(consumed), *(consumed + np.cumsum(shape * level)).tolist()]
    return pd.DataFrame(frame)


@dataclass(frozen=True)
class RefillEffect:
    """What a refill of `quantity` would change: total, percent, run-out, alerts."""

    quantity: int
    new_total: int
    new_percent: float
    forecast: Forecast
    alert_threshold: int | None
    rearmed: tuple[int, ...]


def refill_effect(  # noqa: PLR0913 - keyword-only: a term's numbers, dates and alerts
        daily: pd.Series, *, quantity: int, total: int, consumed: int, today: date,
        term_start: date, term_end: date, thresholds: Sequence[int],
        notified_threshold: int | None) -> RefillEffect:
    """The forecast after a refill (or removal) of `quantity`, and the alerts it would
    queue or re-arm (the same rules as the refill's own: a total it could not record is
    refused, not clamped)."""
    new_total = total_after_refill(total, quantity)
    decision = evaluate_thresholds(consumed, new_total, thresholds, notified_threshold)
    return RefillEffect(
        quantity=quantity, new_total=new_total, new_percent=percent_used(consumed, new_total),
        forecast=forecast_run_out(daily, total=new_total, consumed=consumed, today=today,
                                  term_start=term_start, term_end=term_end),
        alert_threshold=decision.alert_threshold,
        rearmed=rearmed_thresholds(thresholds, notified_threshold, decision),
    )


__all__ = [
    "LONG_WINDOW_DAYS", "RHYTHM_DAYS", "RUN_OUT_WARNING_DAYS", "SHORT_WINDOW_DAYS", "Forecast",
    "Pacing", "RefillEffect", "forecast_run_out", "pacing", "projected_use",
    "projection", "refill_effect", "risk_of", "runs_out_before_end", "runs_out_soon",
    "weekday_profile",
]

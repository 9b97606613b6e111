"""The run-out forecast, pacing and what-if: pure functions on made-up daily series."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from licensing_core.domain.forecast import (
    forecast_run_out,
    pacing,
    projected_use,
    projection,
    refill_effect,
    risk_of,
    weekday_profile,
)
from licensing_core.domain.terms import days_left
from licensing_core.errors import Refused

START = date(2026, 1, 1)
END = date(2026, 12, 31)
TODAY = date(2026, 6, 15)  # a Monday


def series(values: list[float], last: date = TODAY - timedelta(days=1)) -> pd.Series:
    """Daily new consumption ending on `last` (yesterday by default)."""
    days = [last - timedelta(days=len(values) - 1 - i) for i in range(len(values))]
    return pd.Series(values, index=days, dtype="float64")


def run(daily: pd.Series, *, total: int, consumed: int, today: date = TODAY,
        start: date = START, end: date = END):
    return forecast_run_out(daily, total=total, consumed=consumed, today=today,
                            term_start=start, term_end=end)


def test_a_flat_pace_runs_out_after_remaining_over_pace_days():
    forecast = run(series([2.0] * 60), total=500, consumed=300)
    assert forecast.pace_per_day_low == forecast.pace_per_day_mid == 2.0
    assert forecast.pace_per_day_high == 2.0
    # 200 left at 2 a day: used up on the 100th day from tomorrow.
    assert forecast.run_out_date == TODAY + timedelta(days=100)
    assert forecast.run_out_low == forecast.run_out_high == forecast.run_out_date
    assert not forecast.lasts_term and not forecast.already_over
    # 199 days from tomorrow to 31 Dec at 2 a day: 398 more used, 198 beyond the total.
    assert forecast.needed_to_last_term == 300 + 398 - 500


def test_a_flat_pace_that_lasts_the_term_needs_nothing_more():
    forecast = run(series([1.0] * 60), total=1000, consumed=100)
    assert forecast.lasts_term
    assert forecast.run_out_date == TODAY + timedelta(days=900)
    assert forecast.run_out_date > END
    assert forecast.needed_to_last_term == 0


def test_a_growing_pace_gives_a_range_with_the_recent_pace_in_the_middle():
    values = [1.0] * 16 + [3.0] * 14  # the last two weeks run three times faster
    forecast = run(series(values), total=1000, consumed=500)
    assert forecast.pace_per_day_mid == pytest.approx(3.0)
    assert forecast.pace_per_day_high == pytest.approx(3.0)
    assert forecast.pace_per_day_low == pytest.approx((16 + 42) / 30)
    assert forecast.run_out_low <= forecast.run_out_date <= forecast.run_out_high
    assert forecast.run_out_low < forecast.run_out_high
    assert forecast.needed_to_last_term_high >= forecast.needed_to_last_term


def test_a_weekly_rhythm_puts_the_run_out_on_a_working_day():
    # Five working days of 10, weekends of 0, over the last four weeks.
    days = [TODAY - timedelta(days=i) for i in range(28, 0, -1)]
    daily = pd.Series([0.0 if d.weekday() >= 5 else 10.0 for d in days], index=days)
    profile = weekday_profile(daily)
    assert profile[5] == profile[6] == 0.0
    assert profile[0] == pytest.approx(7 / 5)
    forecast = run(daily, total=1000, consumed=900)
    # 100 left at 10 per working day: 10 working days from Tuesday 16 June.
    assert forecast.run_out_date == date(2026, 6, 29)
    assert forecast.run_out_date.weekday() < 5


def test_no_usage_never_runs_out_and_lasts_the_term():
    forecast = run(series([0.0] * 30), total=100, consumed=0)
    assert forecast.pace_per_day_mid == 0.0
    assert forecast.run_out_date is None and forecast.run_out_high is None
    assert forecast.lasts_term and not forecast.already_over
    assert forecast.needed_to_last_term == 0


def test_a_term_already_over_is_said_so_and_needs_its_overage_back():
    forecast = run(series([1.0] * 30), total=100, consumed=110)
    assert forecast.already_over and not forecast.lasts_term
    assert forecast.run_out_date is None
    assert forecast.needed_to_last_term == 10 + 199


def test_a_term_not_started_has_no_pace_and_lasts():
    forecast = run(pd.Series(dtype="float64"), total=10, consumed=0,
                   start=TODAY + timedelta(days=10), end=TODAY + timedelta(days=100))
    assert forecast.history_days == 0 and forecast.lasts_term
    assert forecast.run_out_date is None


def test_an_ended_term_has_no_run_out():
    forecast = run(series([5.0] * 30, last=END), total=1000, consumed=10,
                   today=END + timedelta(days=3))
    assert forecast.run_out_date is None and forecast.lasts_term
    assert forecast.needed_to_last_term == 0


def test_a_short_history_uses_what_there_is_without_a_rhythm():
    forecast = run(series([4.0] * 5), total=100, consumed=20, start=TODAY - timedelta(days=5))
    assert forecast.history_days == 5
    assert forecast.weekday_profile == (1.0,) * 7
    assert forecast.run_out_date == TODAY + timedelta(days=20)


def test_pacing_compares_term_elapsed_with_licenses_used():
    paced = pacing(date(2026, 1, 1), date(2026, 1, 10), date(2026, 1, 5), 75, 100)
    assert paced.term_elapsed_percent == 50.0
    assert paced.used_percent == 75.0
    assert pacing(START, END, START - timedelta(days=1), 0, 10).term_elapsed_percent == 0.0
    assert pacing(START, END, END + timedelta(days=9), 0, 10).term_elapsed_percent == 100.0


def test_projection_starts_at_today_and_ends_on_the_last_day():
    forecast = run(series([2.0] * 30), total=1000, consumed=100)
    frame = projection(forecast, consumed=100, today=TODAY, term_start=START, term_end=END)
    assert frame["date"].iloc[0] == TODAY and frame["date"].iloc[-1] == END
    assert frame["mid"].iloc[0] == 100
    assert frame["mid"].iloc[-1] == pytest.approx(100 + 2 * 199)
    assert projected_use(2.0, (1.0,) * 7, TODAY + timedelta(days=1), END) == 398


def test_a_refill_moves_the_run_out_and_rearms_alerts():
    daily = series([2.0] * 30)
    effect = refill_effect(daily, quantity=100, total=100, consumed=96, today=TODAY,
                           term_start=START, term_end=END, thresholds=(75, 85, 95, 100),
                           notified_threshold=95)
    assert effect.new_total == 200 and effect.new_percent == 48.0
    assert effect.rearmed == (75, 85, 95)
    assert effect.alert_threshold is None
    assert effect.forecast.run_out_date == TODAY + timedelta(days=52)


def test_a_what_if_removal_beyond_the_total_is_refused_like_the_refill():
    with pytest.raises(Refused, match="at most 100 can be removed"):
        refill_effect(series([2.0] * 30), quantity=-101, total=100, consumed=96, today=TODAY,
                      term_start=START, term_end=END, thresholds=(75, 85, 95, 100),
                      notified_threshold=95)


def test_before_a_term_starts_its_risk_is_the_whole_term_like_its_days_left():
    start, end = TODAY + timedelta(days=10), TODAY + timedelta(days=39)
    forecast = forecast_run_out(series([]), total=100, consumed=0, today=TODAY,
                                term_start=start, term_end=end)
    assert risk_of(forecast, start=start, end=end, today=TODAY) == (
        days_left(start, end, TODAY), "term ends")
    assert days_left(start, end, TODAY) == 30

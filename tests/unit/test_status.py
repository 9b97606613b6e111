"""The banner's level rule and the gauge's bands: pure functions on made-up terms."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from licensing_core.domain.forecast import Forecast, forecast_run_out
from licensing_core.domain.kinds import TermState
from licensing_core.domain.status import (
    Level,
    Reason,
    band_level,
    critical_threshold,
    subscription_status,
)
from licensing_core.domain.thresholds import DEFAULT_THRESHOLDS
from licensing_core.services.outbox import reminder_mark

START = date(2026, 1, 1)
END = date(2026, 12, 31)
TODAY = date(2026, 6, 15)


def forecast(run_out: date | None = None, *, over: bool = False) -> Forecast:
    """A forecast that runs out on `run_out` (None: lasts), or is used up already."""
    lasts = not over and (run_out is None or run_out >= END)
    return Forecast(pace_per_day_low=1.0, pace_per_day_mid=1.0, pace_per_day_high=1.0,
                    run_out_date=None if over else run_out, run_out_low=run_out,
                    run_out_high=run_out, lasts_term=lasts, already_over=over,
                    needed_to_last_term=0 if lasts else 10, needed_to_last_term_high=0,
                    history_days=30, weekday_profile=(1.0,) * 7)


def status(percent: float, run_out: date | None = None, *, over: bool = False,
           thresholds=DEFAULT_THRESHOLDS, state: TermState = TermState.ACTIVE,
           today: date = TODAY, end: date = END, next_start: date | None = None):
    return subscription_status(percent=percent, thresholds=thresholds,
                               forecast=forecast(run_out, over=over), state=state, today=today,
                               term_start=START, term_end=end, next_start=next_start)


def test_all_is_well_below_the_first_threshold_with_a_forecast_that_lasts():
    found = status(74.9)
    assert (found.level, found.reason) == (Level.NONE, Reason.WELL)
    assert found.threshold is None and found.days_to_run_out is None


@pytest.mark.parametrize(("percent", "level", "threshold"), [
    (74.99, Level.NONE, None), (75.0, Level.WARNING, 75), (85.0, Level.WARNING, 85),
    (94.99, Level.WARNING, 85), (95.0, Level.CRITICAL, 95), (99.99, Level.CRITICAL, 95),
    (100.0, Level.CRITICAL, 100),
])
def test_the_default_thresholds_warn_from_75_and_are_critical_from_95(percent, level,
                                                                      threshold):
    found = status(percent)
    assert found.level == level
    assert found.threshold == threshold


def test_100_percent_is_used_up_and_so_is_an_overage():
    assert status(100.0).reason == Reason.USED_UP
    found = status(104.0, over=True)
    assert (found.level, found.reason) == (Level.CRITICAL, Reason.USED_UP)


def test_custom_thresholds_move_the_warning_and_the_critical_level():
    custom = (50, 75, 90, 100, 120)
    assert status(49.0, thresholds=custom).level == Level.NONE
    assert status(50.0, thresholds=custom).level == Level.WARNING
    assert status(89.9, thresholds=custom).level == Level.WARNING
    assert status(90.0, thresholds=custom).reason == Reason.CRITICAL_THRESHOLD
    assert critical_threshold(custom) == 90


def test_a_single_threshold_below_100_only_warns():
    assert critical_threshold((60, 100)) == 100
    assert critical_threshold((80,)) == 100
    assert status(99.0, thresholds=(60, 100)).level == Level.WARNING
    assert status(100.0, thresholds=(60, 100)).level == Level.CRITICAL


def test_a_run_out_within_30_days_before_the_end_is_critical_whatever_the_percent():
    found = status(40.0, TODAY + timedelta(days=30))
    assert (found.level, found.reason) == (Level.CRITICAL, Reason.RUNS_OUT_SOON)
    assert found.days_to_run_out == 30
    assert found.days_short == (END - TODAY).days - 30


def test_a_run_out_later_but_before_the_end_is_a_warning():
    found = status(40.0, TODAY + timedelta(days=31))
    assert (found.level, found.reason) == (Level.WARNING, Reason.RUNS_OUT)
    assert found.days_to_run_out == 31


def test_a_run_out_on_the_last_day_lasts_the_term():
    assert status(40.0, END).level == Level.NONE
    assert status(40.0, END - timedelta(days=1)).reason == Reason.RUNS_OUT


def test_a_run_out_soon_is_critical_even_when_the_term_ends_soon_after():
    end = TODAY + timedelta(days=10)
    found = status(40.0, TODAY + timedelta(days=5), end=end)
    assert (found.level, found.reason) == (Level.CRITICAL, Reason.RUNS_OUT_SOON)
    assert found.days_short == 5


def test_the_last_30_days_of_a_lasting_term_are_calm_with_a_reminder_to_renew():
    assert status(40.0, end=TODAY + timedelta(days=31)).level == Level.NONE
    found = status(40.0, end=TODAY + timedelta(days=30))
    assert (found.level, found.reason) == (Level.CALM, Reason.ENDS_SOON)
    assert found.days_to_end == 30
    renewed = status(40.0, end=TODAY + timedelta(days=30), next_start=TODAY + timedelta(days=31))
    assert renewed.level == Level.NONE


@pytest.mark.parametrize("days_to_end", [31, 30, 29, 8, 7, 1, 0])
def test_the_banner_says_the_term_ends_soon_exactly_while_a_reminder_is_due(days_to_end):
    # One rule: the contract-end reminders (services.outbox) and the banner's "ends soon".
    found = status(40.0, end=TODAY + timedelta(days=days_to_end))
    assert (found.reason == Reason.ENDS_SOON) == (reminder_mark(days_to_end) is not None)


def test_a_threshold_outranks_the_end_of_the_term():
    assert status(80.0, end=TODAY + timedelta(days=5)).reason == Reason.THRESHOLD


def test_an_expired_term_is_critical_and_says_since_when():
    found = status(60.0, state=TermState.EXPIRED, end=TODAY - timedelta(days=45))
    assert (found.level, found.reason) == (Level.CRITICAL, Reason.EXPIRED)
    assert found.days_to_end == -45
    assert status(104.0, over=True, state=TermState.EXPIRED,
                  end=TODAY - timedelta(days=1)).reason == Reason.EXPIRED


def test_an_expired_term_with_its_next_term_recorded_is_calm():
    found = status(60.0, state=TermState.EXPIRED, end=TODAY - timedelta(days=3),
                   next_start=TODAY + timedelta(days=4))
    assert (found.level, found.reason) == (Level.CALM, Reason.RENEWED)


def test_a_term_not_started_is_calm_and_counts_the_days_to_its_start():
    found = subscription_status(percent=0.0, thresholds=DEFAULT_THRESHOLDS,
                                forecast=forecast(None), state=TermState.NOT_STARTED,
                                today=START - timedelta(days=9), term_start=START,
                                term_end=END)
    assert (found.level, found.reason) == (Level.CALM, Reason.NOT_STARTED)
    assert found.days_to_start == 9


def test_no_usage_at_all_is_well():
    quiet = forecast_run_out(pd.Series(dtype="float64"), total=100, consumed=0, today=TODAY,
                             term_start=START, term_end=END)
    found = subscription_status(percent=0.0, thresholds=DEFAULT_THRESHOLDS, forecast=quiet,
                                state=TermState.ACTIVE, today=TODAY, term_start=START,
                                term_end=END)
    assert found.level == Level.NONE


def test_a_total_of_zero_is_used_up_from_the_start():
    empty = forecast_run_out(pd.Series(dtype="float64"), total=0, consumed=0, today=TODAY,
                             term_start=START, term_end=END)
    found = subscription_status(percent=0.0, thresholds=DEFAULT_THRESHOLDS, forecast=empty,
                                state=TermState.ACTIVE, today=TODAY, term_start=START,
                                term_end=END)
    assert (found.level, found.reason) == (Level.CRITICAL, Reason.USED_UP)


@pytest.mark.parametrize(("percent", "level"), [
    (0.0, Level.CALM), (74.9, Level.CALM), (75.0, Level.WARNING), (94.9, Level.WARNING),
    (95.0, Level.CRITICAL), (130.0, Level.CRITICAL),
])
def test_the_gauges_bands_follow_the_same_thresholds(percent, level):
    assert band_level(percent, DEFAULT_THRESHOLDS) == level


def test_the_gauges_bands_follow_custom_thresholds():
    assert band_level(55.0, (50, 75, 90, 100)) == Level.WARNING
    assert band_level(90.0, (50, 75, 90, 100)) == Level.CRITICAL
    assert band_level(99.0, (60,)) == Level.WARNING
    assert band_level(100.0, (60,)) == Level.CRITICAL

"""The run-out warning rule on made-up daily series: due within 30 days before the end,
once per term, re-armed only by a refill that moves the run-out away."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from licensing_core.domain.forecast import Forecast, forecast_run_out
from licensing_core.domain.run_out import RunOutAction, run_out_action, run_out_due

TODAY = date(2026, 6, 15)
START = date(2026, 1, 1)
END = date(2026, 12, 31)


def steady(per_day: float, days: int = 60) -> pd.Series:
    """`per_day` licenses consumed on each of the last `days` completed days."""
    first = TODAY - timedelta(days=days)
    return pd.Series([per_day] * days, index=[first + timedelta(days=i) for i in range(days)],
                     dtype="float64")


def forecast(per_day: float, *, total: int = 100, consumed: int = 80, today: date = TODAY,
             start: date = START, end: date = END) -> Forecast:
    return forecast_run_out(steady(per_day), total=total, consumed=consumed, today=today,
                            term_start=start, term_end=end)


def due(made: Forecast, *, today: date = TODAY, start: date = START, end: date = END) -> bool:
    return run_out_due(made, today=today, term_start=start, term_end=end)


def test_a_term_running_out_in_ten_days_is_due() -> None:
    made = forecast(2.0)  # 20 left at 2 a day
    assert made.run_out_date == TODAY + timedelta(days=10)
    assert due(made)


@pytest.mark.parametrize(("left", "expected"), [(30, True), (31, False)])
def test_thirty_days_ahead_is_the_last_day_that_is_due(left: int, expected: bool) -> None:
    made = forecast(1.0, consumed=100 - left)  # one a day: runs out on day `left`
    assert made.run_out_date == TODAY + timedelta(days=left)
    assert due(made) is expected


def test_a_slow_pace_that_lasts_beyond_thirty_days_is_not_due() -> None:
    assert not due(forecast(0.5))  # 20 left: 40 days


def test_running_out_after_the_term_ends_is_not_due() -> None:
    end = TODAY + timedelta(days=5)
    made = forecast(2.0, end=end)  # would run out in 10 days, the term ends in 5
    assert made.lasts_term and not due(made, end=end)


def test_running_out_on_the_last_day_lasts_the_term() -> None:
    end = TODAY + timedelta(days=10)
    assert not due(forecast(2.0, end=end), end=end)


def test_a_used_up_ended_or_unstarted_term_is_not_due() -> None:
    assert not due(forecast(2.0, consumed=100))  # used up: the 100 % alert says so
    ended = forecast(2.0, today=END + timedelta(days=1))
    assert not due(ended, today=END + timedelta(days=1))
    later = date(2026, 7, 1)
    assert not due(forecast(2.0, start=later), start=later)


def test_no_consumption_never_runs_out() -> None:
    assert not due(forecast(0.0))


@pytest.mark.parametrize(("is_due", "warned", "refilled", "action"), [
    (True, False, False, RunOutAction.WARN),  # the first warning of the term
    (True, True, False, RunOutAction.NONE),  # at most once per term
    (True, True, True, RunOutAction.NONE),  # a refill too small to move it: still warned
    (False, True, True, RunOutAction.REARM),  # a refill moved the run-out away
    (False, True, False, RunOutAction.NONE),  # a slower pace alone does not re-arm
    (False, False, False, RunOutAction.NONE),
    (False, False, True, RunOutAction.NONE),
])
def test_the_warning_is_given_once_and_re_armed_by_a_refill(
        is_due: bool, warned: bool, refilled: bool, action: RunOutAction) -> None:
    made = forecast(2.0 if is_due else 0.1)
    assert due(made) is is_due
    assert run_out_action(made, today=TODAY, term_start=START, term_end=END, warned=warned,
                          refilled_since_warning=refilled) == action


def test_a_refill_that_moves_the_run_out_beyond_thirty_days_re_arms() -> None:
    before = forecast(2.0, total=100)
    after = forecast(2.0, total=200)  # 120 left at 2 a day: 60 days
    assert due(before) and not due(after)
    assert run_out_action(after, today=TODAY, term_start=START, term_end=END, warned=True,
                          refilled_since_warning=True) == RunOutAction.REARM

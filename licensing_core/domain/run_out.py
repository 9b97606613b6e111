"""The run-out warning: when a term's forecast warns once, and when a refill re-arms it.

A term gets one warning when its forecast (mid pace) says it will be used up within
RUN_OUT_WARNING_DAYS and before its end date (forecast.runs_out_soon, the predicate the
Subscription banner shares). Once warned it stays warned, whatever the pace does, until a
refill recorded after the warning leaves the forecast no longer due: then the next time
it becomes due it warns again. Nothing here reads a database.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from licensing_core.domain.forecast import RUN_OUT_WARNING_DAYS, Forecast, runs_out_soon


class RunOutAction(StrEnum):
    WARN = "warn"  # queue the warning now
    REARM = "rearm"  # a refill moved the run-out away: a later one may warn again
    NONE = "none"


def run_out_due(forecast: Forecast, *, today: date, term_start: date, term_end: date) -> bool:
    """The term has started and, at the mid pace, runs out within the warning's days and
    before its last day (an ended or used-up term has no run-out ahead: never due)."""
    return term_start <= today and runs_out_soon(forecast, today=today, term_end=term_end,
                                                 days=RUN_OUT_WARNING_DAYS)


def run_out_action(forecast: Forecast, *, today: date, term_start: date, term_end: date,
                   warned: bool, refilled_since_warning: bool) -> RunOutAction:
    """What to do with the term's warning now: at most once per term, re-armed only when a
    refill since the warning has moved the run-out past the end or beyond the days."""
    due = run_out_due(forecast, today=today, term_start=term_start, term_end=term_end)
    if not warned:
        return RunOutAction.WARN if due else RunOutAction.NONE
    if refilled_since_warning and not due:
        return RunOutAction.REARM
    return RunOutAction.NONE


__all__ = ["RUN_OUT_WARNING_DAYS", "RunOutAction", "run_out_action", "run_out_due"]

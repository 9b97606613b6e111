"""How worried a tenant admin should be: the level of the Subscription page's banner and of
the gauge's band, from the percent used, the tenant's thresholds, the forecast and the term.

The first rule that holds decides:

1. the term has ended: critical, or calm when the next term is already recorded;
2. the term has not started: calm;
3. the licenses are used up (100% or more, overage included): critical;
4. the forecast runs out within RUN_OUT_WARNING_DAYS and before the term ends: critical;
5. the percent has reached the critical threshold (the highest threshold below 100, when
   two or more are below 100; else 100): critical;
6. the forecast runs out before the term ends: warning;
7. the percent has reached the first threshold: warning;
8. the term ends within ENDING_SOON_DAYS and no next term is recorded: calm;
9. else all is well: none, and no banner is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from licensing_core.domain.forecast import (
    RUN_OUT_WARNING_DAYS,
    Forecast,
    runs_out_before_end,
    runs_out_soon,
)
from licensing_core.domain.kinds import TermState
from licensing_core.domain.terms import REMINDER_DAYS

# From the first contract-end reminder on (30 days or fewer from today to the term's last
# day), while no next term is recorded: the banner and the reminder say the same thing.
ENDING_SOON_DAYS = max(REMINDER_DAYS)
FULL = 100


class Level(StrEnum):
    NONE = "none"
    CALM = "calm"
    WARNING = "warning"
    CRITICAL = "critical"


class Reason(StrEnum):
    """Which rule decided the level (the words of the banner follow it)."""

    EXPIRED = "expired"
    RENEWED = "ended, next term recorded"
    NOT_STARTED = "not started"
    USED_UP = "used up"
    RUNS_OUT_SOON = "runs out soon"
    CRITICAL_THRESHOLD = "critical threshold reached"
    RUNS_OUT = "runs out before the term ends"
    THRESHOLD = "threshold reached"
    ENDS_SOON = "term ends soon"
    WELL = "all is well"


@dataclass(frozen=True)
class Status:
    level: Level
    reason: Reason
    threshold: int | None  # the highest threshold reached, if any
    days_to_run_out: int | None  # today to the forecast run-out (mid pace), if before the end
    days_short: int | None  # days of the term after that run-out: the term's days without
    days_to_end: int  # today to the term's last day; negative once it has ended
    days_to_start: int  # today to the term's first day; 0 or less once it has started


def critical_threshold(thresholds: Sequence[int]) -> int:
    """The highest threshold below 100 when it is not also the first one; else 100."""
    below = sorted(t for t in thresholds if t < FULL)
    return below[-1] if len(below) >= 2 else FULL


def band_level(percent: float, thresholds: Sequence[int]) -> Level:
    """The gauge's band: calm below the first threshold, warning from it, critical from the
    critical threshold (and always from 100)."""
    if percent >= critical_threshold(thresholds):
        return Level.CRITICAL
    if thresholds and percent >= min(thresholds):
        return Level.WARNING
    return Level.CALM


def subscription_status(  # noqa: C901 - one branch per banner level, in priority order
        *, percent: float, thresholds: Sequence[int], forecast: Forecast,
        state: TermState, today: date, term_start: date, term_end: date,
        next_start: date | None = None) -> Status:
    """The banner's level and the rule that decided it (see the module's docstring).

    `next_start`: the first day of the tenant's next term, when one is recorded.
    """
    reached = [t for t in thresholds if percent >= t]
    before_end = runs_out_before_end(forecast, term_end)
    run_out = forecast.run_out_date if before_end else None

    def decided(level: Level, reason: Reason) -> Status:
        return Status(
            level=level, reason=reason, threshold=max(reached) if reached else None,
            days_to_run_out=(run_out - today).days if run_out else None,
            days_short=(term_end - run_out).days if run_out else None,
            days_to_end=(term_end - today).days, days_to_start=(term_start - today).days)

    if state == TermState.EXPIRED:
        if next_start is not None:
            return decided(Level.CALM, Reason.RENEWED)
        return decided(Level.CRITICAL, Reason.EXPIRED)
    if state == TermState.NOT_STARTED:
        return decided(Level.CALM, Reason.NOT_STARTED)
    if forecast.already_over or percent >= FULL:
        return decided(Level.CRITICAL, Reason.USED_UP)
    if runs_out_soon(forecast, today=today, term_end=term_end, days=RUN_OUT_WARNING_DAYS):
        return decided(Level.CRITICAL, Reason.RUNS_OUT_SOON)
    if percent >= critical_threshold(thresholds):
        return decided(Level.CRITICAL, Reason.CRITICAL_THRESHOLD)
    if before_end:
        return decided(Level.WARNING, Reason.RUNS_OUT)
    if reached:
        return decided(Level.WARNING, Reason.THRESHOLD)
    if next_start is None and (term_end - today).days <= ENDING_SOON_DAYS:
        return decided(Level.CALM, Reason.ENDS_SOON)
    return decided(Level.NONE, Reason.WELL)


__all__ = ["ENDING_SOON_DAYS", "Level", "Reason", "Status", "band_level",
           "critical_threshold", "subscription_status"]

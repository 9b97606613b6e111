"""When a threshold alert is due: one alert for the highest newly reached threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from licensing_core.domain.limits import plain_whole_number
from licensing_core.domain.terms import percent_used
from licensing_core.errors import Refused

# The seed page promises mail at these percents of licenses used.
DEFAULT_THRESHOLDS: tuple[int, ...] = (75, 85, 95, 100)


@dataclass(frozen=True)
class ThresholdDecision:
    alert_threshold: int | None  # the threshold to alert for now, if any
    notified_up_to: int | None  # every threshold at or below this one counts as notified


def reached_threshold(consumed: int, total: int, thresholds: Sequence[int]) -> int | None:
    """Highest threshold reached, in exact integer arithmetic (no float rounding at 95%)."""
    reached = [
        t for t in thresholds if (consumed > 0 if total <= 0 else consumed * 100 >= t * total)
    ]
    return max(reached) if reached else None


def evaluate_thresholds(
    consumed: int, total: int, thresholds: Sequence[int], notified_up_to: int | None
) -> ThresholdDecision:
    """Alert once for the highest new threshold; a drop below notified ones re-arms them."""
    reached = reached_threshold(consumed, total, thresholds)
    if reached is not None and (notified_up_to is None or reached > notified_up_to):
        return ThresholdDecision(alert_threshold=reached, notified_up_to=reached)
    if notified_up_to is not None and (reached is None or reached < notified_up_to):
        return ThresholdDecision(alert_threshold=None, notified_up_to=reached)
    return ThresholdDecision(alert_threshold=None, notified_up_to=notified_up_to)


def rearmed_thresholds(thresholds: Sequence[int], notified_before: int | None,
                       decision: ThresholdDecision) -> tuple[int, ...]:
    """The thresholds a change makes notifiable again: notified before it, not after it
    (what a refill preview and the what-if calculator both announce)."""
    still, before = decision.notified_up_to or 0, notified_before or 0
    return tuple(t for t in sorted(thresholds) if still < t <= before)


# The spec's bounds on a tenant's own thresholds: enough steps for any escalation policy,
# and percents up to ten times the purchase (overage is alerted too).
MAX_THRESHOLDS = 10
MIN_PERCENT, MAX_PERCENT = 1, 1000


def parse_thresholds(values: Sequence[int | str]) -> tuple[int, ...]:
    """A tenant's own thresholds: 1 to 10 whole percents from 1 to 1000, strictly
    increasing. Refused (naming the first wrong value) rather than reordered, so that a
    typo such as `50 75 7 100` is caught instead of silently alerting at 7%."""
    parsed: list[int] = []
    for value in values:
        text = str(value).strip()
        number = None if isinstance(value, bool) else plain_whole_number(text)
        if number is None:
            raise Refused(f"threshold {value!r} is not a whole percent")
        if not MIN_PERCENT <= number <= MAX_PERCENT:
            raise Refused(f"threshold {number} must be between {MIN_PERCENT} and "
                          f"{MAX_PERCENT} percent")
        if parsed and number <= parsed[-1]:
            raise Refused(f"thresholds must be strictly increasing: {number} comes after "
                          f"{parsed[-1]}")
        parsed.append(number)
    if not parsed:
        raise Refused("give at least one threshold")
    if len(parsed) > MAX_THRESHOLDS:
        raise Refused(f"give at most {MAX_THRESHOLDS} thresholds, not {len(parsed)}")
    return tuple(parsed)


def thresholds_of(override: Sequence[int] | None) -> tuple[int, ...]:
    """The thresholds in force: a tenant's own, else the defaults (the one rule for the
    gauge's bands, the caption, the overview's bars and the alerts)."""
    return tuple(override) if override else DEFAULT_THRESHOLDS


@dataclass(frozen=True)
class ThresholdPreview:
    """What new thresholds mean for the current term, before they are saved."""

    thresholds: tuple[int, ...]
    percent_used: float
    passed: tuple[int, ...]  # at or below the current percent: count as notified, no mail
    ahead: tuple[int, ...]  # still to come: each crossing queues an alert
    notified_up_to: int | None  # what the term's notified threshold becomes


def preview_thresholds(consumed: int, total: int,
                       thresholds: Sequence[int]) -> ThresholdPreview:
    """Which of the thresholds are already passed: a change queues no alert for those
    (they count as notified), and later crossings alert at the others."""
    reached = reached_threshold(consumed, total, thresholds)
    passed = tuple(t for t in thresholds if reached is not None and t <= reached)
    return ThresholdPreview(
        thresholds=tuple(thresholds), percent_used=percent_used(consumed, total),
        passed=passed, ahead=tuple(t for t in thresholds if t not in passed),
        notified_up_to=reached)

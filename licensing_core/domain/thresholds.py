"""When a threshold alert is due: one alert for the highest newly reached threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def parse_thresholds(values: Sequence[int | str]) -> tuple[int, ...]:
    """A tenant's override: distinct whole percents from 1 to 1000, sorted."""
    parsed: set[int] = set()
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise Refused(f"threshold {value!r} is not a whole percent") from None
        if not 1 <= number <= 1000:
            raise Refused(f"threshold {number} must be between 1 and 1000 percent")
        parsed.add(number)
    if not parsed:
        raise Refused("give at least one threshold")
    return tuple(sorted(parsed))

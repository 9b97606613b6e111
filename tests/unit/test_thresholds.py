"""The pure threshold rules: one alert for the highest new threshold, re-arming on a drop."""

from __future__ import annotations

import pytest

from licensing_core.domain.thresholds import (
    DEFAULT_THRESHOLDS,
    ThresholdDecision,
    evaluate_thresholds,
    parse_thresholds,
    reached_threshold,
)
from licensing_core.errors import Refused


def test_nothing_reached_below_the_lowest_threshold() -> None:
    assert evaluate_thresholds(74, 100, DEFAULT_THRESHOLDS, None) == ThresholdDecision(None, None)


def test_reaching_75_percent_alerts_for_75() -> None:
    assert evaluate_thresholds(75, 100, DEFAULT_THRESHOLDS, None) == ThresholdDecision(75, 75)


def test_jumping_from_75_to_100_alerts_once_for_100_and_marks_everything_below() -> None:
    decision = evaluate_thresholds(100, 100, DEFAULT_THRESHOLDS, 75)
    assert decision == ThresholdDecision(alert_threshold=100, notified_up_to=100)


def test_jumping_past_several_thresholds_at_once_alerts_only_for_the_highest() -> None:
    assert evaluate_thresholds(96, 100, DEFAULT_THRESHOLDS, None) == ThresholdDecision(95, 95)


def test_a_threshold_already_notified_does_not_alert_again() -> None:
    assert evaluate_thresholds(80, 100, DEFAULT_THRESHOLDS, 75) == ThresholdDecision(None, 75)
    assert evaluate_thresholds(100, 100, DEFAULT_THRESHOLDS, 100) == ThresholdDecision(None, 100)


def test_a_refill_below_every_threshold_rearms_them_all() -> None:
    assert evaluate_thresholds(50, 100, DEFAULT_THRESHOLDS, 100) == ThresholdDecision(None, None)


def test_a_refill_to_between_thresholds_rearms_only_those_above() -> None:
    assert evaluate_thresholds(80, 100, DEFAULT_THRESHOLDS, 100) == ThresholdDecision(None, 75)


def test_a_rearmed_threshold_alerts_again_when_reached_again() -> None:
    rearmed = evaluate_thresholds(50, 100, DEFAULT_THRESHOLDS, 75).notified_up_to
    assert evaluate_thresholds(75, 100, DEFAULT_THRESHOLDS, rearmed) == ThresholdDecision(75, 75)


def test_percent_is_compared_exactly_without_float_rounding() -> None:
    assert reached_threshold(19, 20, DEFAULT_THRESHOLDS) == 95  # 95.0 exactly
    assert reached_threshold(94_999, 100_000, DEFAULT_THRESHOLDS) == 85
    assert reached_threshold(3, 4, DEFAULT_THRESHOLDS) == 75


@pytest.mark.parametrize(("consumed", "expected"), [(0, None), (1, 100)])
def test_with_a_total_of_zero_anything_consumed_is_100_percent(consumed: int,
                                                               expected: int | None) -> None:
    assert reached_threshold(consumed, 0, DEFAULT_THRESHOLDS) == expected


def test_overage_counts_as_the_highest_threshold() -> None:
    assert evaluate_thresholds(150, 100, DEFAULT_THRESHOLDS, None) == ThresholdDecision(100, 100)


def test_a_tenant_override_uses_its_own_thresholds() -> None:
    assert evaluate_thresholds(60, 100, (50, 90), None) == ThresholdDecision(50, 50)
    assert evaluate_thresholds(95, 100, (50, 90), 50) == ThresholdDecision(90, 90)


def test_override_thresholds_are_sorted_distinct_whole_percents() -> None:
    assert parse_thresholds(["90", 50, 90]) == (50, 90)
    for bad in (["0"], ["abc"], [], ["1001"]):
        with pytest.raises(Refused):
            parse_thresholds(bad)

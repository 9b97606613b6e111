"""The pure threshold rules: one alert for the highest new threshold, re-arming on a drop."""

from __future__ import annotations

import pytest

from licensing_core.domain.thresholds import (
    DEFAULT_THRESHOLDS,
    ThresholdDecision,
    evaluate_thresholds,
    parse_thresholds,
    preview_thresholds,
    reached_threshold,
    rearmed_thresholds,
    thresholds_of,
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


@pytest.mark.parametrize(("given", "expected"), [
    (["50", "75", "90", "100", "120"], (50, 75, 90, 100, 120)),
    ([1], (1,)),
    ([1000], (1000,)),
    (list(range(10, 110, 10)), tuple(range(10, 110, 10))),
    ([" 60 ", 80], (60, 80)),
])
def test_own_thresholds_are_whole_percents_kept_in_the_order_given(
        given: list[int | str], expected: tuple[int, ...]) -> None:
    assert parse_thresholds(given) == expected


@pytest.mark.parametrize(("given", "reason"), [
    ([], "at least one"),
    (["0"], "between 1 and 1000"),
    (["1001"], "between 1 and 1000"),
    (["abc"], "not a whole percent"),
    (["75.5"], "not a whole percent"),
    (["-5"], "not a whole percent"),
    ([True], "not a whole percent"),
    (["90", "50"], "strictly increasing: 50 comes after 90"),
    (["50", "90", "90"], "strictly increasing: 90 comes after 90"),
    (list(range(1, 12)), "at most 10"),
])
def test_own_thresholds_out_of_range_repeated_or_not_increasing_are_refused(
        given: list[int | str], reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        parse_thresholds(given)


def test_the_defaults_apply_without_an_override() -> None:
    assert thresholds_of(None) == thresholds_of([]) == DEFAULT_THRESHOLDS == (75, 85, 95, 100)
    assert thresholds_of([50, 120]) == (50, 120)


def test_the_preview_says_which_thresholds_are_already_passed() -> None:
    preview = preview_thresholds(80, 100, (50, 75, 90, 100, 120))
    assert (preview.passed, preview.ahead, preview.notified_up_to) == (
        (50, 75), (90, 100, 120), 75)
    assert preview.percent_used == 80.0
    nothing = preview_thresholds(10, 100, (50, 75))
    assert (nothing.passed, nothing.ahead, nothing.notified_up_to) == ((), (50, 75), None)


def test_a_threshold_exactly_at_the_current_percent_counts_as_passed() -> None:
    assert preview_thresholds(19, 20, (90, 95, 100)).passed == (90, 95)


def test_after_a_change_only_later_crossings_alert() -> None:
    preview = preview_thresholds(80, 100, (50, 75, 90))
    assert evaluate_thresholds(85, 100, (50, 75, 90), preview.notified_up_to) == \
        ThresholdDecision(None, 75)
    assert evaluate_thresholds(90, 100, (50, 75, 90), preview.notified_up_to) == \
        ThresholdDecision(90, 90)


def test_a_drop_rearms_the_notified_thresholds_above_the_new_percent() -> None:
    decision = evaluate_thresholds(80, 100, DEFAULT_THRESHOLDS, 95)
    assert rearmed_thresholds(DEFAULT_THRESHOLDS, 95, decision) == (85, 95)


def test_nothing_is_rearmed_when_nothing_was_notified() -> None:
    decision = evaluate_thresholds(10, 100, DEFAULT_THRESHOLDS, None)
    assert rearmed_thresholds(DEFAULT_THRESHOLDS, None, decision) == ()

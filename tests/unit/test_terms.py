from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from licensing_core.domain.kinds import TermState
from licensing_core.domain.terms import (
    Totals,
    check_term_dates,
    parse_quantity,
    percent_used,
    pick_current_term,
    term_bounds_utc,
    term_state,
    total_after_refill,
    totals_of,
)
from licensing_core.errors import Refused


class Span:
    def __init__(self, start: date, end: date) -> None:
        self.start_date, self.end_date = start, end

    def __repr__(self) -> str:
        return f"{self.start_date}..{self.end_date}"


Y2025 = Span(date(2025, 1, 1), date(2025, 12, 31))
Y2026 = Span(date(2026, 1, 1), date(2026, 12, 31))
Y2028 = Span(date(2028, 1, 1), date(2028, 12, 31))


def test_the_current_term_is_the_one_containing_today():
    assert pick_current_term([Y2025, Y2026, Y2028], date(2026, 3, 1)) is Y2026


def test_without_a_term_containing_today_the_latest_started_one_is_current():
    assert pick_current_term([Y2025, Y2026, Y2028], date(2027, 6, 1)) is Y2026


def test_before_any_term_has_started_the_next_one_is_current():
    assert pick_current_term([Y2028, Y2026], date(2025, 6, 1)) is Y2026


def test_no_terms_means_no_current_term():
    assert pick_current_term([], date(2026, 1, 1)) is None


@pytest.mark.parametrize(("today", "state"), [
    (date(2025, 12, 31), TermState.NOT_STARTED),
    (date(2026, 1, 1), TermState.ACTIVE),
    (date(2026, 12, 31), TermState.ACTIVE),
    (date(2027, 1, 1), TermState.EXPIRED),
])
def test_term_dates_are_inclusive_at_both_ends(today, state):
    assert term_state(date(2026, 1, 1), date(2026, 12, 31), today) == state


def test_overlapping_terms_are_refused():
    with pytest.raises(Refused, match="overlaps"):
        check_term_dates(date(2026, 12, 31), date(2027, 12, 31), [Y2026])


def test_a_term_may_start_the_day_after_the_previous_one_ends():
    check_term_dates(date(2027, 1, 1), date(2027, 12, 31), [Y2026])


def test_a_term_ending_before_it_starts_is_refused():
    with pytest.raises(Refused, match="before start"):
        check_term_dates(date(2026, 2, 1), date(2026, 1, 31), [])


def test_term_bounds_follow_the_tenant_timezone_and_its_daylight_saving():
    start, end = term_bounds_utc(date(2026, 1, 1), date(2026, 6, 30), ZoneInfo("Europe/Paris"))
    assert start == datetime(2025, 12, 31, 23, 0)  # CET, UTC+1
    assert end == datetime(2026, 6, 30, 22, 0)  # CEST, UTC+2


def test_available_is_negative_on_overage_and_percent_goes_past_100():
    totals = Totals(total_purchased=100, consumed=120)
    assert totals.available == -20
    assert totals.overage == 20
    assert totals.percent_used == 120.0


def test_percent_of_a_zero_total_is_100_only_when_something_was_consumed():
    assert percent_used(0, 0) == 0.0
    assert percent_used(1, 0) == 100.0


def test_a_refill_of_zero_is_refused():
    with pytest.raises(Refused, match="refill of 0"):
        total_after_refill(100, 0)


def test_a_removal_that_would_make_the_total_negative_is_refused():
    with pytest.raises(Refused, match="at most 100 can be removed"):
        total_after_refill(100, -101)


def test_a_removal_down_to_zero_is_allowed():
    assert total_after_refill(100, -100) == 0


@pytest.mark.parametrize(("text", "value"), [("+50", 50), ("50", 50), ("-20", -20), (" 7 ", 7)])
def test_refill_quantities_are_signed_whole_numbers(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "+", "1.5", "ten", "--3", "5-"])
def test_malformed_refill_quantities_are_refused(text):
    with pytest.raises(Refused):
        parse_quantity(text)


def test_a_terms_total_is_its_initial_licenses_plus_its_refills():
    class Stored:
        initial_licenses, consumed = 100, 130

    assert totals_of(Stored(), -20) == Totals(total_purchased=80, consumed=130)

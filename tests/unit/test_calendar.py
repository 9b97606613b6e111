from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np

from licensing_core.domain.calendar import (
    DEFAULT_SESSION_MINUTES,
    TermCalendar,
    TermSpan,
    to_us,
)
from licensing_core.domain.kinds import LicenseType

UTC = ZoneInfo("UTC")
CALENDAR = TermCalendar([
    TermSpan(2, LicenseType.USER, date(2026, 1, 1), date(2026, 12, 31), None),
    TermSpan(1, LicenseType.SESSION, date(2025, 1, 1), date(2025, 12, 31), 15),
], UTC)


def at(*moments: datetime) -> np.ndarray:
    return to_us(list(moments))


def test_instants_map_to_the_session_based_term_containing_them():
    terms = CALENDAR.session_term_at(at(datetime(2025, 6, 1), datetime(2026, 6, 1),
                                        datetime(2024, 6, 1)))
    assert terms.tolist() == [1, -1, -1]


def test_session_length_comes_from_the_term_else_the_default():
    lengths = CALENDAR.session_length_us_at(at(datetime(2025, 12, 31, 23, 59),
                                               datetime(2026, 1, 1)))
    assert (lengths // 60_000_000).tolist() == [15, DEFAULT_SESSION_MINUTES]


def test_a_tenant_without_terms_uses_the_default_length_and_counts_nowhere():
    empty = TermCalendar([], UTC)
    moments = at(datetime(2026, 1, 1))
    assert empty.session_term_at(moments).tolist() == [-1]
    assert (empty.session_length_us_at(moments) // 60_000_000).tolist() == [
        DEFAULT_SESSION_MINUTES]

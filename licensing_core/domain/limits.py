"""The range of values the product stores: anything outside it is refused at the edge.

Bounds chosen so that every derived value (a session's window end, a local date, a
forecast day, an export cell) stays far from the limits of Python's, pandas' and the
databases' date types, and so that a typo (year 0001, 9999) is caught, not stored.
"""

from __future__ import annotations

from datetime import date, datetime

# Instants are stored as naive UTC; both ends inclusive, as the spec writes them.
FIRST_INSTANT = datetime(1970, 1, 1)
LAST_INSTANT = datetime(2100, 1, 1)
# Term dates: the same range, in the tenant's calendar.
FIRST_DAY = FIRST_INSTANT.date()
LAST_DAY = date(2099, 12, 31)
# A session longer than a week would count a whole week of work as one license.
MAX_SESSION_MINUTES = 7 * 24 * 60
# Licenses, refills and request quantities are stored in 32-bit integer columns; a
# million times the largest real contract leaves room for every sum of them.
MAX_LICENSES = 1_000_000_000

RANGE_TEXT = "1970-01-01 .. 2100-01-01 (UTC)"


def plain_whole_number(text: str) -> int | None:
    """The number a text of digits 0-9 only writes, else None. Python's isdigit() also
    holds for other scripts' digits and for a superscript two, which int() then refuses or
    reads as a number nobody typed; the row checks apply the same rule to whole columns
    (RE2's \\d, in ingest.validation)."""
    return int(text) if text.isascii() and text.isdigit() else None


def day_in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


__all__ = ["FIRST_DAY", "FIRST_INSTANT", "LAST_DAY", "LAST_INSTANT", "MAX_LICENSES",
           "MAX_SESSION_MINUTES", "RANGE_TEXT", "day_in_range"]

"""Terms (contracts), their states, and the numbers a tenant admin reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from licensing_core.domain.kinds import LicenseType, TermState
from licensing_core.domain.limits import (
    FIRST_DAY,
    LAST_DAY,
    MAX_LICENSES,
    day_in_range,
    plain_whole_number,
)
from licensing_core.errors import Refused

# Days before a term's last day at which its contacts are reminded that it ends, once
# each, while no next term is recorded (services.outbox queues them; the banner says the
# term ends soon from the first one, domain.status.ENDING_SOON_DAYS).
REMINDER_DAYS: tuple[int, ...] = (30, 7)


class HasDates(Protocol):
    @property
    def start_date(self) -> date: ...

    @property
    def end_date(self) -> date: ...


class HasLicenses(Protocol):
    @property
    def initial_licenses(self) -> int: ...

    @property
    def consumed(self) -> int: ...


T = TypeVar("T", bound=HasDates)


def parse_license_type(value: str) -> LicenseType:
    try:
        return LicenseType(value.strip().lower())
    except ValueError:
        raise Refused(f"license type must be 'user' or 'session', not {value!r}") from None


def parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused(
            f"unknown timezone {name!r} (use an IANA name such as Europe/Paris)"
        ) from None


def term_state(start: date, end: date, today: date) -> TermState:
    if today < start:
        return TermState.NOT_STARTED
    if today > end:
        return TermState.EXPIRED
    return TermState.ACTIVE


def days_left(start: date, end: date, today: date) -> int:
    """The term's remaining days, today included: the whole term before it starts, 0 once
    it has ended (the overview's column and the risk ranking's "term ends")."""
    return max(0, (end - max(today, start)).days + 1)


def pick_current_term(terms: Sequence[T], today: date) -> T | None:
    """The term containing today; else the latest started one; else the next one."""
    started = [t for t in terms if t.start_date <= today]
    for term in started:
        if today <= term.end_date:
            return term
    if started:
        return max(started, key=lambda t: t.start_date)
    upcoming = [t for t in terms if t.start_date > today]
    return min(upcoming, key=lambda t: t.start_date) if upcoming else None


def term_containing(terms: Sequence[T], day: date) -> T | None:
    return next((t for t in terms if t.start_date <= day <= t.end_date), None)


def check_term_dates(start: date, end: date, others: Sequence[HasDates]) -> None:
    """Refuse an inverted term, one outside the stored range, or one that overlaps another
    term of the tenant."""
    for day in (start, end):
        if not day_in_range(day):
            raise Refused(f"term date {day} is outside {FIRST_DAY} .. {LAST_DAY}")
    if end < start:
        raise Refused(f"end date {end} is before start date {start}")
    for other in others:
        if start <= other.end_date and other.start_date <= end:
            raise Refused(
                f"term {start}..{end} overlaps the term {other.start_date}..{other.end_date}"
            )


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The instant (naive UTC, as stored) at which `day` begins in the tenant's timezone."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def term_bounds_utc(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in naive UTC: both dates are inclusive in the tenant's timezone."""
    return local_midnight_utc(start, tz), local_midnight_utc(end + timedelta(days=1), tz)


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """A stored naive-UTC instant as an aware time in the tenant's timezone."""
    return moment.replace(tzinfo=UTC).astimezone(tz)


def percent_used(consumed: int, total: int) -> float:
    """Consumed / total x 100; with a total of 0, 100 if anything was consumed, else 0."""
    if total <= 0:
        return 100.0 if consumed > 0 else 0.0
    return consumed * 100.0 / total


@dataclass(frozen=True)
class Totals:
    """The three numbers on the subscription page, and the percent behind the alerts."""

    total_purchased: int
    consumed: int

    @property
    def available(self) -> int:
        return self.total_purchased - self.consumed

    @property
    def overage(self) -> int:
        return max(0, -self.available)

    @property
    def percent_used(self) -> float:
        return percent_used(self.consumed, self.total_purchased)


def totals_of(term: HasLicenses, refilled: int) -> Totals:
    """A term's totals: its initial licenses plus the licenses `refilled` since, and the
    consumption stored on it (what every page, export and alert reads)."""
    return Totals(total_purchased=term.initial_licenses + refilled, consumed=term.consumed)


def total_after_refill(current_total: int, quantity: int) -> int:
    """The term's new total; a zero refill or one that makes the total negative is refused."""
    if quantity == 0:
        raise Refused("a refill of 0 changes nothing; give a signed quantity such as +50 or -20")
    new_total = current_total + quantity
    if new_total > MAX_LICENSES:
        raise Refused(f"a total of {new_total} licenses is more than {MAX_LICENSES} "
                      "can be recorded")
    if new_total < 0:
        raise Refused(
            f"removing {-quantity} licenses would make the total {new_total}; "
            f"at most {current_total} can be removed"
        )
    return new_total


def parse_quantity(text: str) -> int:
    """A signed refill quantity: '+50', '50' or '-20'."""
    cleaned = text.strip()
    body = cleaned[1:] if cleaned[:1] in "+-" else cleaned
    if plain_whole_number(body) is None:
        raise Refused(f"quantity must be a signed whole number such as +50 or -20, not {text!r}")
    return int(cleaned)


def refill_type(quantity: int) -> str:
    return "Refill" if quantity > 0 else "Removal"

"""License requests: what a request may say, when it may be decided, and its views."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from licensing_core.domain.kinds import RequestStatus
from licensing_core.domain.limits import MAX_LICENSES
from licensing_core.domain.terms import to_local
from licensing_core.errors import Refused

# A note or a reason is a few sentences for a person, not a document.
MAX_TEXT_LENGTH = 2000
MAX_NAME_LENGTH = 200
_SIGNED_WHOLE = re.compile(r"^[+-]?[0-9]+$")


def parse_status(value: str) -> RequestStatus:
    try:
        return RequestStatus(value.strip().lower())
    except ValueError:
        raise Refused(f"status must be open, approved or declined, not {value!r}") from None


def parse_request_quantity(value: int | str) -> int:
    """Licenses asked for (or granted): a whole number above 0 that can be recorded."""
    text = str(value).strip()
    if isinstance(value, bool) or not _SIGNED_WHOLE.match(text):
        raise Refused(f"the quantity must be a whole number above 0, not {value!r}")
    number = int(text)
    if number <= 0:
        raise Refused(f"the quantity must be a whole number above 0, not {number}")
    if number > MAX_LICENSES:
        raise Refused(f"the quantity must be at most {MAX_LICENSES}, not {number}")
    return number


def clean_text(value: str | None, what: str, *, required: bool = False,
               limit: int = MAX_TEXT_LENGTH) -> str:
    """Text a person typed, stripped: refused when required and blank, too long, or
    holding characters that no database column keeps (NUL, lone surrogates)."""
    text = (value or "").strip()
    if required and not text:
        raise Refused(f"{what} is required")
    if len(text) > limit:
        raise Refused(f"{what} must be at most {limit} characters, not {len(text)}")
    if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise Refused(f"{what} holds a character that cannot be stored (NUL or a lone "
                      "surrogate)")
    return text


def term_has_ended(term_end: date, today: date) -> bool:
    """A term has ended once the tenant's today is after its end date (the end date is
    the term's last day): an approval's refill would count in no contract in force."""
    return today > term_end


def refill_note(request_id: int, note: str) -> str:
    """The note of an approval's refill: it names the request, then the approver's note."""
    return f"License request #{request_id}" + (f": {note}" if note else "")


@dataclass(frozen=True)
class RequestView:
    """A request as the pages and the command show it (times naive UTC, as stored)."""

    request_id: int
    tenant_id: str
    tenant_name: str
    timezone: str
    quantity: int
    status: RequestStatus
    requested_by: str
    requested_at: datetime
    note: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    refill_quantity: int | None
    refill_id: int | None

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN

    def local(self, moment: datetime) -> datetime:
        """A stored instant in the tenant's timezone."""
        return to_local(moment, ZoneInfo(self.timezone))


def check_open(view: RequestView) -> None:
    """A request is decided once: a second decision is refused, whatever it would be."""
    if not view.is_open:
        when = view.local(view.decided_at).date().isoformat() if view.decided_at else "earlier"
        raise Refused(f"request #{view.request_id} was already {view.status.value} by "
                      f"{view.decided_by or 'someone'} on {when}")


__all__ = ["MAX_NAME_LENGTH", "MAX_TEXT_LENGTH", "RequestView", "check_open",
           "clean_text", "parse_request_quantity", "parse_status",
           "refill_note", "term_has_ended"]

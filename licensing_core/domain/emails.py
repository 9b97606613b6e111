"""Contact addresses: validation and the recipient list of an alert."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from licensing_core.errors import Refused

# Deliberately plain: one @, a dotted domain, no spaces; what a mail server will accept.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$")
_MAX_LENGTH = 254  # RFC 5321 limit on a forward path


def email_problem(address: str) -> str | None:
    """Why `address` is not a usable email address, or None when it is."""
    stripped = address.strip()
    if not stripped:
        return "an empty address"
    if len(stripped) > _MAX_LENGTH:
        return f"{stripped[:40]}... is longer than {_MAX_LENGTH} characters"
    if not _EMAIL.match(stripped) or ".." in stripped:
        return f"{stripped!r} is not a valid email address"
    return None


def normalize_emails(addresses: Iterable[str]) -> list[str]:
    """Lower-cased, stripped, without duplicates, in first-seen order."""
    seen: dict[str, None] = {}
    for address in addresses:
        cleaned = address.strip().lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def email_problems(addresses: Iterable[str]) -> list[str]:
    """Why each address of a list is not usable, in order; blank entries are no address
    (a list may end with an empty line) and are left out, as validated_emails does."""
    return [p for p in (email_problem(a) for a in addresses if a.strip()) if p]


def validated_emails(addresses: Sequence[str], field: str) -> list[str]:
    """Normalized list, or Refused naming every invalid address of the field."""
    problems = email_problems(addresses)
    if problems:
        raise Refused(f"{field}: " + "; ".join(problems))
    return normalize_emails(addresses)


def alert_recipients(*groups: Iterable[str]) -> list[str]:
    """Technical, billing and admin-account emails, lower-cased and without duplicates."""
    return normalize_emails(address for group in groups for address in group)

"""What the operator's forms share: timezones, address fields, refusals shown inline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from zoneinfo import available_timezones

import streamlit as st

from licensing_core.domain.emails import email_problems
from licensing_core.errors import Forbidden, Refused
from licensing_core.ui.text import plain

TIMEZONES = sorted(available_timezones())
# Addresses never contain these, so a person may separate them with any of them.
SEPARATORS = re.compile(r"[\s,;]+")


def addresses(text: str) -> list[str]:
    """The addresses typed in a field, one per line (or separated by spaces, , or ;)."""
    return [a for a in SEPARATORS.split(text) if a]


def emails_valid(**fields: str) -> bool:
    """Show each invalid address under its field's name; True when all are valid."""
    valid = True
    for field, text in fields.items():
        problems = email_problems(addresses(text))
        if problems:
            st.error(f"{field.title()} Email: " + plain("; ".join(problems)))
            valid = False
    if not valid:
        st.error("Nothing was saved: correct the addresses above.")
    return valid


@contextmanager
def refusal_shown(lead: str = "Nothing was saved") -> Iterator[None]:
    """A refused change shows its reason here, next to the form (`lead`: what the refusal
    means there; a form that saves nothing, such as a calculator, says so otherwise)."""
    try:
        yield
    except Forbidden:
        raise
    except Refused as exc:
        st.error(f"{lead}: {plain(exc)}", icon=":material/error:")


def year_end(start: date) -> date:
    """The last day of a one-year term starting on `start` (29 February safe)."""
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February: the next year has none
        return date(start.year + 1, 2, 28)

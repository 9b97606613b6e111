"""The Subscription page's status banner: its level comes from domain.status, its words
from the forecast's values (here, in one function), and its colour from Streamlit's own
alert boxes, whose text reaches WCAG AA contrast on their background."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import streamlit as st

from licensing_core.domain.kinds import LicenseType
from licensing_core.domain.status import Level, Reason, Status, subscription_status
from licensing_core.queries.forecasts import TermForecast
from licensing_core.queries.terms import TermInfo
from licensing_core.ui import formatting, navigation
from licensing_core.ui.forecasts import run_out_words
from licensing_core.ui.text import plain

DRAW: dict[Level, Callable[..., object]] = {
    Level.CALM: st.success, Level.WARNING: st.warning, Level.CRITICAL: st.error}
ICONS = {Level.CALM: ":material/info:", Level.WARNING: ":material/warning:",
         Level.CRITICAL: ":material/error:"}
# The level in words too: colour is never the only sign.
LABELS = {Level.CALM: "Note", Level.WARNING: "Warning", Level.CRITICAL: "Critical"}
DAYS_PER_MONTH = 365.25 / 12


def next_start_of(terms: Sequence[TermInfo], term_end: date) -> date | None:
    """The first day of the term recorded after the one that ends on `term_end`, if any."""
    later = [t.start_date for t in terms if t.start_date > term_end]
    return min(later) if later else None


def status_of(shown: TermForecast, next_start: date | None = None) -> Status:
    """The banner's level for the term the forecast was made for."""
    s = shown.summary
    return subscription_status(percent=s.percent_used, thresholds=s.thresholds,
                               forecast=shown.forecast, state=s.state, today=shown.today,
                               term_start=s.start_date, term_end=s.end_date,
                               next_start=next_start)


def _span(days: int) -> str:
    """A stretch of days as a person says it: "15 days", "about 6 months"."""
    if days == 1:
        return "1 day"
    if days <= 60:
        return f"{days} days"
    months = round(days / DAYS_PER_MONTH)
    if months < 24:
        return f"about {months} months"
    return f"about {round(days / 365.25)} years"


def _in(days: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(days, f"in {_span(days)}")


def _ago(days: int) -> str:
    return {0: "today", 1: "yesterday"}.get(days, f"{_span(days)} ago")


def banner_words(shown: TermForecast, status: Status, *, contact: str, operator: bool,
                 next_start: date | None = None, may_request: bool = False) -> str:
    """Everything the banner says, as Markdown: the level, what is happening, the numbers,
    and what to do about it. `contact` is the operator's configured support contact;
    `may_request`: the reader may ask for licenses on the Request licenses page."""
    if status.level == Level.NONE:
        return ""  # all is well: no banner
    s, forecast = shown.summary, shown.forecast
    name, unit = plain(s.name), "session" if s.license_type == LicenseType.SESSION else "user"
    total = formatting.count(s.total_purchased)
    end, reason = formatting.day(s.end_date), status.reason
    used = (f"{formatting.percent(s.percent_used)} used ({formatting.count(s.consumed)} of "
            f"{total} {unit}s)")
    over = (f", {formatting.count(-s.available)} over the purchase" if s.available < 0 else "")
    needed = (f" {formatting.count(forecast.needed_to_last_term)} more licenses, on top of the "
              f"{total} bought, would last the term at the current pace."
              if forecast.needed_to_last_term > 0 else "")
    if reason == Reason.EXPIRED:
        lines = [f"{name}'s term ended on {end}, {_ago(-status.days_to_end)}, with {used}{over}."]
    elif reason == Reason.RENEWED and next_start is not None:
        lines = [f"{name}'s term ended on {end}; the next term starts on "
                 f"{formatting.day(next_start)}, {_in((next_start - shown.today).days)}."]
    elif reason == Reason.NOT_STARTED:
        lines = [f"{name}'s term starts on {formatting.day(s.start_date)}, "
                 f"{_in(status.days_to_start)}, with {total} {unit} licenses."]
    elif reason == Reason.USED_UP:
        lines = [f"{name} has used up its {unit} licenses: {used}{over}, with "
                 f"{_span(status.days_to_end + 1)} of the term to go (it ends on {end}).{needed}"]
    elif status.days_to_run_out is not None and status.days_short is not None:
        lines = [f"At the current pace {name} {run_out_words(forecast)}, "
                 f"{_in(status.days_to_run_out)}, {_span(status.days_short)} before the term "
                 f"ends on {end}. {used}.{needed}"]
    else:
        alert = f", past the {status.threshold}% alert" if status.threshold else ""
        lines = [f"At the current pace {name} {run_out_words(forecast)}, which ends on {end}"
                 f", {_in(status.days_to_end)}. {used}{alert}."]
    action = _call_to_action(reason, contact=contact, operator=operator,
                             may_request=may_request)
    return f"**{LABELS[status.level]}:** " + " ".join([*lines, action]).strip()


def _renewal(reason: Reason) -> bool:
    """The term ends or has ended: what helps is a new term, not more licenses in this one."""
    return reason in (Reason.EXPIRED, Reason.ENDS_SOON)


def offers_request(reason: Reason, *, operator: bool, may_request: bool) -> bool:
    """Whether the banner links to Request licenses: for who may ask, when more licenses in
    this term are the answer (a renewal goes through support; the operator records)."""
    return (may_request and not operator and not _renewal(reason)
            and reason not in (Reason.RENEWED, Reason.NOT_STARTED))


def _call_to_action(reason: Reason, *, contact: str, operator: bool,
                    may_request: bool = False) -> str:
    """What to do next. A tenant's admins ask for licenses on their page (the banner links
    there), its viewers contact support; the operator records it."""
    if reason in (Reason.RENEWED, Reason.NOT_STARTED):
        return ""
    renew = _renewal(reason)
    if operator:
        return ("Record the next term on the New term page." if renew
                else "Record a refill on the Record refill page.")
    if offers_request(reason, operator=operator, may_request=may_request):
        return "To buy more licenses, ask the operator on the Request licenses page."
    return (f"To renew the contract, contact {contact}." if renew
            else f"To buy more licenses, contact {contact}.")


def status_banner(shown: TermForecast, *, contact: str, operator: bool,
                  next_start: date | None = None, may_request: bool = False) -> Status:
    """Draw the banner (nothing when all is well) in a container whose key names the level
    (class st-key-status-banner-critical, ...), with its link to Request licenses."""
    status = status_of(shown, next_start)
    if status.level != Level.NONE:
        with st.container(key=f"status-banner-{status.level.value}"):
            DRAW[status.level](banner_words(shown, status, contact=contact, operator=operator,
                                            next_start=next_start, may_request=may_request),
                               icon=ICONS[status.level])
            if offers_request(status.reason, operator=operator, may_request=may_request):
                page = navigation.REQUEST_LICENSES
                st.page_link(page.path, label=page.title, icon=page.icon)
    return status

"""The New term form's preview (the term, the current one, the usage that will count) and
its confirmation: nothing is recorded until the person presses the button that names the
tenant."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from licensing_core.auth.permissions import require_super_admin
from licensing_core.domain.kinds import LicenseType
from licensing_core.services.tenants import TermPreview, preview_term, renew
from licensing_core.ui import data, flash, formatting, labels
from licensing_core.ui.context import TenantContext
from licensing_core.ui.forms import refusal_shown
from licensing_core.ui.text import plain

PENDING_KEY = "_licensing_term_pending"


def preview(ctx: TenantContext, *, start: date, end: date, licenses: int, license_type: str,
            session_minutes: int | None) -> None:
    """Compute what the term would be; a refused one shows why and keeps nothing."""
    st.session_state.pop(PENDING_KEY, None)
    require_super_admin(ctx.principal)
    with refusal_shown():
        st.session_state[PENDING_KEY] = preview_term(
            ctx.db, tenant_id=ctx.tenant_id, start=start, end=end, licenses=licenses,
            license_type=license_type, session_minutes=session_minutes)


def pending(ctx: TenantContext) -> TermPreview | None:
    """The previewed term, only while the same tenant is open."""
    found: TermPreview | None = st.session_state.get(PENDING_KEY)
    return found if found is not None and found.tenant_id == ctx.tenant_id else None


def _dates(start: date, end: date) -> str:
    return f"{formatting.day(start)} – {formatting.day(end)}"


def _current_text(term: TermPreview) -> str:
    if term.current_start is None or term.current_end is None:
        return "The tenant has no current term."
    current = (f"The current term, {_dates(term.current_start, term.current_end)} "
               f"({term.current_state}), keeps its dates, licenses, refills and usage")
    if term.becomes_current == term.today:
        return current + "; the new term becomes the current one today."
    if term.becomes_current is not None:
        last = term.becomes_current - timedelta(days=1)
        return (current + f"; it stays the current term until {formatting.day(last)}, and "
                f"the new one is current from {formatting.day(term.becomes_current)}.")
    return current + " and stays the current term: the new one is an earlier term."


def _usage_text(term: TermPreview) -> str:
    stored = (f"{formatting.count(term.conversations)} conversations of "
              f"{formatting.count(term.conversation_users)} users already stored in these "
              "dates count in the new term")
    if term.license_type == LicenseType.SESSION:
        return stored + " (as sessions of its session duration)."
    return (stored + f" (each of those users holds a license); "
            f"{formatting.count(term.active_users)} users are Active today, and those still "
            f"Active on {formatting.day(term.start)} hold a license from its first day.")


def show_preview(term: TermPreview) -> None:
    kind = labels.license_type(term.license_type)
    minutes = (f", sessions of {term.session_minutes} minutes"
               if term.session_minutes is not None else "")
    with st.container(border=True):
        st.markdown(f"**Preview of a new term for {plain(term.tenant_name)}**")
        st.markdown(f"- **{_dates(term.start, term.end)}**: {kind}, "
                    f"{formatting.count(term.licenses)} licenses bought{minutes}.\n"
                    f"- {_current_text(term)}\n"
                    f"- {_usage_text(term)}\n"
                    "- Its alerts are evaluated when it is recorded: the usage above may "
                    "queue one at once.")


def confirm_label(term: TermPreview) -> str:
    return f"Record term for {plain(term.tenant_name)}"


def save(ctx: TenantContext, term: TermPreview) -> None:
    """Record exactly the previewed term (what the form says now may differ)."""
    require_super_admin(ctx.principal)
    with refusal_shown():
        change = renew(ctx.db, tenant_id=ctx.tenant_id, start=term.start, end=term.end,
                       licenses=term.licenses, license_type=term.license_type,
                       session_minutes=term.session_minutes, actor=ctx.principal.username)
        st.session_state.pop(PENDING_KEY, None)
        data.invalidate()
        queued = f"; {len(change.alerts_queued)} alert queued" if change.alerts_queued else ""
        flash.later(f"Term {term.start} – {term.end} recorded for {term.tenant_name}{queued}.")
        st.rerun()

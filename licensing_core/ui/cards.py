"""The Subscription page's cards, as on the seed page."""

from __future__ import annotations

import streamlit as st

from licensing_core.domain.kinds import LicenseType, TermState
from licensing_core.domain.status import Level, band_level
from licensing_core.queries.summary import SubscriptionSummary
from licensing_core.ui import formatting, labels
from licensing_core.ui.text import mail_link

# Streamlit's own text colours, which adapt to the theme: on the light theme's white they
# reach 7.1:1 (red), 6.4:1 (orange) and 8.2:1 (green), above WCAG AA's 4.5:1.
LEVEL_COLOURS = {Level.CALM: "green", Level.WARNING: "orange", Level.CRITICAL: "red",
                 Level.NONE: "green"}
STATE_COLOURS = {TermState.ACTIVE: "green", TermState.EXPIRED: "red",
                 TermState.NOT_STARTED: "blue"}


def term_state_badge(state: TermState) -> None:
    st.badge(f"Term {labels.term_state(state).lower()}", color=STATE_COLOURS.get(state, "gray"),  # type: ignore[arg-type]
             icon=":material/event:")


def text_card(label: str, value: str, help_text: str | None = None) -> None:
    """A card for a word or a date (a metric's large digits would cut it off)."""
    with st.container(border=True):
        st.caption(label, help=help_text)
        st.markdown(f"**{value}**")


def _emails(label: str, addresses: list[str], help_text: str) -> None:
    with st.container(border=True):
        st.caption(label, help=help_text)
        st.markdown("\n".join(f"- {mail_link(a)}" for a in addresses) if addresses
                    else "_none_")


def term_cards(summary: SubscriptionSummary) -> None:
    """The term's facts as on the seed page: type, dates, session length, contacts."""
    session_based = summary.license_type == LicenseType.SESSION
    row = st.columns(4 if session_based else 3)
    with row[0]:
        text_card("License Type", labels.license_type(summary.license_type),
                  "The licensing model of this term: named users or sessions.")
    with row[1]:
        text_card("Start Date", formatting.day(summary.start_date), "First day of the term.")
    with row[2]:
        text_card("End Date", formatting.day(summary.end_date), "Last day of the term.")
    if session_based:
        with row[3]:
            text_card("Session Duration", f"{summary.session_minutes} minutes",
                      "The length of one session: the conversations of a user with one "
                      "agent on one channel within it count once.")
    left, right = st.columns(2)
    with left:
        _emails("Technical Email", summary.technical_emails,
                "Staff who manage the tenant; they receive the consumption alerts.")
    with right:
        _emails("Billing Email", summary.billing_emails,
                "Contacts who manage the subscription; they receive the consumption alerts.")


def usage_cards(summary: SubscriptionSummary) -> bool:
    """Total Purchase, Consumed and Available, the numbers a person opens the page for;
    True when the Consumed card's History button was pressed."""
    unit = "sessions" if summary.license_type == LicenseType.SESSION else "users"
    total, consumed, available = st.columns(3)
    total.metric("Total Purchase", formatting.count(summary.total_purchased), border=True,
                 help=f"{unit.title()} licenses bought for this term, refills included.")
    with consumed, st.container(border=True):
        st.metric("Consumed", formatting.count(summary.consumed),
                  help=f"{unit.title()} counted in this term so far "
                       f"({formatting.percent(summary.percent_used)} used).")
        history = st.button("History", key="consumed_history", icon=":material/history:",
                            help="Consumption History: the users or sessions counted")
    value, overage = formatting.available_text(summary.available)
    colour = LEVEL_COLOURS[band_level(summary.percent_used, summary.thresholds)]
    with available, st.container(border=True):
        st.metric("Available", f":{colour}[{value}]",
                  help=f"{unit.title()} licenses left in this term; green, orange or red as "
                       "the gauge's band.")
        if overage:
            st.markdown(f":red[**{overage}**]")
    return history


def numbers(summary: SubscriptionSummary) -> None:
    """The term's totals in one row (the operator forms' reminder of where things stand)."""
    total, consumed, available, percent = st.columns(4)
    total.metric("Total Purchase", formatting.count(summary.total_purchased), border=True)
    consumed.metric("Consumed", formatting.count(summary.consumed), border=True)
    value, overage = formatting.available_text(summary.available)
    available.metric("Available", value, border=True, help=overage)
    percent.metric("Percent used", formatting.percent(summary.percent_used), border=True)

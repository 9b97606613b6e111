"""The Consumption History page's filters, its table and the click-through to Conversation
History.

Each Conversations count is a link to Conversation History filtered to that session (or
that user in the term): one click opens it. The nine session columns are sized to fit a
1400 px wide window with the sidebar open, so the count needs no horizontal scrolling.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from licensing_core.domain.kinds import LicenseType
from licensing_core.queries.history import FilterOptions, HistoryFilters
from licensing_core.queries.terms import TermInfo
from licensing_core.ui import formatting, navigation, widgets
from licensing_core.ui.context import TENANT_PARAM, TenantContext
from licensing_core.ui.text import plain

CONVERSATIONS_COLUMN = "Conversations"
# The link's last parameter carries the count it shows (Conversation History ignores it,
# and drops it from its URL).
COUNT_PARAM = "conversations"
COUNT_SHOWN = rf"[?&]{COUNT_PARAM}=([^&]*)$"  # display_text: the count, from the link
# Pixels per column of a session term: together 936, the grid's width in a 1400 px window
# with the sidebar open. Ids, times and counts get their full width; longer names, emails,
# agents and channels are cut with an ellipsis and read in full in the download.
SESSION_WIDTHS = {"Session ID": 120, "Started On": 148, "Initiated By": 84, "User Name": 102,
                  "Email": 145, "Role": 78, "Agent Name": 82, "Channel": 77,
                  CONVERSATIONS_COLUMN: 100}
COUNT_HELP = "Click a count to open these conversations"


def filters(term: TermInfo, options: FilterOptions, key: str) -> HistoryFilters:
    """Text on user and email, role, status, (session terms) channel and agent, dates."""
    session_based = term.license_type == LicenseType.SESSION
    left, middle, right = st.columns(3)
    text = left.text_input("Search user or email", key=f"{key}_text")
    roles = middle.multiselect("Role", options.roles, key=f"{key}_roles")
    statuses = right.multiselect("Status", options.statuses, key=f"{key}_statuses")
    channels: list[str] = []
    agents: list[str] = []
    if session_based:
        channels = left.multiselect("Channel", options.channels, key=f"{key}_channels")
        agents = middle.multiselect("Agent", options.agents, key=f"{key}_agents")
    with right:
        date_from, date_to = widgets.date_range(
            "Started between" if session_based else "Licensed between", key=f"{key}_dates",
            min_value=term.start_date, max_value=term.end_date)
    return HistoryFilters(text=text.strip(), roles=tuple(roles), statuses=tuple(statuses),
                          channels=tuple(channels), agents=tuple(agents),
                          date_from=date_from, date_to=date_to)


def conversations_link(ctx: TenantContext, term: TermInfo, row: pd.Series) -> str:
    """Conversation History's deep link for a row's count: the session's conversations, or
    the user's conversations of this term (which is what the count counts)."""
    params = {TENANT_PARAM: ctx.tenant_id}
    if term.license_type == LicenseType.SESSION:
        params["session_id"] = str(row["Session ID"])
    else:
        params |= {"user_id": str(row["User ID"]), "date_from": term.start_date.isoformat(),
                   "date_to": term.end_date.isoformat()}
    count = formatting.count(int(row[CONVERSATIONS_COLUMN]))
    # Relative: it opens next to this page, under whatever path the dashboard is served.
    return f"{navigation.CONVERSATIONS.url_path}?{urlencode(params)}&{COUNT_PARAM}={count}"


def table(ctx: TenantContext, term: TermInfo, rows: pd.DataFrame,
          timezone: str) -> pd.DataFrame:
    """The rows as shown: times in the tenant's zone, each count a link to its conversations."""
    shown = formatting.localize(rows, ["Started On"], timezone)
    shown[CONVERSATIONS_COLUMN] = [conversations_link(ctx, term, row)
                                   for _, row in rows.iterrows()]
    return shown


def column_config(term: TermInfo) -> dict[str, ColumnConfig]:
    widths = SESSION_WIDTHS if term.license_type == LicenseType.SESSION else {}
    config: dict[str, ColumnConfig] = {
        name: st.column_config.TextColumn(width=width) for name, width in widths.items()}
    config[CONVERSATIONS_COLUMN] = st.column_config.LinkColumn(
        width=widths.get(CONVERSATIONS_COLUMN), help=COUNT_HELP, display_text=COUNT_SHOWN,
        alignment="right")
    return config


def applied(term: TermInfo, chosen: HistoryFilters, sort_by: str | None,
            descending: bool) -> list[str]:
    """The filters in words, for the download's confirmation (input shown as typed)."""
    said = [f"term {widgets.term_label(term)}"]
    if chosen.text:
        said.append(f"user or email containing “{plain(chosen.text)}”")
    for name, values in (("role", chosen.roles), ("status", chosen.statuses),
                         ("channel", chosen.channels), ("agent", chosen.agents)):
        if values:
            said.append(f"{name} {' or '.join(plain(v) for v in values)}")
    if chosen.date_from or chosen.date_to:
        verb = "started" if term.license_type == LicenseType.SESSION else "licensed"
        said.append(f"{verb} {widgets.days_text(chosen.date_from, chosen.date_to)}")
    if sort_by:
        said.append(f"sorted by {sort_by}{', descending' if descending else ''}")
    return said

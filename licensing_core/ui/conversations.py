"""Conversation History's deep link (query parameters <-> filters), and its filters in
words for the download's confirmation."""

from __future__ import annotations

import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from licensing_core.queries.conversations import ConversationFilters
from licensing_core.ui import formatting, widgets
from licensing_core.ui.context import TENANT_PARAM
from licensing_core.ui.text import plain

LINK_PARAMS = ("user_id", "session_id", "agent", "channel", "date_from", "date_to")
WIDGETS = {"user_id": "conversations_user_id", "session_id": "conversations_session_id",
           "agent": "conversations_agent", "channel": "conversations_channel"}
DATES_WIDGET = "conversations_dates"
LINK_SEEN_KEY = "_licensing_conversations_link"
# Pixels per column: together the grid's width in a 1400 px window with the sidebar open,
# so that Messages needs no horizontal scrolling; longer names are cut with an ellipsis.
WIDTHS = {"Conversation ID": 120, "Started On": 148, "Ended On": 148, "User ID": 75,
          "User Name": 110, "Agent Name": 90, "Channel": 80, "Initiated By": 84}
COLUMN_CONFIG: dict[str, ColumnConfig] = {
    **{name: st.column_config.TextColumn(width=width) for name, width in WIDTHS.items()},
    "Messages": formatting.count_column(width=81),
}


def _link() -> tuple[str, ...]:
    return tuple(st.query_params.get(name, "") for name in LINK_PARAMS)


def seed_from_link() -> None:
    """Fill the filters from the URL when it changed (a deep link was opened)."""
    link = _link()
    if st.session_state.get(LINK_SEEN_KEY) == link:
        return
    st.session_state[LINK_SEEN_KEY] = link
    for name, key in WIDGETS.items():
        st.session_state[key] = st.query_params.get(name, "")
    start, end = widgets.parse_day_param("date_from"), widgets.parse_day_param("date_to")
    st.session_state[DATES_WIDGET] = tuple(d for d in (start, end or start) if d is not None)


def update_link(filters: ConversationFilters) -> None:
    """Keep the URL equal to the filters shown, so that it can be bookmarked or shared."""
    values = {"user_id": filters.user_id, "session_id": filters.session_id,
              "agent": filters.agent, "channel": filters.channel,
              "date_from": filters.date_from.isoformat() if filters.date_from else None,
              "date_to": filters.date_to.isoformat() if filters.date_to else None}
    kept = {TENANT_PARAM: st.query_params[TENANT_PARAM]} if TENANT_PARAM in st.query_params \
        else {}
    st.query_params.from_dict(kept | {k: v for k, v in values.items() if v})
    st.session_state[LINK_SEEN_KEY] = _link()


def applied(filters: ConversationFilters) -> list[str]:
    """The filters in words (input shown as typed); none: every conversation."""
    said = [f"{name} “{plain(value)}”" for name, value in (
        ("user ID", filters.user_id), ("session ID", filters.session_id),
        ("agent", filters.agent), ("channel", filters.channel)) if value]
    if filters.date_from or filters.date_to:
        said.append(f"started {widgets.days_text(filters.date_from, filters.date_to)}")
    return said

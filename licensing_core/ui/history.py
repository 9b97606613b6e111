"""The Consumption History page's filters and its click-through to Conversation History."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from licensing_core.queries.history import FilterOptions, HistoryFilters
from licensing_core.queries.terms import TermInfo
from licensing_core.ui import navigation, widgets
from licensing_core.ui.context import TENANT_PARAM, TenantContext

CONVERSATIONS_COLUMN = "Conversations"


def filters(term: TermInfo, options: FilterOptions, key: str) -> HistoryFilters:
    """Text on user and email, role, status, (session terms) channel and agent, dates."""
    session_based = term.license_type == "session"
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


def open_clicked_conversations(ctx: TenantContext, term: TermInfo, rows: pd.DataFrame,
                               cells: list[tuple[int, str]]) -> None:
    """A click on a Conversations count opens that user's or session's conversations."""
    if not cells or cells[0][1] != CONVERSATIONS_COLUMN:
        return
    row = rows.iloc[int(cells[0][0])]
    params = {TENANT_PARAM: ctx.tenant_id}
    if term.license_type == "session":
        params["session_id"] = str(row["Session ID"])
    else:  # the user's conversations of this term, which is what the count counts
        params |= {"user_id": str(row["User ID"]), "date_from": term.start_date.isoformat(),
                   "date_to": term.end_date.isoformat()}
    st.switch_page(navigation.CONVERSATIONS.path, query_params=params)

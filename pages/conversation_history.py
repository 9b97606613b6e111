"""Conversation History: a tenant's conversations by user, session, agent, channel, dates.

Reachable by a deep link (?user_id=…, ?session_id=…, agent, channel, date_from, date_to);
the tenant is still the reader's own, checked on the server, whatever the link says.
"""

import streamlit as st

from licensing_core.exports.csv import export_conversations
from licensing_core.queries.conversations import ConversationFilters
from licensing_core.ui import context, data, downloads, formatting, widgets
from licensing_core.ui.conversations import COLUMN_CONFIG, applied, seed_from_link, update_link

ctx = context.tenant_page()
timezone = data.summary(ctx).timezone

st.title("Conversation History")
seed_from_link()
with st.container(border=True):
    left, middle, right = st.columns(3)
    user_id = left.text_input("User ID", key="conversations_user_id")
    session_id = middle.text_input("Session ID", key="conversations_session_id")
    agent = right.text_input("Agent", key="conversations_agent", help="The exact agent name")
    channel = left.text_input("Channel", key="conversations_channel",
                              help="The exact channel name")
    with middle:
        date_from, date_to = widgets.date_range("Started between", key="conversations_dates")

filters = ConversationFilters(user_id=user_id.strip() or None,
                              session_id=session_id.strip() or None,
                              agent=agent.strip() or None, channel=channel.strip() or None,
                              date_from=date_from, date_to=date_to)
update_link(filters)

page, offset, _ = widgets.paged(
    "conversations", filters,
    lambda limit, offset: data.conversations(ctx, filters, limit=limit, offset=offset),
    lambda result: result.total_rows)
widgets.page_controls("conversations", page.total_rows, offset, len(page.rows))
st.dataframe(formatting.localize(page.rows, ["Started On", "Ended On"], timezone),
             key="conversations_table", hide_index=True,
             column_config=COLUMN_CONFIG)
st.caption(formatting.zone_caption(timezone))

db, tenant_id = ctx.db, ctx.tenant_id
downloads.download_button(
    page.total_rows, f"conversations_{tenant_id}.csv",
    lambda out: export_conversations(db, tenant_id, out, filters=filters),
    key="conversations_download", applied=applied(filters))

"""Consumption History: the users or sessions counted in a term, filtered in the database.

Clicking a Conversations count opens Conversation History for that user or session.
"""

import streamlit as st

from licensing_core.exports.csv import export_consumption
from licensing_core.queries.history import columns_for
from licensing_core.ui import breakdowns, context, data, downloads, formatting, history, widgets

ctx = context.tenant_page()
timezone = data.summary(ctx).timezone

st.title("License Consumption History")
term = widgets.term_picker(ctx, key="consumption_term")
k = f"consumption_{term.term_id}"  # filters of one term never carry over to another
with st.container(border=True):
    filters = history.filters(term, data.options(ctx, term.term_id), k)
    sort_by, descending = widgets.sort_picker(columns_for(term.license_type), key=k)

page, offset, _ = widgets.paged(
    k, (filters, sort_by, descending),
    lambda limit, offset: data.history(ctx, term.term_id, filters, sort_by=sort_by,
                                       descending=descending, limit=limit, offset=offset),
    lambda result: result.total_rows)
widgets.page_controls(k, page.total_rows, offset, len(page.rows))

event = st.dataframe(
    formatting.localize(page.rows, ["Started On"], timezone), key=f"{k}_table",
    hide_index=True, on_select="rerun", selection_mode="single-cell",
    column_config={history.CONVERSATIONS_COLUMN: st.column_config.NumberColumn(
        help="Click a count to open these conversations")})
st.caption("Click a Conversations count to open those conversations. "
           + formatting.zone_caption(timezone))
history.open_clicked_conversations(ctx, term, page.rows, event["selection"]["cells"])

db, tenant_id, term_id = ctx.db, ctx.tenant_id, term.term_id
downloads.download_button(
    page.total_rows, f"consumption_{tenant_id}_{term.start_date}_{term.end_date}.csv",
    lambda out: export_consumption(db, tenant_id, out, term_id=term_id, filters=filters,
                                   sort_by=sort_by, descending=descending),
    key="consumption_download")

breakdowns.show(ctx, term, k)

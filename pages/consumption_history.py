"""Consumption History: the users or sessions counted in a term, filtered in the database.

Each Conversations count is a link: one click opens Conversation History for that user or
session.
"""

import streamlit as st

from licensing_core.exports.csv import export_consumption
from licensing_core.queries.history import columns_for
from licensing_core.ui import (
    breakdowns,
    context,
    data,
    downloads,
    formatting,
    history,
    phone,
    widgets,
)

ctx = context.tenant_page()
timezone = data.summary(ctx).timezone

st.title("License Consumption History")
term = widgets.term_picker(ctx, key="consumption_term")
k = f"consumption_{term.term_id}"  # filters of one term never carry over to another
with phone.folded_on_phone("Filters and sort", key=k):
    filters = history.filters(term, data.options(ctx, term.term_id), k)
    sort_by, descending = widgets.sort_picker(columns_for(term.license_type), key=k)

page, offset, _ = widgets.paged(
    k, (filters, sort_by, descending),
    lambda limit, offset: data.history(ctx, term.term_id, filters, sort_by=sort_by,
                                       descending=descending, limit=limit, offset=offset),
    lambda result: result.total_rows)
widgets.page_controls(k, page.total_rows, offset, len(page.rows))

st.dataframe(history.table(ctx, term, page.rows, timezone), key=f"{k}_table",
             hide_index=True, column_config=history.column_config(term))
st.caption("Click a Conversations count to open those conversations. "
           + formatting.zone_caption(timezone))

db, tenant_id, term_id = ctx.db, ctx.tenant_id, term.term_id
downloads.download_button(
    page.total_rows, f"consumption_{tenant_id}_{term.start_date}_{term.end_date}.csv",
    lambda out: export_consumption(db, tenant_id, out, term_id=term_id, filters=filters,
                                   sort_by=sort_by, descending=descending),
    key="consumption_download",
    applied=history.applied(term, filters, sort_by, descending))

breakdowns.show(ctx, term, k)

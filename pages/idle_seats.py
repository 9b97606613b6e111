"""Idle seats: users holding a license of a user-based term with no recent conversation."""

import streamlit as st

from licensing_core.domain.kinds import LicenseType
from licensing_core.exports.idle_seats import export_idle_seats
from licensing_core.queries.idle_seats import MAX_IDLE_DAYS
from licensing_core.ui import context, data, downloads, forecast_data, formatting, widgets

# A month: long enough to cover holidays, short enough to free seats within a term.
DEFAULT_IDLE_DAYS = 30

ctx = context.tenant_page()
timezone = data.summary(ctx).timezone

st.title("Idle seats")
term = widgets.term_picker(ctx, key="idle_term")
if term.license_type != LicenseType.USER:
    st.info("Idle seats apply to user-based terms: this term counts sessions, and a session "
            "holds no seat.")
    st.stop()

days = int(st.number_input("No conversation in the last (days)", min_value=1,
                           max_value=MAX_IDLE_DAYS, value=DEFAULT_IDLE_DAYS, step=1,
                           key="idle_days",
                           help="The days ending today, in the tenant's calendar"))
k = f"idle_{term.term_id}"
page, offset, _ = widgets.paged(
    k, days, lambda limit, offset: forecast_data.idle(ctx, term.term_id, days=days,
                                                      limit=limit, offset=offset),
    lambda result: result.total_rows)
widgets.page_controls(k, page.total_rows, offset, len(page.rows))
st.dataframe(formatting.localize(page.rows, ["Licensed Since", "Last Conversation"], timezone),
             key=f"{k}_table", hide_index=True)
st.caption("Users holding a license in this term with no conversation in the last "
           f"{formatting.count(days)} "
           "days (never seen first, then the longest idle). " + formatting.zone_caption(timezone))

db, tenant_id, term_id = ctx.db, ctx.tenant_id, term.term_id
downloads.download_button(
    page.total_rows, f"idle_seats_{tenant_id}_{term.start_date}_{days}d.csv",
    lambda out: export_idle_seats(db, tenant_id, out, term_id=term_id, days=days),
    key="idle_download",
    applied=[f"term {widgets.term_label(term)}",
             f"no conversation in the last {formatting.count(days)} days"])

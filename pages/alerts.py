"""Alerts: the consumption alerts queued for the tenant and whether they were delivered."""

import streamlit as st

from licensing_core.domain.kinds import Role
from licensing_core.ui import alerts, context, data, formatting

ctx = context.tenant_page()
timezone = data.summary(ctx).timezone

st.title("Alerts")
st.caption("An email goes to the technical and billing contacts and the tenant's admins when "
           "consumption reaches a threshold, to the addresses they have when it is sent; "
           "undelivered ones are retried. "
           + formatting.zone_caption(timezone))
page_number = alerts.page_number()
rows = data.alerts(ctx, limit=alerts.PAGE_ROWS, offset=(page_number - 1) * alerts.PAGE_ROWS)
if rows.empty and page_number == 1:
    st.info("No alert has been queued for this tenant.")
else:
    st.dataframe(alerts.shown(rows, timezone), key="alerts_table", hide_index=True,
                 column_config=alerts.COLUMN_CONFIG)
alerts.pager(page_number, len(rows))
if ctx.principal.role in (Role.SUPER_ADMIN, Role.TENANT_ADMIN):
    alerts.retry_form(ctx, rows)

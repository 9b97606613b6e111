"""Tenants: every tenant's current term at a glance; open any tenant's pages from here."""

import streamlit as st

from licensing_core.ui import context, data, forecast_data, navigation, overview

principal, db = context.operator()
st.title("Tenants")
table = data.overview(principal, db.url)
if table.empty:
    st.info("No tenant yet.")
    st.page_link(navigation.CREATE_TENANT.path, label="Create a tenant",
                 icon=":material/add_business:")
    st.stop()

table = overview.with_forecast(table, forecast_data.risk(principal, db.url))
shown = overview.filtered(table)
st.caption(f"{len(shown)} of {len(table)} tenants. Click a column header to sort; select a "
           "row to open that tenant (it becomes the sidebar's Tenant).")
event = st.dataframe(overview.display(shown, overview.thresholds(principal, db.url)),
                     key="tenants_table", hide_index=True,
                     on_select="rerun", selection_mode="single-row",
                     column_config=overview.COLUMN_CONFIG)
rows = event["selection"]["rows"]
if rows:
    context.open_tenant(principal, str(shown.iloc[int(rows[0])]["tenant_id"]),
                        navigation.SUBSCRIPTION.path)

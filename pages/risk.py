"""Risk: every tenant ranked by how soon it runs out or its term ends (super admin)."""

import streamlit as st

from licensing_core.ui import context, forecast_data, formatting, navigation, risk

principal, db = context.operator()
st.title("Risk")
st.caption("Tenants ranked by the days until their licenses run out at the current pace or "
           "their term ends, whichever comes first; used-up and ended terms come first.")
table = forecast_data.risk(principal, db.url)
if table.empty:
    st.info("No tenant yet.")
    st.stop()

shown = risk.filtered(table)
st.caption(f"{formatting.count(len(shown))} of {formatting.count(len(table))} tenants. "
           "Select a row to open that tenant.")
event = st.dataframe(risk.display(shown), key="risk_table", hide_index=True,
                     on_select="rerun", selection_mode="single-row",
                     column_config=risk.COLUMN_CONFIG)
rows = event["selection"]["rows"]
if rows:
    context.select_tenant(principal, str(shown.iloc[int(rows[0])]["tenant_id"]))
    st.switch_page(navigation.SUBSCRIPTION.path)

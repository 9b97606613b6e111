"""License Purchase History: the term's initial purchase and refills, and the total over time."""

import streamlit as st

from licensing_core.exports.csv import export_purchases
from licensing_core.ui import charts, context, data, downloads, formatting, resources, widgets
from licensing_core.ui.purchases import PURCHASE_COLUMN_CONFIG, purchase_table

ctx = context.tenant_page()
timezone = data.summary(ctx).timezone

st.title("License Purchase History")
term = widgets.term_picker(ctx, key="purchases_term")
purchases = data.purchases(ctx, term.term_id)

st.dataframe(purchase_table(purchases, timezone), key="purchases_table", hide_index=True,
             column_config=PURCHASE_COLUMN_CONFIG)
st.caption(f"{formatting.count(len(purchases))} rows. " + formatting.zone_caption(timezone))
charts.show(charts.purchases_chart(purchases), key="purchases_chart")

db, tenant_id, term_id = ctx.db, ctx.tenant_id, term.term_id
downloads.download_button(
    len(purchases), f"purchases_{tenant_id}_{term.start_date}_{term.end_date}.csv",
    lambda out: export_purchases(db, tenant_id, out, term_id=term_id),
    key="purchases_download", applied=[f"term {widgets.term_label(term)}"])
resources.support_note(
    ctx.principal, "Refills (additions or removals of licenses) are recorded by the Super "
    f"Admin at your request. To purchase licenses or renew, contact "
    f"{resources.support_contact()}.")

"""Subscription: the term's cards, percent used, consumption over the term, contacts."""

import streamlit as st

from licensing_core.ui import cards, charts, contacts, context, data, navigation, resources

ctx = context.tenant_page()
summary = data.summary(ctx)

st.title(f"Subscription · {summary.name}")
cards.term_state_badge(summary.state)
if cards.subscription_cards(summary):
    st.switch_page(navigation.CONSUMPTION.path)
contacts.edit_contacts(ctx, summary)

gauge, chart = st.columns([1, 2])
with gauge:
    charts.show(charts.percent_gauge(summary.percent_used, summary.thresholds), key="gauge")
with chart:
    series = data.series(ctx, summary.term_id)
    if series.empty:
        st.info("The term has not started yet: no consumption to show.")
    else:
        charts.show(charts.consumption_chart(series, summary.license_type),
                    key="consumption_chart")

st.info("Licensing information is managed by the Super Admin. To purchase licenses or renew "
        f"the contract, contact {resources.support_contact()}.", icon=":material/info:")
st.caption(f"Dates are in the tenant's timezone, {summary.timezone}. An alert email goes to "
           "the contacts when consumption reaches "
           + ", ".join(f"{t}%" for t in summary.thresholds) + ".")

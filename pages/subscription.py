"""Subscription: the status banner, the usage numbers, percent used and consumption over
the term, the term's cards and contacts, and the run-out forecast with pacing and a
what-if calculator."""

import streamlit as st

from licensing_core.domain.forecast import projection
from licensing_core.ui import (
    cards,
    charts,
    contacts,
    context,
    data,
    forecast_data,
    forecasts,
    navigation,
    requests,
    resources,
    status_banner,
    thresholds,
)
from licensing_core.ui.text import plain

ctx = context.tenant_page()
summary = data.summary(ctx)
shown = forecast_data.forecast(ctx)

st.title(f"Subscription · {plain(summary.name)}")
cards.term_state_badge(summary.state)
status_banner.status_banner(
    shown, contact=resources.support_contact(), operator=ctx.is_super_admin,
    next_start=status_banner.next_start_of(data.terms(ctx), shown.summary.end_date),
    may_request=requests.may_request(ctx))
# The numbers and the gauge first: on a phone, where columns stack, they are what shows
# without scrolling; the term's details and the forecast follow.
if cards.usage_cards(summary):
    st.switch_page(navigation.CONSUMPTION.path)

gauge, chart = st.columns([1, 2])
with gauge:
    charts.show(charts.percent_gauge(summary.percent_used, summary.thresholds), key="gauge")
with chart:
    series = shown.series  # the current term's, which the forecast has already read
    if series.empty:
        st.info("The term has not started yet: no consumption to show.")
    else:
        projected = projection(shown.forecast, consumed=summary.consumed, today=shown.today,
                               term_start=summary.start_date, term_end=summary.end_date)
        charts.show(charts.consumption_chart(series, summary.license_type, projected),
                    key="consumption_chart")
cards.term_cards(summary)
contacts.edit_contacts(ctx, summary)
forecasts.forecast_cards(shown)
forecasts.what_if_calculator(shown)

resources.support_note(
    ctx.principal, "Licensing information is managed by the Super Admin. To purchase "
    f"licenses or renew the contract, contact {resources.support_contact()}.")
st.caption(f"Dates are in the tenant's timezone, {summary.timezone}. An alert email goes to "
           "the contacts when consumption reaches "
           + ", ".join(f"{t}%" for t in summary.thresholds) + ".")
thresholds.thresholds_editor(ctx, summary)

"""Record refill: a signed change of the current term's licenses, previewed before saving."""

import streamlit as st

from licensing_core.ui import (
    cards,
    context,
    data,
    forecast_data,
    forecasts,
    formatting,
    labels,
    refills,
)
from licensing_core.ui.text import plain

ctx = context.operator_tenant()
summary = data.summary(ctx)
st.title(f"Record refill · {plain(summary.name)}")
st.caption(f"Current term {formatting.day(summary.start_date)} – "
           f"{formatting.day(summary.end_date)} ({labels.license_type(summary.license_type)}, "
           f"{labels.term_state(summary.state).lower()}).")
cards.numbers(summary)
shown = forecast_data.forecast(ctx)

with st.form("refill_form"):
    quantity = st.text_input("Quantity", key="refill_quantity", placeholder="+50 or -20",
                             help="Signed: +50 adds licenses, -20 removes them")
    note = st.text_area("Note", key="refill_note", help="Why: order number, request, correction")
    asked = st.form_submit_button("Preview", key="refill_preview")

if asked:
    refills.preview(ctx, quantity, note)
pending = refills.pending(ctx)
forecasts.refill_forecast(shown, pending.quantity if pending is not None else None)
if pending is not None:
    refills.show_preview(pending, summary.name)
    if st.button(refills.save_label(summary.name), type="primary", key="refill_save"):
        refills.save(ctx, pending)

"""New term: the selected tenant's next contract, previewed, then recorded on confirmation
(super admin)."""

from datetime import timedelta

import streamlit as st

from licensing_core.domain.kinds import LicenseType
from licensing_core.ui import context, data, forms, labels, renewals, widgets
from licensing_core.ui.text import plain

ctx = context.operator_tenant()
summary = data.summary(ctx)
terms = data.terms(ctx)
latest = terms[0]
st.title(f"New term · {plain(summary.name)}")
st.caption("Terms so far: " + "; ".join(widgets.term_label(t) for t in terms))

first_day = latest.end_date + timedelta(days=1)
with st.form("new_term"):
    left, right = st.columns(2)
    start = left.date_input("Start date", value=first_day, format="YYYY-MM-DD")
    end = right.date_input("End date", value=forms.year_end(first_day), format="YYYY-MM-DD")
    licenses = left.number_input("Licenses bought", min_value=0, value=100, step=1)
    kinds = list(LicenseType)
    license_type = right.selectbox("License type", kinds,
                                   index=kinds.index(LicenseType(latest.license_type)),
                                   format_func=labels.license_type)
    minutes = left.number_input("Session duration (minutes)", min_value=1, step=1,
                                value=latest.session_minutes or 30,
                                help="Session-based terms only")
    asked = st.form_submit_button("Preview", key="new_term_preview",
                                  help="Shows what the term will be; nothing is recorded yet")

if asked:
    renewals.preview(ctx, start=start, end=end, licenses=int(licenses),
                     license_type=license_type,
                     session_minutes=int(minutes) if license_type == LicenseType.SESSION else None)
pending = renewals.pending(ctx)
if pending is not None:
    renewals.show_preview(pending)
    if st.button(renewals.confirm_label(pending), type="primary", key="new_term_save"):
        renewals.save(ctx, pending)

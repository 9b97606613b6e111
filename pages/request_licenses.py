"""Request licenses: a tenant admin asks the operator for more licenses and follows the
decisions; a tenant viewer reads the tenant's requests only."""

import streamlit as st

from licensing_core.ui import cards, context, data, requests
from licensing_core.ui.text import plain

ctx = context.tenant_page()
summary = data.summary(ctx)

st.title(f"Request licenses · {plain(summary.name)}")
st.caption("A request goes to the operator by email. Once it is approved the licenses are "
           "added to the current term's total at once; a decline comes with its reason. "
           "Either way the requester and the contacts are emailed.")
cards.numbers(summary)
requests.request_form(ctx, summary)
requests.own_requests(ctx)

"""Requests: every tenant's license requests, open first with the tenant's numbers and
forecast; each is approved (a refill, previewed) or declined with a reason, once."""

import streamlit as st

from licensing_core.ui import context, requests

principal, db = context.operator()
frame = requests.overview(principal, db)

st.title("License requests")
st.caption("Approving records the refill in the tenant's current term (alerts queued or "
           "re-armed as for any refill); declining needs a reason. The requester and the "
           "tenant's contacts are emailed the decision. Times are in each tenant's timezone.")
requests.queue(principal, db, frame)

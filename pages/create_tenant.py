"""Create tenant: a new tenant with its first term (super admin)."""

from datetime import date

import streamlit as st

from licensing_core.domain.kinds import LicenseType
from licensing_core.services.tenants import create_tenant
from licensing_core.ui import context, data, flash, forms, labels, navigation

principal, db = context.operator()
st.title("Create tenant")
with st.form("create_tenant"):
    left, right = st.columns(2)
    tenant_id = left.text_input("Tenant ID", help="Short, lower-case: letters, digits, - or _")
    name = right.text_input("Name")
    kinds = list(LicenseType)
    license_type = left.selectbox("License type", kinds, format_func=labels.license_type)
    licenses = right.number_input("Licenses bought", min_value=0, value=100, step=1)
    start = left.date_input("Start date", value=date.today(), format="YYYY-MM-DD")
    end = right.date_input("End date", value=forms.year_end(date.today()),
                           format="YYYY-MM-DD")
    minutes = left.number_input("Session duration (minutes)", min_value=1, value=30, step=1,
                                help="Session-based terms only")
    timezone = right.selectbox("Timezone", forms.TIMEZONES,
                               index=forms.TIMEZONES.index("UTC"))
    technical = left.text_area("Technical Email", help="One address per line")
    billing = right.text_area("Billing Email", help="One address per line")
    submitted = st.form_submit_button("Create tenant", type="primary", key="create_tenant_go")

if submitted and forms.emails_valid(technical=technical, billing=billing):
    with forms.refusal_shown():
        create_tenant(db, tenant_id=tenant_id.strip(), name=name, license_type=license_type,
                      licenses=int(licenses), start=start, end=end,
                      session_minutes=int(minutes) if license_type == LicenseType.SESSION else None,
                      timezone=timezone, technical_emails=forms.addresses(technical),
                      billing_emails=forms.addresses(billing), actor=principal.username)
        data.invalidate()
        flash.later(f"Tenant {tenant_id.strip()} created.")
        context.open_tenant(principal, tenant_id.strip(), navigation.SUBSCRIPTION.path)

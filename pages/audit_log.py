"""Audit log: every change, who made it, when, and what it changed, field by field.

A super admin sees every tenant's entries (and the operator's own); a tenant admin only
their tenant's.
"""

import streamlit as st

from licensing_core.domain.kinds import Role
from licensing_core.ui import audit, context, data, formatting, resources, widgets

ALL = "All tenants"

principal = context.signed_in()
db = resources.get_database()
st.title("Audit log")
if principal.is_super_admin:
    choice = st.selectbox("Tenant", [ALL, *data.tenant_ids(principal, db.url)],
                          key="audit_tenant")
    tenant_id = None if choice == ALL else choice
else:
    tenant_id = context.tenant_page(roles=(Role.TENANT_ADMIN,)).tenant_id

page, offset, _ = widgets.paged(
    "audit", tenant_id,
    lambda limit, offset: data.audit(principal, db.url, tenant_id, limit=limit, offset=offset),
    lambda result: result.total_rows)
widgets.page_controls("audit", page.total_rows, offset, len(page.rows))
if tenant_id is None:  # the entries of several tenants, so of several timezones
    timezone = "UTC"
    caption = "Times are in UTC: the entries are of every tenant."
else:
    timezone = data.summary(context.TenantContext(principal, db, tenant_id)).timezone
    caption = formatting.zone_caption(timezone)
st.dataframe(audit.shown(page.rows, timezone), key="audit_table", hide_index=True,
             column_config=audit.COLUMN_CONFIG, row_height=audit.ROW_HEIGHT)
st.caption(caption)

"""The Edit form of the technical and billing emails: every invalid address is shown
under its field, and nothing is saved until all of them are valid."""

from __future__ import annotations

import streamlit as st

from licensing_core.domain.emails import email_problems
from licensing_core.queries.summary import SubscriptionSummary
from licensing_core.services.tenants import set_contacts
from licensing_core.ui import context, data, flash
from licensing_core.ui.context import TenantContext
from licensing_core.ui.forms import addresses, refusal_shown
from licensing_core.ui.text import plain

EDITING_KEY = "_licensing_contacts_editing"


def _start(tenant_id: str) -> None:
    """Editing is for one tenant: a super admin who opens another one sees its Edit button,
    never a form left open with the previous tenant's addresses."""
    st.session_state[EDITING_KEY] = tenant_id


def _stop() -> None:
    st.session_state.pop(EDITING_KEY, None)


def edit_contacts(ctx: TenantContext, summary: SubscriptionSummary) -> None:
    """An Edit button, then the form; only for who may change this tenant's contacts."""
    if not ctx.may_edit_contacts:
        return
    if st.session_state.get(EDITING_KEY) != ctx.tenant_id:
        st.button("Edit", icon=":material/edit:", key="contacts_edit", on_click=_start,
                  args=(ctx.tenant_id,))
        return
    name = plain(summary.name)
    with st.form("contacts_form"):
        st.markdown(f"**Edit the contacts of {name}** · one address per line; remove a line "
                    "to remove it.")
        technical_text = st.text_area("Technical Email", key="contacts_technical",
                                      value="\n".join(summary.technical_emails))
        technical_errors = st.empty()
        billing_text = st.text_area("Billing Email", key="contacts_billing",
                                    value="\n".join(summary.billing_emails))
        billing_errors = st.empty()
        save, cancel, where = st.columns([1, 1, 4], vertical_alignment="center")
        saved = save.form_submit_button("Save", type="primary", key="contacts_save",
                                        help=f"Replaces the contacts of {name}")
        cancelled = cancel.form_submit_button("Cancel", key="contacts_cancel")
        where.markdown(f"Saves the technical and billing emails of **{name}**.")
    if cancelled:
        _stop()
        st.rerun()
    if not saved:
        return
    technical, billing = addresses(technical_text), addresses(billing_text)
    bad_technical, bad_billing = email_problems(technical), email_problems(billing)
    if bad_technical:
        technical_errors.error("Technical Email: " + plain("; ".join(bad_technical)))
    if bad_billing:
        billing_errors.error("Billing Email: " + plain("; ".join(bad_billing)))
    if bad_technical or bad_billing:
        st.error("Nothing was saved: correct the addresses marked above.")
        return
    context.contact_editor(ctx)
    with refusal_shown():
        set_contacts(ctx.db, tenant_id=ctx.tenant_id, technical_emails=technical,
                     billing_emails=billing, actor=ctx.principal.username)
        data.invalidate()
        _stop()
        flash.later("Contacts saved.")
        st.rerun()

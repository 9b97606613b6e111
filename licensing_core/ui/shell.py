"""The sidebar around every page: who is signed in, the tenant a super admin works on,
and sign-out."""

from __future__ import annotations

import streamlit as st

from licensing_core.auth.permissions import Principal
from licensing_core.ui import auth, context, data, flash, labels, phone, resources
from licensing_core.ui.text import plain

TENANT_PICKER_KEY = "sidebar_tenant"


def _pick_tenant(principal: Principal) -> None:
    """The picker's change: session and URL together, before the page runs again (its
    "Clear value" leaves no tenant chosen)."""
    chosen = st.session_state.get(TENANT_PICKER_KEY)
    if chosen:
        context.select_tenant(principal, chosen)
    else:
        context.forget_tenant()


def _tenant_picker(principal: Principal) -> None:
    """The one tenant chooser: it shows the tenant current_tenant resolved for this run."""
    current = context.current_tenant(principal)
    ids = data.tenant_ids(principal, resources.get_database().url)
    if not ids:
        st.caption("No tenant yet: create one.")
        return
    if current is not None and current not in ids:
        st.warning(f"There is no tenant {plain(current)}: choose one below.",
                   icon=":material/warning:")
        context.forget_tenant()
        current = None
    if current is not None:
        st.session_state[TENANT_PICKER_KEY] = current
    elif TENANT_PICKER_KEY in st.session_state:
        del st.session_state[TENANT_PICKER_KEY]
    st.selectbox("Tenant", ids, index=None, key=TENANT_PICKER_KEY,
                 placeholder="Choose a tenant", on_change=_pick_tenant, args=(principal,),
                 help="The tenant that the Selected tenant pages show and change.")


def around_page(principal: Principal) -> None:
    """The sidebar, and a message left by the previous run (e.g. "Contacts saved.")."""
    with st.sidebar:
        tenant = f" · {plain(principal.tenant_id)}" if principal.tenant_id else ""
        st.caption(f"Signed in as **{plain(principal.username)}** "
                   f"({labels.role(principal.role)}{tenant})")
        if principal.is_super_admin:
            _tenant_picker(principal)
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            auth.sign_out()
        auth.sync_cookie()
        phone.install()
    flash.show()

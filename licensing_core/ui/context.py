"""Who is asking and for which tenant: decided on the server at the top of every page.

A tenant admin's (or viewer's) tenant is always the one of the account; a `tenant`
query parameter naming another tenant is refused, never followed. A super admin
chooses a tenant on the Tenants page (kept per browser session) or by a deep link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import streamlit as st

from licensing_core.auth.permissions import (
    Principal,
    Role,
    require_contact_edit,
    require_super_admin,
    require_view,
)
from licensing_core.db.engine import Database
from licensing_core.errors import Forbidden, LicensingError
from licensing_core.ui import auth, resources
from licensing_core.ui.guard import show_failure

TENANT_PARAM = "tenant"
SELECTED_TENANT_KEY = "_licensing_selected_tenant"
TENANTS_PAGE = "pages/tenants.py"


@dataclass(frozen=True)
class TenantContext:
    """A page's reader and the tenant it shows, already checked."""

    principal: Principal
    db: Database
    tenant_id: str

    @property
    def may_edit_contacts(self) -> bool:
        return self.principal.can_edit_contacts(self.tenant_id)

    @property
    def is_super_admin(self) -> bool:
        return self.principal.is_super_admin

    def recheck(self) -> None:
        """Check again right before a read or a write (cheap; the principal is in memory)."""
        require_view(self.principal, self.tenant_id)


def _stop_with(exc: LicensingError) -> NoReturn:
    """Refuse the page here, on the server, before anything is read (also when a page
    runs without the entry's error boundary)."""
    show_failure(exc)
    st.stop()
    raise AssertionError("st.stop() returned")  # for type checkers: it raises


def signed_in() -> Principal:
    """The signed-in person; a page reached without one stops here."""
    principal = auth.current_principal()
    if principal is None:
        st.warning("Please sign in.")
        st.stop()
    assert principal is not None
    return principal


def operator() -> tuple[Principal, Database]:
    """A super admin page: refuse anyone else before anything is read."""
    principal = signed_in()
    try:
        require_super_admin(principal)
    except Forbidden as exc:
        _stop_with(exc)
    return principal, resources.get_database()


def contact_editor(ctx: TenantContext) -> None:
    require_contact_edit(ctx.principal, ctx.tenant_id)


def select_tenant(principal: Principal, tenant_id: str) -> None:
    """Remember the tenant a super admin opened (per browser session)."""
    require_super_admin(principal)
    st.session_state[SELECTED_TENANT_KEY] = tenant_id


def _keep_in_link(tenant_id: str) -> None:
    """A super admin's tenant also rides in the URL, so a reload or a shared link keeps it."""
    if st.query_params.get(TENANT_PARAM) != tenant_id:
        st.query_params[TENANT_PARAM] = tenant_id


def selected_tenant() -> str | None:
    return st.session_state.get(SELECTED_TENANT_KEY)


def _requested_tenant() -> str | None:
    value = st.query_params.get(TENANT_PARAM)
    return value.strip() if value and value.strip() else None


def tenant_page(*, roles: tuple[Role, ...] | None = None) -> TenantContext:
    """The tenant this page shows to this person, or stop with the reason."""
    principal = signed_in()
    try:
        return _tenant_context(principal, roles)
    except Forbidden as exc:
        _stop_with(exc)


def _tenant_context(principal: Principal, roles: tuple[Role, ...] | None) -> TenantContext:
    if roles is not None and principal.role not in roles:
        raise Forbidden("this page is not available to your role")
    requested = _requested_tenant()
    if principal.is_super_admin:
        if requested:
            select_tenant(principal, requested)
        tenant_id = selected_tenant()
        if not tenant_id:
            st.info("Choose a tenant first: open one from the Tenants overview.")
            st.page_link(TENANTS_PAGE, label="Tenants overview", icon=":material/domain:")
            st.stop()
        assert tenant_id is not None
        _keep_in_link(tenant_id)
    else:
        if requested and requested != principal.tenant_id:
            raise Forbidden("you may not see this tenant")
        tenant_id = principal.tenant_id
    if not tenant_id:
        raise Forbidden("your account belongs to no tenant")
    require_view(principal, tenant_id)
    return TenantContext(principal, resources.get_database(), tenant_id)


def operator_tenant() -> TenantContext:
    """A super admin form's tenant: the one chosen in the sidebar or on the Tenants page."""
    principal, db = operator()
    requested = _requested_tenant()
    if requested:
        select_tenant(principal, requested)
    tenant_id = selected_tenant()
    if not tenant_id:
        st.info("Choose a tenant first, in the sidebar or on the Tenants overview.")
        st.page_link(TENANTS_PAGE, label="Tenants overview", icon=":material/domain:")
        st.stop()
    assert tenant_id is not None
    _keep_in_link(tenant_id)
    return TenantContext(principal, db, tenant_id)

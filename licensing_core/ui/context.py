"""Who is asking and for which tenant: decided on the server at the top of every page.

A tenant admin's (or viewer's) tenant is always the one of the account; a `tenant`
query parameter naming another tenant is refused, never followed. A super admin
chooses a tenant in the sidebar's picker (or opens one from an overview, or by a deep
link); `current_tenant` is the one place that decides which, for the picker and the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import streamlit as st

from licensing_core.auth.permissions import (
    Principal,
    require_contact_edit,
    require_super_admin,
    require_view,
)
from licensing_core.db.engine import Database
from licensing_core.domain.kinds import Role
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
    """Open `tenant_id` for a super admin: kept for the browser session and written into
    the URL at once, so the sidebar's picker, the URL and the pages name the same tenant.

    Every way of choosing a tenant on a page (the sidebar's picker, a row of the Tenants or
    Risk overview, a tenant just created) goes through here; a link goes through
    current_tenant. Choosing another tenant drops the URL's other parameters (a term, a
    user, filters): they named things of the previous tenant.
    """
    require_super_admin(principal)
    if selected_tenant() != tenant_id:
        st.query_params.from_dict({TENANT_PARAM: tenant_id})
    st.session_state[SELECTED_TENANT_KEY] = tenant_id
    _keep_in_link(tenant_id)


def open_tenant(principal: Principal, tenant_id: str, page: str) -> NoReturn:
    """Select `tenant_id` and go to `page` with the tenant in its URL."""
    select_tenant(principal, tenant_id)
    st.switch_page(page, query_params={TENANT_PARAM: tenant_id})


def forget_tenant() -> None:
    """No tenant chosen (e.g. the URL named one that does not exist)."""
    st.session_state.pop(SELECTED_TENANT_KEY, None)
    if TENANT_PARAM in st.query_params:
        del st.query_params[TENANT_PARAM]


def _keep_in_link(tenant_id: str) -> None:
    """A super admin's tenant also rides in the URL, so a reload or a shared link keeps it."""
    if st.query_params.get(TENANT_PARAM) != tenant_id:
        st.query_params[TENANT_PARAM] = tenant_id


def selected_tenant() -> str | None:
    return st.session_state.get(SELECTED_TENANT_KEY)


def _requested_tenant() -> str | None:
    value = st.query_params.get(TENANT_PARAM)
    return value.strip() if value and value.strip() else None


def current_tenant(principal: Principal) -> str | None:
    """The one tenant this run shows to this person: the only place that reads the URL.

    A tenant's people always get their own tenant (a URL naming another is refused). For a
    super admin the URL wins when it names a tenant (a deep link, a reload, the back
    button), else the tenant kept for the browser session; the answer is written back to
    both, and the picker shows it. Idempotent: the entry and the pages may both ask.
    """
    requested = _requested_tenant()
    if not principal.is_super_admin:
        if requested and requested != principal.tenant_id:
            raise Forbidden("you may not see this tenant")
        return principal.tenant_id
    if requested:  # a link: its other parameters (a term, a user) are for this tenant
        st.session_state[SELECTED_TENANT_KEY] = requested
    chosen = selected_tenant()
    if chosen:
        _keep_in_link(chosen)
    return chosen


def _choose_first() -> NoReturn:
    st.info("Choose a tenant first, in the sidebar's Tenant list (or open one from the "
            "Tenants overview).")
    st.page_link(TENANTS_PAGE, label="Tenants overview", icon=":material/domain:")
    st.stop()
    raise AssertionError("st.stop() returned")  # for type checkers: it raises


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
    tenant_id = current_tenant(principal)
    if not tenant_id:
        if principal.is_super_admin:
            _choose_first()
        raise Forbidden("your account belongs to no tenant")
    require_view(principal, tenant_id)
    return TenantContext(principal, resources.get_database(), tenant_id)


def operator_tenant() -> TenantContext:
    """A super admin form's tenant: the one current_tenant resolved (the sidebar's)."""
    principal, db = operator()
    tenant_id = current_tenant(principal)
    if not tenant_id:
        _choose_first()
    return TenantContext(principal, db, tenant_id)

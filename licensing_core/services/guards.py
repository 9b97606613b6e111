"""Who may change what a tenant's own admins may change, checked inside the services."""

from __future__ import annotations

from licensing_core.auth.permissions import Principal
from licensing_core.errors import Forbidden


def require_tenant_admin(principal: Principal, tenant_id: str, action: str) -> None:
    """Super admins for any tenant, a tenant admin for its own (never a viewer): the
    people who may edit the contacts (auth.permissions), so also set the thresholds and
    ask for licenses."""
    if not principal.can_edit_contacts(tenant_id):
        raise Forbidden(f"you may not {action} of this tenant")

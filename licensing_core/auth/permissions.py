"""What a signed-in person may see and change: checked on the server for every read."""

from __future__ import annotations

from dataclasses import dataclass

from licensing_core.domain.kinds import Role
from licensing_core.errors import Forbidden, Refused


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise Refused(f"role must be one of {choices}, not {value!r}") from None


@dataclass(frozen=True)
class Principal:
    """The person behind a request, as the server knows it (never as the browser says)."""

    username: str
    role: Role
    tenant_id: str | None
    email: str

    @property
    def is_super_admin(self) -> bool:
        return self.role == Role.SUPER_ADMIN

    def can_view(self, tenant_id: str) -> bool:
        return self.is_super_admin or self.tenant_id == tenant_id

    def can_edit_contacts(self, tenant_id: str) -> bool:
        return self.is_super_admin or (
            self.role == Role.TENANT_ADMIN and self.tenant_id == tenant_id)


def require_view(principal: Principal, tenant_id: str) -> None:
    if not principal.can_view(tenant_id):
        raise Forbidden("you may not see this tenant")


def require_contact_edit(principal: Principal, tenant_id: str) -> None:
    if not principal.can_edit_contacts(tenant_id):
        raise Forbidden("you may not change this tenant's contacts")


def require_super_admin(principal: Principal) -> None:
    if not principal.is_super_admin:
        raise Forbidden("only a super admin may do this")

"""The fixed sets of words the product stores and shows: kinds, states and roles.

Each word is written here once. The models store them as the same plain text they always
were (db.models maps each column to its enum), every writer and reader names the member,
and a member formats as its word (`f"{LicenseType.USER}"` is "user"), so the CLI's output,
the exports and the emails read exactly as the stored text. `ui.labels` says each one in
words for the pages.
"""

from __future__ import annotations

from enum import StrEnum


class LicenseType(StrEnum):
    """How a term counts its licenses: per session, or per user holding one (in the order
    the forms offer them)."""

    SESSION = "session"
    USER = "user"


class TermState(StrEnum):
    """Where today is against a term's dates (computed, never stored)."""

    ACTIVE = "active"
    EXPIRED = "expired"
    NOT_STARTED = "not started"


class Role(StrEnum):
    """What an account of the dashboard may do."""

    SUPER_ADMIN = "super_admin"
    TENANT_ADMIN = "tenant_admin"
    TENANT_VIEWER = "tenant_viewer"


class UserStatus(StrEnum):
    """A platform user's status, as the users import sets it (spelled as in the file)."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"


class RequestStatus(StrEnum):
    """A license request: open until a super admin decides it, once."""

    OPEN = "open"
    APPROVED = "approved"
    DECLINED = "declined"


class AlertKind(StrEnum):
    """What an alert of the outbox is about."""

    THRESHOLD = "threshold"
    CONTRACT_END = "contract_end"
    # The forecast says the term runs out within 30 days, before its end.
    RUN_OUT = "run_out"
    # To the operator: a tenant admin asks for licenses.
    LICENSE_REQUEST = "license_request"
    # To the requester and the contacts: approved or not.
    REQUEST_DECISION = "request_decision"


class AlertStatus(StrEnum):
    """An alert's email: queued until the mail server accepted it."""

    QUEUED = "queued"
    SENT = "sent"


class WebhookStatus(StrEnum):
    """An alert's webhook: queued until a 2xx answer; not_configured when the run that met
    it had no webhook address."""

    QUEUED = "queued"
    SENT = "sent"
    NOT_CONFIGURED = "not_configured"


class Delivery(StrEnum):
    """How a page names an alert's email or webhook (computed from its status and
    attempts, never stored): a queued one that was tried is failing."""

    SENT = "sent"
    FAILING = "failing"
    QUEUED = "queued"
    NOT_CONFIGURED = "not configured"


class AuditAction(StrEnum):
    """What an entry of the audit log records."""

    TENANT_CREATE = "tenant.create"
    TERM_CREATE = "term.create"
    CONTACTS_UPDATE = "contacts.update"
    REFILL_CREATE = "refill.create"
    IMPORT_USERS = "import.users"
    IMPORT_CONVERSATIONS = "import.conversations"
    ACCOUNT_CREATE = "account.create"
    ACCOUNT_DISABLE = "account.disable"
    ACCOUNT_ENABLE = "account.enable"
    ACCOUNT_PASSWORD_RESET = "account.password_reset"
    THRESHOLDS_UPDATE = "thresholds.update"
    REQUEST_CREATE = "request.create"
    REQUEST_APPROVE = "request.approve"
    REQUEST_DECLINE = "request.decline"


__all__ = ["AlertKind", "AlertStatus", "AuditAction", "Delivery", "LicenseType",
           "RequestStatus", "Role", "TermState", "UserStatus", "WebhookStatus"]

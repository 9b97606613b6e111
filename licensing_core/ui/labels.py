"""What a person reads instead of a stored value: roles, license types, term states, risks,
alert kinds and deliveries, audit actions and the fields of an audit entry.

One mapping for every page that shows them, so `tenant_admin` reads "Tenant admin"
everywhere, keyed by the members of domain.kinds (each has its words here). A value not
listed (a risk added later, text stored by hand) is still shown readable: its
underscores and dots become spaces ("thresholds.set" reads "Thresholds set").
"""

from __future__ import annotations

from collections.abc import Mapping

from licensing_core.domain.kinds import (
    AlertKind,
    AuditAction,
    Delivery,
    LicenseType,
    RequestStatus,
    Role,
    TermState,
)

ROLES: Mapping[str, str] = {
    Role.SUPER_ADMIN: "Super admin", Role.TENANT_ADMIN: "Tenant admin",
    Role.TENANT_VIEWER: "Tenant viewer"}
LICENSE_TYPES: Mapping[str, str] = {
    LicenseType.USER: "User-based", LicenseType.SESSION: "Session-based"}
TERM_STATES: Mapping[str, str] = {
    TermState.ACTIVE: "Active", TermState.EXPIRED: "Expired",
    TermState.NOT_STARTED: "Not started"}
RISKS = {"used up": "Used up", "term ended": "Term ended", "runs out": "Runs out",
         "term ends": "Term ends"}
ALERT_KINDS: Mapping[str, str] = {
    AlertKind.THRESHOLD: "Threshold", AlertKind.CONTRACT_END: "Contract end",
    AlertKind.RUN_OUT: "Run-out warning", AlertKind.LICENSE_REQUEST: "License request",
    AlertKind.REQUEST_DECISION: "Request decision"}
REQUEST_STATUSES: Mapping[str, str] = {
    RequestStatus.OPEN: "Open", RequestStatus.APPROVED: "Approved",
    RequestStatus.DECLINED: "Declined"}
# An alert's delivery (services.outbox.delivery_state), in words.
DELIVERIES: Mapping[str, str] = {
    Delivery.SENT: "delivered", Delivery.FAILING: "failed, will retry",
    Delivery.QUEUED: "waiting to be sent", Delivery.NOT_CONFIGURED: "Not configured"}
AUDIT_ACTIONS: Mapping[str, str] = {
    AuditAction.TENANT_CREATE: "Tenant created", AuditAction.TERM_CREATE: "Term added",
    AuditAction.CONTACTS_UPDATE: "Contacts changed",
    AuditAction.REFILL_CREATE: "Refill recorded",
    AuditAction.IMPORT_USERS: "Users imported",
    AuditAction.IMPORT_CONVERSATIONS: "Conversations imported",
    AuditAction.ACCOUNT_CREATE: "Account created",
    AuditAction.ACCOUNT_DISABLE: "Account disabled",
    AuditAction.ACCOUNT_ENABLE: "Account enabled",
    AuditAction.ACCOUNT_PASSWORD_RESET: "Password reset",
    AuditAction.THRESHOLDS_UPDATE: "Alert thresholds changed",
    AuditAction.REQUEST_CREATE: "Licenses requested",
    AuditAction.REQUEST_APPROVE: "Request approved",
    AuditAction.REQUEST_DECLINE: "Request declined",
}
# The fields an audit entry records, in the order its change is read.
AUDIT_FIELDS = {
    "name": "Name", "timezone": "Timezone", "technical_emails": "Technical Email",
    "billing_emails": "Billing Email", "license_type": "License Type",
    "start_date": "Start Date", "end_date": "End Date", "licenses": "Licenses Bought",
    "session_minutes": "Session Duration", "thresholds": "Alert Thresholds",
    "request_id": "Request", "status": "Status", "total_purchased": "Total Purchase",
    "quantity": "Quantity", "refill_quantity": "Refill Quantity", "note": "Note",
    "reason": "Reason", "refill_id": "Refill ID", "term_id": "Term ID",
    "username": "Username", "role": "Role", "email": "Email", "disabled": "Disabled",
    "file": "File", "rows_read": "Rows Read", "stored": "Stored", "skipped": "Already Stored",
}


def readable(value: object) -> str:
    """A stored word that has no label yet, made readable: "password_reset" -> "Password reset"."""
    return sentence(" ".join(str(value).replace("_", " ").replace(".", " ").split()))


def sentence(text: str) -> str:
    """A phrase written for the middle of a sentence, as a table cell: "used up" -> "Used up"."""
    return text[:1].upper() + text[1:]


def label(mapping: Mapping[str, str], value: object) -> str:
    """The words of a stored value (a member or its text: the maps are keyed by members,
    which are equal to their text)."""
    if value is None:
        return ""
    return mapping.get(str(value)) or readable(value)


def role(value: object) -> str:
    return label(ROLES, value)


def license_type(value: object) -> str:
    return label(LICENSE_TYPES, value)


def term_state(value: object) -> str:
    return label(TERM_STATES, value)


def risk(value: object) -> str:
    return label(RISKS, value)


def alert_kind(value: object) -> str:
    return label(ALERT_KINDS, value)


def delivery(value: object) -> str:
    return label(DELIVERIES, value)


def request_status(value: object) -> str:
    return label(REQUEST_STATUSES, value)


def audit_action(value: object) -> str:
    return label(AUDIT_ACTIONS, value)


def audit_field(name: str) -> str:
    return label(AUDIT_FIELDS, name)

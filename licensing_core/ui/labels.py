"""What a person reads instead of a stored value: roles, license types, term states, risks,
alert kinds and deliveries, audit actions and the fields of an audit entry.

One mapping for every page that shows them, so `tenant_admin` reads "Tenant admin"
everywhere. A value not listed here (one added later) is still shown readable: its
underscores and dots become spaces ("thresholds.set" reads "Thresholds set").
"""

from __future__ import annotations

from collections.abc import Mapping

from licensing_core.domain.requests import RequestStatus
from licensing_core.notify.messages import (
    CONTRACT_END_KIND,
    DECISION_KIND,
    REQUEST_KIND,
    RUN_OUT_KIND,
    THRESHOLD_KIND,
)
from licensing_core.services.outbox import FAILING, QUEUED, SENT

ROLES = {"super_admin": "Super admin", "tenant_admin": "Tenant admin",
         "tenant_viewer": "Tenant viewer"}
LICENSE_TYPES = {"user": "User-based", "session": "Session-based"}
TERM_STATES = {"active": "Active", "expired": "Expired", "not started": "Not started"}
RISKS = {"used up": "Used up", "term ended": "Term ended", "runs out": "Runs out",
         "term ends": "Term ends"}
ALERT_KINDS = {THRESHOLD_KIND: "Threshold", CONTRACT_END_KIND: "Contract end",
               RUN_OUT_KIND: "Run-out warning", REQUEST_KIND: "License request",
               DECISION_KIND: "Request decision"}
REQUEST_STATUSES = {RequestStatus.OPEN.value: "Open", RequestStatus.APPROVED.value: "Approved",
                    RequestStatus.DECLINED.value: "Declined"}
# An alert's delivery (services.outbox.delivery_state), in words.
DELIVERIES = {SENT: "delivered", FAILING: "failed, will retry", QUEUED: "waiting to be sent"}
AUDIT_ACTIONS = {
    "tenant.create": "Tenant created", "term.create": "Term added",
    "contacts.update": "Contacts changed", "refill.create": "Refill recorded",
    "import.users": "Users imported", "import.conversations": "Conversations imported",
    "account.create": "Account created", "account.disable": "Account disabled",
    "account.enable": "Account enabled", "account.password_reset": "Password reset",
    "thresholds.update": "Alert thresholds changed", "request.create": "Licenses requested",
    "request.approve": "Request approved", "request.decline": "Request declined",
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

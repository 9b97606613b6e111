"""License requests: a tenant admin asks for licenses, a super admin decides once.

Approving records the refill in the same transaction, through the refill rule
(services.refills.refill_in: the new total checked, the term's alerts queued or re-armed,
audited). Every request and decision queues an email in the outbox, in its transaction.
Deciding is a conditional UPDATE of an open request, so two deciders at once (on either
database) get one decision and one refusal, never two refills.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from licensing_core.auth.permissions import Principal, require_super_admin
from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Alert, LicenseRequest, Tenant, Term
from licensing_core.db.tenancy import current_term, get_tenant, request_view, term_totals
from licensing_core.domain.kinds import AlertKind, AlertStatus, AuditAction, RequestStatus
from licensing_core.domain.requests import (
    MAX_NAME_LENGTH,
    RequestView,
    check_open,
    clean_text,
    parse_request_quantity,
    refill_note,
    term_has_ended,
)
from licensing_core.domain.terms import Totals
from licensing_core.errors import NotFound, Refused
from licensing_core.services import audit
from licensing_core.services.guards import require_tenant_admin
from licensing_core.services.refills import (
    RefillPreview,
    RefillResult,
    preview_refill,
    refill_in,
)


@dataclass(frozen=True)
class Decision:
    request: RequestView
    refill: RefillResult | None  # the approval's refill; None for a decline
    alert_id: int  # the decision's email in the outbox


@dataclass(frozen=True)
class ApprovalPreview:
    """What approving would do: the same preview as recording the refill by hand."""

    request: RequestView
    quantity: int  # the refill's: the request's, or the edited quantity
    refill: RefillPreview


def _name(principal: Principal) -> str:
    return clean_text(principal.username, "the name of who acts", required=True,
                      limit=MAX_NAME_LENGTH)


def request_subject(tenant: Tenant, quantity: int, license_type: str) -> str:
    return f"{tenant.name} asks for {quantity} more {license_type} licenses"


def decision_subject(tenant: Tenant, request: LicenseRequest, license_type: str) -> str:
    return (f"{tenant.name}'s request for {request.quantity} {license_type} licenses "
            f"was {request.status}")


def _queue(session: Session, *, tenant: Tenant, term: Term, request: LicenseRequest,
           kind: AlertKind, subject: str, totals: Totals, now: datetime) -> Alert:
    """The request's or decision's email, with the term's numbers at this moment;
    recipients are resolved at delivery (services.outbox.recipients_now)."""
    alert = Alert(
        tenant_id=tenant.id, term_id=term.id, kind=kind, request_id=request.id,
        dedupe_key=f"{kind}:{request.id}", threshold=None,
        percent_used=round(totals.percent_used, 2), consumed=totals.consumed,
        total_purchased=totals.total_purchased, recipients=[], subject=subject,
        status=AlertStatus.QUEUED, attempts=0, next_attempt_at=now, created_at=now,
    )
    session.add(alert)
    session.flush()
    return alert


def create_request(db: Database, *, principal: Principal, tenant_id: str,
                   quantity: int | str, note: str = "",
                   now: datetime | None = None) -> RequestView:
    """A tenant admin (or a super admin) asks for `quantity` more licenses; the operator
    is mailed. A tenant viewer may not ask."""
    require_tenant_admin(principal, tenant_id, "ask for licenses")
    amount = parse_request_quantity(quantity)
    text = clean_text(note, "the note")
    by = _name(principal)
    now = now or utcnow()
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id, lock=True)
        term = current_term(session, tenant, now)
        request = LicenseRequest(tenant_id=tenant.id, quantity=amount, note=text,
                                 status=RequestStatus.OPEN, requested_by=by,
                                 requested_at=now)
        session.add(request)
        session.flush()
        _queue(session, tenant=tenant, term=term, request=request, kind=AlertKind.LICENSE_REQUEST,
               subject=request_subject(tenant, amount, term.license_type),
               totals=term_totals(session, term), now=now)
        audit.record(session, actor=by, action=AuditAction.REQUEST_CREATE, tenant_id=tenant.id,
                     now=now, after={"request_id": request.id, "quantity": amount,
                                     "note": text})
        return request_view(request, tenant)


def _load(session: Session, request_id: int) -> tuple[LicenseRequest, Tenant]:
    request = session.get(LicenseRequest, request_id)
    if request is None:
        raise NotFound(f"no license request #{request_id}")
    tenant = session.get(Tenant, request.tenant_id)
    assert tenant is not None  # a foreign key
    return request, tenant


def _term_in_force(session: Session, tenant: Tenant, now: datetime) -> Term:
    """The current term, which an approval refills; refused once it has ended."""
    term = current_term(session, tenant, now)
    if term_has_ended(term.end_date, local_today(now, tenant.timezone)):
        raise Refused(f"the current term of {tenant.id} ended on {term.end_date}: record a "
                      "new term first, then approve the request")
    return term


def _decide(session: Session, request_id: int, status: RequestStatus, by: str,
            now: datetime) -> tuple[LicenseRequest, Tenant]:
    """Mark an open request decided, or refuse: the UPDATE's condition is the guard."""
    claimed = session.execute(
        update(LicenseRequest)
        .where(LicenseRequest.id == request_id,
               LicenseRequest.status == RequestStatus.OPEN)
        .values(status=status, decided_by=by, decided_at=now)
        .execution_options(synchronize_session=False))
    request, tenant = _load(session, request_id)
    session.refresh(request)
    if getattr(claimed, "rowcount", 0) != 1:
        check_open(request_view(request, tenant))  # decided already: refused with by whom
        raise Refused(f"request #{request_id} could not be decided")
    return request, tenant


def preview_approval(db: Database, *, principal: Principal, request_id: int,
                     quantity: int | str | None = None,
                     now: datetime | None = None) -> ApprovalPreview:
    """The approve screen's preview: refused for the same reasons as the approval."""
    require_super_admin(principal)
    now = now or utcnow()
    with db.transaction() as session:
        request, tenant = _load(session, request_id)
        view = request_view(request, tenant)
        check_open(view)
        _term_in_force(session, tenant, now)
    granted = parse_request_quantity(quantity) if quantity is not None else view.quantity
    return ApprovalPreview(view, granted, preview_refill(db, tenant_id=view.tenant_id,
                                                         quantity=granted, now=now))


def approve_request(db: Database, *, principal: Principal, request_id: int,
                    quantity: int | str | None = None, note: str = "",
                    now: datetime | None = None) -> Decision:
    """Record the refill (the request's quantity, or `quantity`) in the tenant's current
    term, in this transaction, and mail the requester and the contacts."""
    require_super_admin(principal)
    granted = parse_request_quantity(quantity) if quantity is not None else None
    text = clean_text(note, "the note")
    by = _name(principal)
    now = now or utcnow()
    with db.transaction() as session:
        request, tenant = _decide(session, request_id, RequestStatus.APPROVED, by, now)
        tenant = get_tenant(session, tenant.id, lock=True)
        term = _term_in_force(session, tenant, now)
        amount = granted if granted is not None else request.quantity
        refill = refill_in(session, tenant, term, quantity=amount, recorded_by=by,
                           note=refill_note(request.id, text), now=now)
        request.refill_quantity, request.refill_id = amount, refill.refill_id
        request.reason = text or None
        alert = _queue(session, tenant=tenant, term=term, request=request,
                       kind=AlertKind.REQUEST_DECISION,
                       subject=decision_subject(tenant, request, term.license_type),
                       totals=refill.totals, now=now)
        audit.record(session, actor=by, action=AuditAction.REQUEST_APPROVE, tenant_id=tenant.id,
                     now=now, before={"request_id": request.id, "status": RequestStatus.OPEN},
                     after={"request_id": request.id, "status": request.status,
                            "refill_quantity": amount, "refill_id": refill.refill_id,
                            "note": text})
        return Decision(request_view(request, tenant), refill, alert.id)


def decline_request(db: Database, *, principal: Principal, request_id: int, reason: str,
                    now: datetime | None = None) -> Decision:
    """Decline with a reason, which the requester and the contacts are mailed."""
    require_super_admin(principal)
    text = clean_text(reason, "a reason for declining", required=True)
    by = _name(principal)
    now = now or utcnow()
    with db.transaction() as session:
        request, tenant = _decide(session, request_id, RequestStatus.DECLINED, by, now)
        request.reason = text
        term = current_term(session, tenant, now)
        alert = _queue(session, tenant=tenant, term=term, request=request,
                       kind=AlertKind.REQUEST_DECISION,
                       subject=decision_subject(tenant, request, term.license_type),
                       totals=term_totals(session, term), now=now)
        audit.record(session, actor=by, action=AuditAction.REQUEST_DECLINE, tenant_id=tenant.id,
                     now=now, before={"request_id": request.id, "status": RequestStatus.OPEN},
                     after={"request_id": request.id, "status": request.status,
                            "reason": text})
        return Decision(request_view(request, tenant), None, alert.id)


def open_request_count(db: Database, *, principal: Principal) -> int:
    """Open requests of every tenant: the number a super admin's menu can show."""
    require_super_admin(principal)
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(LicenseRequest).where(
            LicenseRequest.status == RequestStatus.OPEN)) or 0)


__all__ = ["ApprovalPreview", "Decision", "approve_request", "create_request",
           "decline_request", "open_request_count", "preview_approval"]

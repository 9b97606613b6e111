"""Refills: signed changes of a term's purchased licenses, recorded by a super admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Refill, Tenant, Term
from licensing_core.db.tenancy import get_tenant, term_on, term_totals
from licensing_core.domain.kinds import AuditAction
from licensing_core.domain.terms import Totals, total_after_refill
from licensing_core.domain.thresholds import (
    evaluate_thresholds,
    rearmed_thresholds,
    thresholds_of,
)
from licensing_core.errors import Refused
from licensing_core.services import audit
from licensing_core.services.alerting import evaluate_term


@dataclass(frozen=True)
class RefillPreview:
    """What a refill would do, shown before a super admin saves it."""

    term_id: int
    before: Totals
    after: Totals
    alert_threshold: int | None  # the alert it would queue
    rearmed: tuple[int, ...]  # thresholds it would make notifiable again


@dataclass(frozen=True)
class RefillResult:
    refill_id: int
    term_id: int
    total_after: int
    totals: Totals
    alerts_queued: list[int]


def preview_refill(db: Database, *, tenant_id: str, quantity: int, term_date: date | None = None,
                   now: datetime | None = None) -> RefillPreview:
    now = now or utcnow()
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id)
        term = term_on(session, tenant, term_date, now)
        before = term_totals(session, term)
        after = Totals(total_after_refill(before.total_purchased, quantity), before.consumed)
        thresholds = thresholds_of(tenant.alert_thresholds)
        decision = evaluate_thresholds(after.consumed, after.total_purchased, thresholds,
                                       term.notified_threshold)
        return RefillPreview(term.id, before, after, decision.alert_threshold,
                             rearmed_thresholds(thresholds, term.notified_threshold, decision))


def record_refill(db: Database, *, tenant_id: str, quantity: int, recorded_by: str,
                  note: str = "", term_date: date | None = None,
                  now: datetime | None = None) -> RefillResult:
    """Record a refill in the current term (or the term containing `term_date`)."""
    now = now or utcnow()
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id, lock=True)
        term = term_on(session, tenant, term_date, now)
        return refill_in(session, tenant, term, quantity=quantity, recorded_by=recorded_by,
                         note=note, now=now)


def refill_in(session: Session, tenant: Tenant, term: Term, *, quantity: int,
              recorded_by: str, note: str, now: datetime) -> RefillResult:
    """The refill rule, inside the caller's transaction (the tenant row locked): a new
    total that stays recordable, the term's alerts evaluated (queued or re-armed), audited.
    A license request's approval records its refill through this too."""
    if not recorded_by.strip():
        raise Refused("a refill needs the name of who records it")
    before = term_totals(session, term)
    new_total = total_after_refill(before.total_purchased, quantity)
    refill = Refill(tenant_id=tenant.id, term_id=term.id, quantity=quantity,
                    total_after=new_total, note=note.strip(),
                    recorded_by=recorded_by.strip(), recorded_at=now)
    session.add(refill)
    session.flush()
    alert = evaluate_term(session, tenant, term, now)
    audit.record(session, actor=recorded_by.strip(), action=AuditAction.REFILL_CREATE,
                 tenant_id=tenant.id, now=now,
                 before={"total_purchased": before.total_purchased},
                 after={"total_purchased": new_total, "quantity": quantity,
                        "note": refill.note, "term_id": term.id})
    totals = Totals(new_total, before.consumed)
    return RefillResult(refill.id, term.id, new_total, totals, [alert.id] if alert else [])


__all__ = ["RefillPreview", "RefillResult", "preview_refill", "record_refill", "refill_in"]

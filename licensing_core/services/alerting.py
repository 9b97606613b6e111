"""Queueing threshold alerts into the outbox, in the transaction of the change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from licensing_core.db.models import Account, Alert, Tenant, Term
from licensing_core.db.tenancy import refills_by_term, tenant_terms, term_totals
from licensing_core.domain.emails import alert_recipients
from licensing_core.domain.kinds import AlertKind, AlertStatus, Role
from licensing_core.domain.terms import Totals, totals_of
from licensing_core.domain.thresholds import evaluate_thresholds, thresholds_of


def recipients_of(session: Session, tenant: Tenant) -> list[str]:
    """Technical and billing emails and the tenant's enabled admin accounts."""
    admins = session.scalars(select(Account.email).where(
        Account.tenant_id == tenant.id, Account.role == Role.TENANT_ADMIN,
        Account.disabled.is_(False)).order_by(Account.username))
    return alert_recipients(tenant.technical_emails, tenant.billing_emails, admins)


def threshold_subject(tenant: Tenant, threshold: int, license_type: str) -> str:
    return f"{tenant.name} has used {threshold}% of its {license_type} licenses"


def evaluate_term(session: Session, tenant: Tenant, term: Term, now: datetime) -> Alert | None:
    """Queue one alert for the highest newly reached threshold of the term, or re-arm."""
    return _decide(session, tenant, term, term_totals(session, term), now)


def evaluate_tenant(session: Session, tenant: Tenant, now: datetime,
                    terms: Sequence[Term] | None = None) -> list[Alert]:
    """Evaluate every term of the tenant (or the given ones); returns the alerts queued."""
    chosen = terms if terms is not None else tenant_terms(session, tenant.id)
    return _evaluate(session, {tenant.id: tenant}, chosen, refills_by_term(session, tenant.id),
                     now)


def evaluate_all_tenants(session: Session, now: datetime) -> list[Alert]:
    """Evaluate every term of every tenant in three queries (and one per alert queued)."""
    tenants = {t.id: t for t in session.scalars(select(Tenant))}
    terms = session.scalars(select(Term).order_by(Term.tenant_id, Term.start_date)).all()
    return _evaluate(session, tenants, terms, refills_by_term(session), now)


def _evaluate(session: Session, tenants: dict[str, Tenant], terms: Sequence[Term],
              refilled: dict[int, int], now: datetime) -> list[Alert]:
    queued = []
    for term in terms:
        totals = totals_of(term, refilled.get(term.id, 0))
        alert = _decide(session, tenants[term.tenant_id], term, totals, now)
        if alert is not None:
            queued.append(alert)
    return queued


def _decide(session: Session, tenant: Tenant, term: Term, totals: Totals,
            now: datetime) -> Alert | None:
    decision = evaluate_thresholds(totals.consumed, totals.total_purchased,
                                   thresholds_of(tenant.alert_thresholds), term.notified_threshold)
    term.notified_threshold = decision.notified_up_to
    if decision.alert_threshold is None:
        return None
    alert = Alert(
        tenant_id=tenant.id, term_id=term.id, kind=AlertKind.THRESHOLD,
        threshold=decision.alert_threshold, percent_used=round(totals.percent_used, 2),
        consumed=totals.consumed, total_purchased=totals.total_purchased,
        recipients=[],  # resolved when it is delivered: services.outbox.recipients_now
        subject=threshold_subject(tenant, decision.alert_threshold, term.license_type),
        status=AlertStatus.QUEUED, attempts=0, next_attempt_at=now, created_at=now,
    )
    session.add(alert)
    session.flush()
    return alert

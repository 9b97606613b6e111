"""Loading a tenant and its terms, and the numbers of a term, inside a transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from licensing_core.clock import local_today
from licensing_core.db.models import Refill, Tenant, Term, UsageSession, UserLicense
from licensing_core.domain.calendar import DEFAULT_SESSION_MINUTES, TermCalendar, TermSpan
from licensing_core.domain.terms import LicenseType, Totals, pick_current_term, term_containing
from licensing_core.errors import NotFound, Refused


def get_tenant(session: Session, tenant_id: str, *, lock: bool = False) -> Tenant:
    statement = select(Tenant).where(Tenant.id == tenant_id)
    if lock:
        statement = statement.with_for_update()
    tenant = session.scalars(statement).first()
    if tenant is None:
        raise NotFound(f"no tenant {tenant_id!r}")
    return tenant


def tenant_terms(session: Session, tenant_id: str) -> list[Term]:
    return list(session.scalars(
        select(Term).where(Term.tenant_id == tenant_id).order_by(Term.start_date)
    ))


def current_term(session: Session, tenant: Tenant, now: datetime) -> Term:
    term = pick_current_term(tenant_terms(session, tenant.id), local_today(now, tenant.timezone))
    if term is None:
        raise NotFound(f"tenant {tenant.id!r} has no term")
    return term


def term_on(session: Session, tenant: Tenant, day: date | None, now: datetime) -> Term:
    """The term containing `day`, or the current term when no day is given."""
    if day is None:
        return current_term(session, tenant, now)
    term = term_containing(tenant_terms(session, tenant.id), day)
    if term is None:
        raise NotFound(f"tenant {tenant.id!r} has no term containing {day}")
    return term


def calendar_of(tenant: Tenant, terms: Sequence[Term]) -> TermCalendar:
    spans = [TermSpan(t.id, LicenseType(t.license_type), t.start_date, t.end_date,
                      t.session_minutes) for t in terms]
    return TermCalendar(spans, ZoneInfo(tenant.timezone))


def total_purchased(session: Session, term: Term) -> int:
    refilled = session.scalar(
        select(func.coalesce(func.sum(Refill.quantity), 0)).where(Refill.term_id == term.id)
    )
    return term.initial_licenses + int(refilled or 0)


def consumed(session: Session, term: Term) -> int:
    """Sessions started in a session-based term; users holding a license in a user-based one."""
    if term.license_type == LicenseType.SESSION:
        counted = select(func.count()).select_from(UsageSession).where(
            UsageSession.term_id == term.id)
    else:
        counted = select(func.count()).select_from(UserLicense).where(
            UserLicense.term_id == term.id)
    return int(session.scalar(counted) or 0)


def term_totals(session: Session, term: Term) -> Totals:
    return Totals(total_purchased=total_purchased(session, term), consumed=consumed(session, term))


def session_minutes_for(license_type: LicenseType, minutes: int | None,
                        fallback: int | None = None) -> int | None:
    """Session length of a term: given, else the fallback, else the default; user terms none."""
    if license_type == LicenseType.USER:
        return None
    chosen = minutes if minutes is not None else (fallback or DEFAULT_SESSION_MINUTES)
    if chosen <= 0:
        raise Refused(f"session minutes must be a positive number, not {chosen}")
    return chosen

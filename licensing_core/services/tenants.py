"""Tenants, their contacts and their terms: the super admin's and tenant admin's changes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Conversation, PlatformUser, Tenant, Term
from licensing_core.db.tenancy import get_tenant, tenant_terms
from licensing_core.domain.calendar import session_minutes_for
from licensing_core.domain.emails import validated_emails
from licensing_core.domain.kinds import AuditAction, LicenseType, TermState, UserStatus
from licensing_core.domain.limits import MAX_LICENSES
from licensing_core.domain.terms import (
    HasDates,
    check_term_dates,
    parse_license_type,
    parse_timezone,
    pick_current_term,
    term_bounds_utc,
    term_state,
)
from licensing_core.errors import Refused
from licensing_core.services import audit
from licensing_core.services.alerting import evaluate_tenant
from licensing_core.services.usage import recompute_usage

# Short ids appear in URLs, file names and commands: keep them plain.
TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class TermChange:
    term_id: int
    sessions_recomputed: int
    alerts_queued: list[int]


def _check_licenses(licenses: int) -> None:
    if not 0 <= licenses <= MAX_LICENSES:
        raise Refused(f"licenses bought must be 0 to {MAX_LICENSES}, not {licenses}")


def _term_snapshot(term: Term) -> dict[str, object]:
    return {"term_id": term.id, "license_type": term.license_type,
            "start_date": term.start_date.isoformat(), "end_date": term.end_date.isoformat(),
            "licenses": term.initial_licenses, "session_minutes": term.session_minutes}


def _add_term(  # noqa: PLR0913 - keyword-only: one per field of a term
        session: Session, tenant: Tenant, *, license_type: LicenseType, start: date,
        end: date, licenses: int, session_minutes: int | None, actor: str,
        now: datetime) -> TermChange:
    """Add a term, count the usage already stored in its dates, and evaluate its alerts."""
    _check_licenses(licenses)
    check_term_dates(start, end, tenant_terms(session, tenant.id))
    term = Term(tenant_id=tenant.id, license_type=license_type, start_date=start,
                end_date=end, initial_licenses=licenses, session_minutes=session_minutes,
                created_at=now, created_by=actor)
    session.add(term)
    session.flush()
    # Sessions that closed before the term starts keep their length and term: rebuild
    # only from its first instant on (user licenses are recounted for every user).
    term_start, _ = term_bounds_utc(start, end, ZoneInfo(tenant.timezone))
    sessions = recompute_usage(session, tenant, None, since=term_start)
    alerts = evaluate_tenant(session, tenant, now, [term])
    audit.record(session, actor=actor, action=AuditAction.TERM_CREATE, tenant_id=tenant.id, now=now,
                 after=_term_snapshot(term))
    return TermChange(term.id, sessions, [a.id for a in alerts])


def create_tenant(  # noqa: PLR0913 - keyword-only: one per field of a tenant and its term
    db: Database, *, tenant_id: str, name: str, license_type: str, licenses: int,
    start: date, end: date, session_minutes: int | None = None, timezone: str = "UTC",
    technical_emails: Sequence[str] = (), billing_emails: Sequence[str] = (),
    actor: str, now: datetime | None = None,
) -> TermChange:
    now = now or utcnow()
    if not TENANT_ID.match(tenant_id):
        raise Refused(f"tenant id {tenant_id!r} must be 1-64 lower-case letters, digits, - or _,"
                      " starting with a letter or digit")
    if not name.strip():
        raise Refused("a tenant needs a display name")
    kind = parse_license_type(license_type)
    parse_timezone(timezone)
    technical = validated_emails(technical_emails, "technical email")
    billing = validated_emails(billing_emails, "billing email")
    minutes = session_minutes_for(kind, session_minutes)
    with db.transaction() as session:
        if session.get(Tenant, tenant_id) is not None:
            raise Refused(f"tenant {tenant_id!r} already exists")
        tenant = Tenant(id=tenant_id, name=name.strip(), timezone=timezone,
                        technical_emails=technical, billing_emails=billing, created_at=now)
        session.add(tenant)
        session.flush()
        audit.record(session, actor=actor, action=AuditAction.TENANT_CREATE, tenant_id=tenant_id,
                     now=now, after={"name": tenant.name, "timezone": timezone,
                            "technical_emails": technical, "billing_emails": billing})
        return _add_term(session, tenant, license_type=kind, start=start, end=end,
                         licenses=licenses, session_minutes=minutes, actor=actor, now=now)


def _next_term_kind(session: Session, tenant_id: str, license_type: str | None,
                    session_minutes: int | None) -> tuple[LicenseType, int | None]:
    """A new term's type and session length: given, else the latest term's."""
    latest = tenant_terms(session, tenant_id)[-1]
    kind = parse_license_type(license_type) if license_type else latest.license_type
    return kind, session_minutes_for(kind, session_minutes, latest.session_minutes)


def renew(  # noqa: PLR0913 - keyword-only: one per field of a term
    db: Database, *, tenant_id: str, start: date, end: date, licenses: int,
    license_type: str | None = None, session_minutes: int | None = None, actor: str,
    now: datetime | None = None,
) -> TermChange:
    """Start a new term; type and session length default to the latest term's."""
    now = now or utcnow()
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id, lock=True)
        kind, minutes = _next_term_kind(session, tenant_id, license_type, session_minutes)
        return _add_term(session, tenant, license_type=kind, start=start, end=end,
                         licenses=licenses, session_minutes=minutes, actor=actor, now=now)


@dataclass(frozen=True)
class _Dates:
    start_date: date
    end_date: date


@dataclass(frozen=True)
class TermPreview:
    """What `renew` would record and change, shown before a super admin confirms it."""

    tenant_id: str
    tenant_name: str
    license_type: LicenseType
    start: date
    end: date
    licenses: int
    session_minutes: int | None
    today: date  # the tenant's
    current_start: date | None  # the current term today (None: the tenant has none)
    current_end: date | None
    current_state: TermState | None
    becomes_current: date | None  # from when the new term is the current one; None: never
    conversations: int  # conversations already stored in its dates: they count in it
    conversation_users: int  # their distinct users
    active_users: int  # users Active today (a user-based term licenses them from day one)


def preview_term(
    db: Database, *, tenant_id: str, start: date, end: date, licenses: int,
    license_type: str | None = None, session_minutes: int | None = None,
    now: datetime | None = None,
) -> TermPreview:
    """The term `renew` would add with these arguments, refused for the same reasons, and
    what it changes: the current term keeps its dates and numbers (terms never overlap);
    the new term becomes the current one on its first day (at once if that is past), and
    the usage already stored in its dates counts in it. Reads only."""
    now = now or utcnow()
    _check_licenses(licenses)
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id)
        kind, minutes = _next_term_kind(session, tenant_id, license_type, session_minutes)
        terms = tenant_terms(session, tenant_id)
        check_term_dates(start, end, terms)
        today = local_today(now, tenant.timezone)
        current = pick_current_term(terms, today)
        new = _Dates(start, end)
        spans: list[HasDates] = [*terms, new]
        if pick_current_term(spans, today) is new:
            becomes: date | None = today
        else:
            becomes = start if start > today else None
        first, after_last = term_bounds_utc(start, end, ZoneInfo(tenant.timezone))
        stored = session.execute(
            select(func.count(), func.count(func.distinct(Conversation.user_id)))
            .where(Conversation.tenant_id == tenant_id, Conversation.started_at >= first,
                   Conversation.started_at < after_last)).one()
        active = session.scalar(select(func.count()).select_from(PlatformUser).where(
            PlatformUser.tenant_id == tenant_id, PlatformUser.status == UserStatus.ACTIVE))
        return TermPreview(
            tenant_id=tenant.id, tenant_name=tenant.name, license_type=kind, start=start,
            end=end, licenses=licenses, session_minutes=minutes, today=today,
            current_start=current.start_date if current else None,
            current_end=current.end_date if current else None,
            current_state=(term_state(current.start_date, current.end_date, today)
                           if current else None),
            becomes_current=becomes, conversations=int(stored[0]),
            conversation_users=int(stored[1]), active_users=int(active or 0))


def set_contacts(
    db: Database, *, tenant_id: str, technical_emails: Sequence[str] | None = None,
    billing_emails: Sequence[str] | None = None, actor: str, now: datetime | None = None,
) -> Tenant:
    """Replace the lists given; one invalid address refuses the whole change."""
    now = now or utcnow()
    technical = (validated_emails(technical_emails, "technical email")
                 if technical_emails is not None else None)
    billing = (validated_emails(billing_emails, "billing email")
               if billing_emails is not None else None)
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id, lock=True)
        before = {"technical_emails": list(tenant.technical_emails),
                  "billing_emails": list(tenant.billing_emails)}
        if technical is not None:
            tenant.technical_emails = technical
        if billing is not None:
            tenant.billing_emails = billing
        after = {"technical_emails": list(tenant.technical_emails),
                 "billing_emails": list(tenant.billing_emails)}
        if after != before:
            audit.record(session, actor=actor, action=AuditAction.CONTACTS_UPDATE,
                         tenant_id=tenant_id, now=now, before=before, after=after)
        return tenant


def list_tenant_ids(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(Tenant.id).order_by(Tenant.id)))


__all__ = ["TermChange", "TermPreview", "create_tenant", "list_tenant_ids", "preview_term",
           "renew", "set_contacts"]

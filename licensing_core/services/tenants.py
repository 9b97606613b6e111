"""Tenants, their contacts and their terms: the super admin's and tenant admin's changes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Tenant, Term
from licensing_core.domain.emails import validated_emails
from licensing_core.domain.limits import MAX_LICENSES
from licensing_core.domain.terms import (
    LicenseType,
    check_term_dates,
    parse_license_type,
    parse_timezone,
    term_bounds_utc,
)
from licensing_core.errors import Refused
from licensing_core.services import audit
from licensing_core.services.alerting import evaluate_tenant
from licensing_core.services.tenancy import get_tenant, session_minutes_for, tenant_terms
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


def _add_term(session: Session, tenant: Tenant, *, license_type: LicenseType, start: date,
              end: date, licenses: int, session_minutes: int | None, actor: str,
              now: datetime) -> TermChange:
    """Add a term, count the usage already stored in its dates, and evaluate its alerts."""
    _check_licenses(licenses)
    check_term_dates(start, end, tenant_terms(session, tenant.id))
    term = Term(tenant_id=tenant.id, license_type=license_type.value, start_date=start,
                end_date=end, initial_licenses=licenses, session_minutes=session_minutes,
                created_at=now, created_by=actor)
    session.add(term)
    session.flush()
    # Sessions that closed before the term starts keep their length and term: rebuild
    # only from its first instant on (user licenses are recounted for every user).
    term_start, _ = term_bounds_utc(start, end, ZoneInfo(tenant.timezone))
    sessions = recompute_usage(session, tenant, None, since=term_start)
    alerts = evaluate_tenant(session, tenant, now, [term])
    audit.record(session, actor=actor, action="term.create", tenant_id=tenant.id, now=now,
                 after=_term_snapshot(term))
    return TermChange(term.id, sessions, [a.id for a in alerts])


def create_tenant(
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
        audit.record(session, actor=actor, action="tenant.create", tenant_id=tenant_id, now=now,
                     after={"name": tenant.name, "timezone": timezone,
                            "technical_emails": technical, "billing_emails": billing})
        return _add_term(session, tenant, license_type=kind, start=start, end=end,
                         licenses=licenses, session_minutes=minutes, actor=actor, now=now)


def renew(
    db: Database, *, tenant_id: str, start: date, end: date, licenses: int,
    license_type: str | None = None, session_minutes: int | None = None, actor: str,
    now: datetime | None = None,
) -> TermChange:
    """Start a new term; type and session length default to the latest term's."""
    now = now or utcnow()
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id, lock=True)
        latest = tenant_terms(session, tenant_id)[-1]
        kind = parse_license_type(license_type) if license_type else LicenseType(
            latest.license_type)
        minutes = session_minutes_for(kind, session_minutes, latest.session_minutes)
        return _add_term(session, tenant, license_type=kind, start=start, end=end,
                         licenses=licenses, session_minutes=minutes, actor=actor, now=now)


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
            audit.record(session, actor=actor, action="contacts.update", tenant_id=tenant_id,
                         now=now, before=before, after=after)
        return tenant


def list_tenant_ids(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(Tenant.id).order_by(Tenant.id)))


__all__ = ["TermChange", "create_tenant", "list_tenant_ids", "renew", "set_contacts"]

"""Loading a tenant and its terms, and the numbers of a term, inside the caller's
transaction: the loaders that services, queries and exports share (no rule lives here)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from time import monotonic, sleep
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, bindparam, case, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from licensing_core.clock import local_today
from licensing_core.db.bulk import raw_connection
from licensing_core.db.engine import SQLITE_BUSY_TIMEOUT_S
from licensing_core.db.models import (
    Alert,
    LicenseRequest,
    Refill,
    Tenant,
    Term,
    UsageSession,
    UserLicense,
)
from licensing_core.domain.calendar import TermCalendar, TermSpan
from licensing_core.domain.kinds import LicenseType
from licensing_core.domain.requests import RequestView
from licensing_core.domain.terms import Totals, pick_current_term, term_containing, totals_of
from licensing_core.errors import NotFound

# A write of no row, built once: on the ORM's path each call took ten times as long.
_ALERTS = cast(Table, Alert.__table__)
_TAKE_WRITE_LOCK = update(_ALERTS).where(_ALERTS.c.id == -1).values(attempts=_ALERTS.c.attempts)


# SQLite's own wait for its busy write lock sleeps longer and longer between tries (up
# to 100 ms), and the lock is often free for most of such a sleep while imports take
# turns: the first seconds of a wait try again every quarter of a millisecond instead.
_POLL_S, _POLL_EVERY_S = 2.0, 0.00025


def lock_for_writing(session: Session) -> None:
    """On SQLite, take the database's write lock first, so that what we read stays true.

    SQLite runs reads outside any transaction until the first write and has one writer at
    a time: a write as the first statement (of no row) waits for the lock and then reads
    the newest data; past _POLL_S, SQLite's busy timeout waits. PostgreSQL locks rows
    instead (FOR UPDATE).
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    raw = raw_connection(session)
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        deadline = monotonic() + _POLL_S
        while monotonic() < deadline:
            try:
                session.execute(_TAKE_WRITE_LOCK)
                return
            except OperationalError as exc:
                code = getattr(exc.orig, "sqlite_errorcode", None)
                if code is None or code & 0xFF != sqlite3.SQLITE_BUSY:  # busy of any kind
                    raise
            sleep(_POLL_EVERY_S)
    finally:
        raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
    session.execute(_TAKE_WRITE_LOCK)


# The reads every import makes, several of them while it holds the tenant's lock, built
# once with the tenant as a parameter (building one costs more than SQLite runs it).
_TENANT = select(Tenant).where(Tenant.id == bindparam("tenant"))
_TENANT_LOCKED = _TENANT.with_for_update().execution_options(populate_existing=True)
_TERMS = select(Term).where(Term.tenant_id == bindparam("tenant")).order_by(Term.start_date)


def get_tenant(session: Session, tenant_id: str, *, lock: bool = False) -> Tenant:
    """The tenant; `lock` holds it until the transaction ends, so that what the caller
    reads next stays true until it writes: FOR UPDATE on PostgreSQL, the writer's lock on
    SQLite (lock_for_writing). A locked read refreshes a tenant this session loaded
    before."""
    if lock:
        lock_for_writing(session)
    tenant = session.scalars(_TENANT_LOCKED if lock else _TENANT, {"tenant": tenant_id}).first()
    if tenant is None:
        raise NotFound(f"no tenant {tenant_id!r}")
    return tenant


def tenant_terms(session: Session, tenant_id: str) -> list[Term]:
    return list(session.scalars(_TERMS, {"tenant": tenant_id}))


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


def term_spans(terms: Sequence[Term]) -> list[TermSpan]:
    return [TermSpan(t.id, t.license_type, t.start_date, t.end_date, t.session_minutes)
            for t in terms]


def calendar_of(tenant: Tenant, terms: Sequence[Term],
                known: TermCalendar | None = None) -> TermCalendar:
    """The tenant's terms as a calendar; `known`, one built before (e.g. before a lock), is
    returned when it holds the very same terms in the tenant's zone."""
    spans, zone = term_spans(terms), ZoneInfo(tenant.timezone)
    if known is not None and known.holds(spans, zone):
        return known
    return TermCalendar(spans, zone)


_REFILLED = select(Refill.term_id, func.sum(Refill.quantity)).group_by(Refill.term_id)
_REFILLED_OF_TENANT = _REFILLED.where(Refill.tenant_id == bindparam("tenant"))


def refills_by_term(session: Session, tenant_id: str | None = None) -> dict[int, int]:
    """Licenses refilled per term, of one tenant or (None) of all, in one query."""
    rows = session.execute(_REFILLED) if tenant_id is None else session.execute(
        _REFILLED_OF_TENANT, {"tenant": tenant_id})
    return {int(term_id): int(quantity) for term_id, quantity in rows}


def counted_consumption() -> ColumnElement[int]:
    """A term's consumption counted from its rows: sessions started in a session-based
    term, users holding a license in a user-based one (correlated to `terms`)."""
    sessions = select(func.count()).select_from(UsageSession).where(
        UsageSession.term_id == Term.id).scalar_subquery()
    holders = select(func.count()).select_from(UserLicense).where(
        UserLicense.term_id == Term.id).scalar_subquery()
    return case((Term.license_type == LicenseType.SESSION, sessions), else_=holders)


_RECOUNT = (update(Term).where(Term.tenant_id == bindparam("tenant"))
            .values(consumed=counted_consumption())
            .execution_options(synchronize_session=False))


def recount_consumed(session: Session, tenant_id: str) -> None:
    """Store each of the tenant's terms' consumption (Term.consumed) after its sessions or
    licenses changed; the terms already loaded in the session read the new counts."""
    session.execute(_RECOUNT, {"tenant": tenant_id})
    for loaded in session.identity_map.values():
        if isinstance(loaded, Term) and loaded.tenant_id == tenant_id:
            session.expire(loaded, ["consumed"])


def term_totals(session: Session, term: Term) -> Totals:
    refilled = session.scalar(
        select(func.coalesce(func.sum(Refill.quantity), 0)).where(Refill.term_id == term.id))
    return totals_of(term, int(refilled or 0))


@dataclass(frozen=True)
class CurrentTerm:
    """A tenant's current term (its stored columns) and the tenant's today."""

    term: Any  # a Row: id, tenant_id, license_type, start_date, end_date, initial_licenses,
    # consumed
    timezone: str
    today: date


def current_terms(session: Session, now: datetime) -> dict[str, CurrentTerm]:
    """Every tenant's current term (domain.terms.pick_current_term, on the tenant's own
    today), in two queries: what the overview and the risk ranking both read."""
    zones = dict(session.execute(select(Tenant.id, Tenant.timezone)).all())
    terms_by_tenant: dict[str, list[Any]] = {}
    for term in session.execute(select(
            Term.id, Term.tenant_id, Term.license_type, Term.start_date, Term.end_date,
            Term.initial_licenses, Term.consumed).order_by(Term.start_date)):
        terms_by_tenant.setdefault(term.tenant_id, []).append(term)
    current = {}
    for tenant_id, zone in zones.items():
        today = local_today(now, zone)
        picked = pick_current_term(terms_by_tenant.get(tenant_id, []), today)
        if picked is not None:
            current[tenant_id] = CurrentTerm(picked, zone, today)
    return current


def request_view(request: LicenseRequest, tenant: Tenant) -> RequestView:
    """A stored license request as the plain view that services and queries return."""
    return RequestView(
        request_id=request.id, tenant_id=request.tenant_id, tenant_name=tenant.name,
        timezone=tenant.timezone, quantity=request.quantity,
        status=request.status, requested_by=request.requested_by,
        requested_at=request.requested_at, note=request.note, decided_by=request.decided_by,
        decided_at=request.decided_at, reason=request.reason,
        refill_quantity=request.refill_quantity, refill_id=request.refill_id)

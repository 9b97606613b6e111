"""The terms of a tenant, for the term picker of the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Term
from licensing_core.domain.terms import term_state
from licensing_core.queries.common import tenant_zone


@dataclass(frozen=True)
class TermInfo:
    term_id: int
    license_type: str
    start_date: date
    end_date: date
    state: str
    session_minutes: int | None


def terms_of(db: Database, tenant_id: str, *, now: datetime | None = None) -> list[TermInfo]:
    """The tenant's terms, newest first, each with its state on the tenant's today."""
    now = now or utcnow()
    with db.transaction() as session:
        tz = tenant_zone(session, tenant_id)
        terms = session.execute(select(
            Term.id, Term.license_type, Term.start_date, Term.end_date, Term.session_minutes,
        ).where(Term.tenant_id == tenant_id).order_by(Term.start_date.desc())).all()
    today = local_today(now, tz.key)
    return [TermInfo(t.id, t.license_type, t.start_date, t.end_date,
                     term_state(t.start_date, t.end_date, today).value, t.session_minutes)
            for t in terms]


__all__ = ["TermInfo", "terms_of"]

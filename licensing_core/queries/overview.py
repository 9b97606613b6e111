"""The super admin's overview: every tenant's current term and its numbers in one table.

One query per table (tenants, terms, refills, sessions, user licenses), never one per
tenant, so the page stays fast with a thousand tenants.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Refill, Tenant, Term, UsageSession, UserLicense
from licensing_core.domain.terms import LicenseType, Totals, pick_current_term, term_state
from licensing_core.queries.common import Expr

OVERVIEW_COLUMNS: tuple[str, ...] = (
    "tenant_id", "name", "license_type", "start_date", "end_date", "state", "total_purchased",
    "consumed", "available", "percent_used", "days_left",
)
# Term ids per IN list: far below SQLite's limit on bound parameters.
IDS_PER_QUERY = 900


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield list(ids[start:start + IDS_PER_QUERY])


def _sums_by_term(session: Session, term_column: Expr,
                  measure: ColumnElement[Any], ids: Sequence[int]) -> dict[int, int]:
    """measure grouped by term, for the given terms only (IN lists of bounded length)."""
    sums: dict[int, int] = {}
    for chunk in _chunks(ids):
        sums.update((int(t), int(v)) for t, v in session.execute(
            select(term_column, measure).where(term_column.in_(chunk)).group_by(term_column)))
    return sums


def tenants_overview(db: Database, *, now: datetime | None = None) -> pd.DataFrame:
    """Every tenant with its current term: dates, state, totals, percent used, days left.

    days_left counts the term's remaining days including today (the whole term when it has
    not started, 0 once it has ended).
    """
    now = now or utcnow()
    with db.transaction() as session:
        tenants = session.execute(
            select(Tenant.id, Tenant.name, Tenant.timezone).order_by(Tenant.id)).all()
        terms_by_tenant: dict[str, list] = {}
        for term in session.execute(select(
                Term.id, Term.tenant_id, Term.license_type, Term.start_date, Term.end_date,
                Term.initial_licenses).order_by(Term.start_date)):
            terms_by_tenant.setdefault(term.tenant_id, []).append(term)
        current = {}
        for tenant in tenants:
            today = local_today(now, tenant.timezone)
            picked = pick_current_term(terms_by_tenant.get(tenant.id, []), today)
            if picked is not None:
                current[tenant.id] = (picked, today)
        ids = [term.id for term, _ in current.values()]
        refilled = _sums_by_term(session, Refill.term_id, func.sum(Refill.quantity), ids)
        sessions = _sums_by_term(session, UsageSession.term_id, func.count(), ids)
        holders = _sums_by_term(session, UserLicense.term_id, func.count(), ids)
    rows = []
    for tenant in tenants:
        if tenant.id not in current:
            continue  # every tenant is created with a term; nothing to show without one
        term, today = current[tenant.id]
        counted = sessions if term.license_type == LicenseType.SESSION else holders
        totals = Totals(term.initial_licenses + refilled.get(term.id, 0),
                        counted.get(term.id, 0))
        rows.append((
            tenant.id, tenant.name, term.license_type, term.start_date, term.end_date,
            term_state(term.start_date, term.end_date, today).value, totals.total_purchased,
            totals.consumed, totals.available, totals.percent_used,
            max(0, (term.end_date - max(today, term.start_date)).days + 1),
        ))
    frame = pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))
    return frame.astype({"total_purchased": "int64", "consumed": "int64",
                         "available": "int64", "percent_used": "float64",
                         "days_left": "int64"})


__all__ = ["OVERVIEW_COLUMNS", "tenants_overview"]

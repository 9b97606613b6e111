"""The super admin's overview: every tenant's current term and its numbers in one table.

One query per table (tenants, terms with their stored consumption, refills), never one per
tenant, so the page stays fast with a thousand tenants.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Tenant, Term
from licensing_core.domain.terms import days_left, pick_current_term, term_state, totals_of
from licensing_core.services.tenancy import refills_by_term

OVERVIEW_COLUMNS: tuple[str, ...] = (
    "tenant_id", "name", "license_type", "start_date", "end_date", "state", "total_purchased",
    "consumed", "available", "percent_used", "days_left",
)


def tenants_overview(db: Database, *, now: datetime | None = None) -> pd.DataFrame:
    """Every tenant with its current term: dates, state, totals, percent used, days left
    (domain.terms.days_left)."""
    now = now or utcnow()
    with db.transaction() as session:
        tenants = session.execute(
            select(Tenant.id, Tenant.name, Tenant.timezone).order_by(Tenant.id)).all()
        terms_by_tenant: dict[str, list] = {}
        for term in session.execute(select(
                Term.id, Term.tenant_id, Term.license_type, Term.start_date, Term.end_date,
                Term.initial_licenses, Term.consumed).order_by(Term.start_date)):
            terms_by_tenant.setdefault(term.tenant_id, []).append(term)
        current = {}
        for tenant in tenants:
            today = local_today(now, tenant.timezone)
            picked = pick_current_term(terms_by_tenant.get(tenant.id, []), today)
            if picked is not None:
                current[tenant.id] = (picked, today)
        refilled = refills_by_term(session)
    rows = []
    for tenant in tenants:
        if tenant.id not in current:
            continue  # every tenant is created with a term; nothing to show without one
        term, today = current[tenant.id]
        totals = totals_of(term, refilled.get(term.id, 0))
        rows.append((
            tenant.id, tenant.name, term.license_type, term.start_date, term.end_date,
            term_state(term.start_date, term.end_date, today).value, totals.total_purchased,
            totals.consumed, totals.available, totals.percent_used,
            days_left(term.start_date, term.end_date, today),
        ))
    frame = pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))
    return frame.astype({"total_purchased": "int64", "consumed": "int64",
                         "available": "int64", "percent_used": "float64",
                         "days_left": "int64"})


__all__ = ["OVERVIEW_COLUMNS", "tenants_overview"]

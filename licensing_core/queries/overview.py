"""The super admin's overview: every tenant's current term and its numbers in one table.

One query per table (tenants, terms with their stored consumption, refills), never one per
tenant, so the page stays fast with a thousand tenants.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select

from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Tenant
from licensing_core.db.tenancy import current_terms, refills_by_term
from licensing_core.domain.terms import days_left, term_state, totals_of

OVERVIEW_COLUMNS: tuple[str, ...] = (
    "tenant_id", "name", "license_type", "start_date", "end_date", "state", "total_purchased",
    "consumed", "available", "percent_used", "days_left",
)


def tenants_overview(db: Database, *, now: datetime | None = None) -> pd.DataFrame:
    """Every tenant with its current term: dates, state, totals, percent used, days left
    (domain.terms.days_left)."""
    now = now or utcnow()
    with db.transaction() as session:
        names = dict(session.execute(
            select(Tenant.id, Tenant.name).order_by(Tenant.id)).all())
        current = current_terms(session, now)
        refilled = refills_by_term(session)
    rows = []
    for tenant_id, name in names.items():
        if tenant_id not in current:
            continue  # every tenant is created with a term; nothing to show without one
        term, today = current[tenant_id].term, current[tenant_id].today
        totals = totals_of(term, refilled.get(term.id, 0))
        rows.append((
            tenant_id, name, term.license_type, term.start_date, term.end_date,
            term_state(term.start_date, term.end_date, today).value, totals.total_purchased,
            totals.consumed, totals.available, totals.percent_used,
            days_left(term.start_date, term.end_date, today),
        ))
    frame = pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))
    return frame.astype({"total_purchased": "int64", "consumed": "int64",
                         "available": "int64", "percent_used": "float64",
                         "days_left": "int64"})


__all__ = ["OVERVIEW_COLUMNS", "tenants_overview"]

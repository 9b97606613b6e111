"""Every tenant's alert thresholds at once: the bands of the Tenants overview's bars."""

from __future__ import annotations

from sqlalchemy import select

from licensing_core.db.engine import Database
from licensing_core.db.models import Tenant
from licensing_core.domain.thresholds import thresholds_of


def thresholds_by_tenant(db: Database) -> dict[str, tuple[int, ...]]:
    """Each tenant's thresholds (its override, else the defaults), in one query."""
    with db.transaction() as session:
        return {tenant.id: thresholds_of(tenant.alert_thresholds)
                for tenant in session.scalars(select(Tenant).order_by(Tenant.id))}


__all__ = ["thresholds_by_tenant"]

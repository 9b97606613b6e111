"""A tenant's own alert thresholds: set, reset and previewed before saving.

A change queues nothing: in every term of the tenant, the thresholds at or below the
term's current percent count as already notified, so only later crossings alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from licensing_core.auth.permissions import Principal
from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Tenant
from licensing_core.db.tenancy import (
    current_term,
    get_tenant,
    refills_by_term,
    tenant_terms,
    term_totals,
)
from licensing_core.domain.kinds import AuditAction
from licensing_core.domain.terms import totals_of
from licensing_core.domain.thresholds import (
    DEFAULT_THRESHOLDS,
    ThresholdPreview,
    parse_thresholds,
    preview_thresholds,
    reached_threshold,
    thresholds_of,
)
from licensing_core.services import audit
from licensing_core.services.guards import require_tenant_admin


@dataclass(frozen=True)
class ThresholdChange:
    tenant_id: str
    before: tuple[int, ...]
    after: tuple[int, ...]
    is_default: bool  # the tenant now follows the defaults (75, 85, 95, 100)
    preview: ThresholdPreview  # the current term under the new thresholds


def require_threshold_edit(principal: Principal, tenant_id: str) -> None:
    """Super admins for any tenant, tenant admins for their own."""
    require_tenant_admin(principal, tenant_id, "change the alert thresholds")


def _current_preview(session: Session, tenant: Tenant, thresholds: Sequence[int],
                     now: datetime) -> ThresholdPreview:
    totals = term_totals(session, current_term(session, tenant, now))
    return preview_thresholds(totals.consumed, totals.total_purchased, thresholds)


def preview_threshold_change(db: Database, *, principal: Principal, tenant_id: str,
                             thresholds: Sequence[int | str],
                             now: datetime | None = None) -> ThresholdPreview:
    """Validate new thresholds and say which are already passed in the current term."""
    require_threshold_edit(principal, tenant_id)
    parsed = parse_thresholds(thresholds)
    with db.transaction() as session:
        return _current_preview(session, get_tenant(session, tenant_id), parsed,
                                now or utcnow())


def _apply(db: Database, principal: Principal, tenant_id: str, chosen: tuple[int, ...],
           now: datetime | None) -> ThresholdChange:
    now = now or utcnow()
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id, lock=True)
        before = thresholds_of(tenant.alert_thresholds)
        if chosen != before:
            tenant.alert_thresholds = None if chosen == DEFAULT_THRESHOLDS else list(chosen)
            refilled = refills_by_term(session, tenant.id)
            for term in tenant_terms(session, tenant.id):
                totals = totals_of(term, refilled.get(term.id, 0))
                term.notified_threshold = reached_threshold(
                    totals.consumed, totals.total_purchased, chosen)
            audit.record(session, actor=principal.username, action=AuditAction.THRESHOLDS_UPDATE,
                         tenant_id=tenant.id, now=now, before={"thresholds": list(before)},
                         after={"thresholds": list(chosen)})
        return ThresholdChange(tenant.id, before, chosen, tenant.alert_thresholds is None,
                               _current_preview(session, tenant, chosen, now))


def set_thresholds(db: Database, *, principal: Principal, tenant_id: str,
                   thresholds: Sequence[int | str],
                   now: datetime | None = None) -> ThresholdChange:
    """Give the tenant its own thresholds; nothing is queued (passed ones count as sent)."""
    require_threshold_edit(principal, tenant_id)
    return _apply(db, principal, tenant_id, parse_thresholds(thresholds), now)


def reset_thresholds(db: Database, *, principal: Principal, tenant_id: str,
                     now: datetime | None = None) -> ThresholdChange:
    """Back to the default thresholds, under the same rule as a change."""
    require_threshold_edit(principal, tenant_id)
    return _apply(db, principal, tenant_id, DEFAULT_THRESHOLDS, now)


__all__ = ["ThresholdChange", "preview_threshold_change", "require_threshold_edit",
           "reset_thresholds", "set_thresholds"]

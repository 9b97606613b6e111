"""License requests as lists and tables: a tenant's own, or every tenant's for the operator.

Open requests come first, the oldest first (the queue to work through), then the decided
ones, the most recently decided first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import case, select

from licensing_core.auth.permissions import Principal, require_super_admin, require_view
from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import LicenseRequest, Tenant
from licensing_core.db.tenancy import request_view
from licensing_core.domain.kinds import RequestStatus
from licensing_core.domain.requests import RequestView, parse_status
from licensing_core.errors import Forbidden
from licensing_core.exports.cells import iso_local
from licensing_core.queries.common import check_page, in_zone, tenant_zone
from licensing_core.queries.forecasts import risk_ranking

# The keys of `licensing request list --json`, as the spec lists them.
REQUEST_KEYS: tuple[str, ...] = (
    "request_id", "tenant_id", "quantity", "status", "requested_by", "requested_at", "note",
    "decided_by", "decided_at", "reason", "refill_quantity",
)
# The operator's table: each request beside its tenant's current numbers and forecast.
FORECAST_COLUMNS: tuple[str, ...] = (
    "state", "total_purchased", "consumed", "percent_used", "run_out_date", "run_out_low",
    "run_out_high", "lasts_term", "already_over", "needed_to_last_term",
)
OVERVIEW_COLUMNS: tuple[str, ...] = (*REQUEST_KEYS, "tenant_name", *FORECAST_COLUMNS)


def _scope(principal: Principal, tenant_id: str | None) -> str | None:
    """The tenant a person may list: any (or all) for a super admin, else its own."""
    if principal.is_super_admin:
        return tenant_id
    own = tenant_id or principal.tenant_id
    if own is None:
        raise Forbidden("you may not see license requests")
    require_view(principal, own)
    return own


def list_requests(db: Database, *, principal: Principal, tenant_id: str | None = None,
                  status: str | RequestStatus | None = None, limit: int = 500,
                  offset: int = 0) -> list[RequestView]:
    """Requests of one tenant (a tenant's people: always their own) or of all tenants
    (super admins, with no tenant given), optionally of one status."""
    check_page(limit, offset)
    scope = _scope(principal, tenant_id)
    chosen = parse_status(status) if isinstance(status, str) else status
    is_open = LicenseRequest.status == RequestStatus.OPEN
    statement = (select(LicenseRequest, Tenant).join(Tenant, Tenant.id == LicenseRequest.tenant_id)
                 .order_by(case((is_open, 0), else_=1),
                           case((is_open, LicenseRequest.requested_at), else_=None),
                           LicenseRequest.decided_at.desc(), LicenseRequest.id)
                 .limit(limit).offset(offset))
    if chosen is not None:
        statement = statement.where(LicenseRequest.status == chosen)
    with db.transaction() as session:
        if scope is not None:
            tenant_zone(session, scope)  # an unknown tenant is NotFound, not an empty list
            statement = statement.where(LicenseRequest.tenant_id == scope)
        return [request_view(request, tenant) for request, tenant in session.execute(statement)]


def _fields(view: RequestView) -> dict[str, Any]:
    """The spec's keys; times aware in the tenant's zone (a list may mix tenants of
    different zones)."""
    tz = ZoneInfo(view.timezone)
    return {
        "request_id": view.request_id, "tenant_id": view.tenant_id, "quantity": view.quantity,
        "status": view.status.value, "requested_by": view.requested_by,
        "requested_at": in_zone(view.requested_at, tz), "note": view.note,
        "decided_by": view.decided_by, "decided_at": in_zone(view.decided_at, tz),
        "reason": view.reason, "refill_quantity": view.refill_quantity,
    }


def request_record(view: RequestView) -> dict[str, Any]:
    """The spec's keys for `licensing request list --json`: times as ISO 8601 with the
    tenant's offset, as the CSV files write them."""
    fields = _fields(view)
    for key in ("requested_at", "decided_at"):
        if fields[key] is not None:
            fields[key] = iso_local(fields[key])
    return fields


def requests_frame(views: list[RequestView]) -> pd.DataFrame:
    """The requests as a table of the spec's keys plus the tenant's name; times are aware
    in each request's tenant's zone."""
    rows = [{**_fields(v), "tenant_name": v.tenant_name} for v in views]
    frame = pd.DataFrame(rows, columns=[*REQUEST_KEYS, "tenant_name"])
    return frame.astype({"request_id": "int64", "quantity": "int64",
                         "refill_quantity": "Int64"})


def requests_overview(db: Database, *, principal: Principal,
                      status: str | RequestStatus | None = None,
                      now: datetime | None = None) -> pd.DataFrame:
    """Every tenant's requests (super admins), each with its tenant's current percent used
    and forecast (risk_ranking: a few queries for all tenants, never one per tenant)."""
    require_super_admin(principal)
    now = now or utcnow()
    frame = requests_frame(list_requests(db, principal=principal, status=status))
    risks = risk_ranking(db, now=now)[["tenant_id", *FORECAST_COLUMNS]]
    merged = frame.merge(risks, on="tenant_id", how="left", sort=False)
    return merged[list(OVERVIEW_COLUMNS)]


__all__ = ["FORECAST_COLUMNS", "OVERVIEW_COLUMNS", "REQUEST_KEYS", "list_requests",
           "request_record", "requests_frame", "requests_overview"]

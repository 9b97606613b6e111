"""The alert outbox as a table: what was queued for whom, and whether it was delivered."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select

from licensing_core.db.engine import Database
from licensing_core.db.models import Alert, Tenant
from licensing_core.queries.common import check_page, in_zone, tenant_zone

ALERT_COLUMNS: tuple[str, ...] = (
    "id", "tenant_id", "kind", "threshold", "subject", "created_at", "recipients", "status",
    "attempts", "last_error", "next_attempt_at", "sent_at", "request_id", "run_out_date",
    "run_out_low", "run_out_high", "licenses_needed", "webhook_status", "webhook_attempts",
    "webhook_last_error", "webhook_next_attempt_at", "webhook_sent_at",
)


def alerts_list(db: Database, tenant_id: str | None, *, limit: int = 200,
                offset: int = 0) -> pd.DataFrame:
    """Newest alerts first, of one tenant or (None, for a super admin) of all tenants.

    Every time is an aware time in the alert's tenant's timezone (None when there is
    none), because one column may mix tenants of different zones. `recipients` are the
    addresses of the last attempt (those it was sent to, once sent), "" before the first
    attempt: they are resolved at delivery, not when the alert is queued. A run-out warning gives
    its forecast as it was queued: the run-out day (ISO date, mid pace), its range and the
    licenses needed to last the term ("" and <NA> for other alerts). The webhook has its
    own status (queued, sent or not_configured: services.webhooks.webhook_state names it),
    attempts, last error, next attempt (None before the first) and sent time.
    """
    check_page(limit, offset)
    statement = (select(Alert, Tenant.timezone).join(Tenant, Tenant.id == Alert.tenant_id)
                 .order_by(Alert.created_at.desc(), Alert.id.desc())
                 .limit(limit).offset(offset))
    with db.transaction() as session:
        if tenant_id is not None:
            tenant_zone(session, tenant_id)
            statement = statement.where(Alert.tenant_id == tenant_id)
        rows = []
        for alert, zone in session.execute(statement):
            tz = ZoneInfo(zone)
            rows.append((
                alert.id, alert.tenant_id, alert.kind, alert.threshold, alert.subject,
                in_zone(alert.created_at, tz), ", ".join(alert.recipients or []),
                alert.status, alert.attempts, alert.last_error or "",
                in_zone(alert.next_attempt_at, tz), in_zone(alert.sent_at, tz),
                alert.request_id, _day(alert.run_out_date), _day(alert.run_out_low),
                _day(alert.run_out_high), alert.licenses_needed, alert.webhook_status,
                alert.webhook_attempts, alert.webhook_last_error or "",
                in_zone(alert.webhook_next_attempt_at, tz), in_zone(alert.webhook_sent_at, tz),
            ))
    frame = pd.DataFrame(rows, columns=list(ALERT_COLUMNS))
    return frame.astype({"id": "int64", "threshold": "Int64", "attempts": "int64",
                         "request_id": "Int64", "licenses_needed": "Int64",
                         "webhook_attempts": "int64"})


def _day(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


__all__ = ["ALERT_COLUMNS", "alerts_list"]

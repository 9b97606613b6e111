"""The last stage: the tenant's alert thresholds, the audit entry, and the summary.

The terms' consumption was recounted by the sessionize stage (recompute_usage), in the
same transaction; the thresholds are evaluated on those counts.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from licensing_core.db.models import Tenant
from licensing_core.domain.kinds import AuditAction
from licensing_core.services import audit
from licensing_core.services.alerting import evaluate_tenant
from licensing_core.services.imports.results import Done, ImportSummary


def finish(session: Session, tenant: Tenant, done: Done) -> ImportSummary:
    """Queue the alerts the new counts call for, and audit the import."""
    alerts = evaluate_tenant(session, tenant, done.now)
    stored = done.stored
    audit.record(session, actor=done.actor, action=AuditAction(f"import.{done.kind}"),
                 tenant_id=tenant.id, now=done.now,
                 after={"file": done.file, "rows_read": done.rows_read, "stored": stored.stored,
                        "skipped": stored.skipped})
    return ImportSummary(done.kind, done.rows_read, stored.stored, stored.skipped,
                         stored.users_created, done.sessions, [a.id for a in alerts])

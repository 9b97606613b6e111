"""The audit log: who changed what, when, with the state before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from licensing_core.db.models import AuditEntry
from licensing_core.domain.kinds import AuditAction

# Built once, on the table: an entry is never read back in the change that writes it, and
# the ORM's unit of work for it cost three times the insert (every import writes one).
_INSERT = insert(cast(Table, AuditEntry.__table__))


def record(
    session: Session, *, actor: str, action: AuditAction, tenant_id: str | None, now: datetime,
    before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
) -> None:
    session.execute(_INSERT, {"at": now, "actor": actor, "tenant_id": tenant_id,
                              "action": action, "before": before, "after": after})

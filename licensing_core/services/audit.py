"""The audit log: who changed what, when, with the state before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from licensing_core.db.models import AuditEntry
from licensing_core.domain.kinds import AuditAction


def record(
    session: Session, *, actor: str, action: AuditAction, tenant_id: str | None, now: datetime,
    before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
) -> None:
    session.add(AuditEntry(at=now, actor=actor, tenant_id=tenant_id, action=action,
                           before=before, after=after))

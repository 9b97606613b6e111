"""The audit log as a table: who changed what and when, with the state before and after."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select

from licensing_core.db.engine import Database
from licensing_core.db.models import AuditEntry, Tenant
from licensing_core.queries.common import HistoryPage, check_page, in_zone, tenant_zone

AUDIT_COLUMNS: tuple[str, ...] = ("At", "Actor", "Tenant", "Action", "Before", "After")
UTC_ZONE = ZoneInfo("UTC")  # entries of no tenant (accounts of the operator) are shown in UTC


def _json_text(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def audit_entries(db: Database, tenant_id: str | None, *, limit: int = 200,
                  offset: int = 0) -> HistoryPage:
    """Newest entries first, of one tenant or (None, for a super admin) of every tenant;
    "At" is an aware time in the entry's tenant's timezone (UTC for an entry of no tenant):
    one page may mix zones."""
    check_page(limit, offset)
    a = AuditEntry
    where = [a.tenant_id == tenant_id] if tenant_id is not None else []
    statement = (select(a.at, a.actor, a.tenant_id, a.action, a.before, a.after,
                        Tenant.timezone)
                 .outerjoin(Tenant, Tenant.id == a.tenant_id).where(*where)
                 .order_by(a.at.desc(), a.id.desc()).limit(limit).offset(offset))
    with db.transaction() as session:
        if tenant_id is not None:
            tenant_zone(session, tenant_id)
        entries = session.execute(statement).all()
        total = session.scalar(select(func.count()).select_from(a).where(*where))
    rows = [(in_zone(e.at, ZoneInfo(e.timezone) if e.timezone else UTC_ZONE), e.actor,
             e.tenant_id or "", e.action, _json_text(e.before), _json_text(e.after))
            for e in entries]
    return HistoryPage(pd.DataFrame(rows, columns=list(AUDIT_COLUMNS)), int(total or 0))


__all__ = ["AUDIT_COLUMNS", "audit_entries"]

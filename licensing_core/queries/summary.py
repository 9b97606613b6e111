"""The Subscription page's numbers for one tenant and term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.tenancy import get_tenant, term_on, term_totals
from licensing_core.domain.kinds import TermState
from licensing_core.domain.terms import term_state
from licensing_core.domain.thresholds import thresholds_of


@dataclass(frozen=True)
class SubscriptionSummary:
    tenant_id: str
    name: str
    timezone: str
    term_id: int
    license_type: str
    start_date: date
    end_date: date
    state: TermState
    session_minutes: int | None
    technical_emails: list[str]
    billing_emails: list[str]
    total_purchased: int
    consumed: int
    available: int
    percent_used: float
    thresholds: tuple[int, ...]
    notified_threshold: int | None

    def as_json(self) -> dict[str, Any]:
        """The keys of `licensing tenant show --json`, as the spec lists them."""
        return {
            "tenant_id": self.tenant_id, "name": self.name, "license_type": self.license_type,
            "start_date": self.start_date.isoformat(), "end_date": self.end_date.isoformat(),
            "technical_emails": self.technical_emails, "billing_emails": self.billing_emails,
            "total_purchased": self.total_purchased, "consumed": self.consumed,
            "available": self.available, "percent_used": round(self.percent_used, 2),
            "session_minutes": self.session_minutes,
        }


def subscription_summary(db: Database, tenant_id: str, *, term_date: date | None = None,
                         now: datetime | None = None) -> SubscriptionSummary:
    """The current term's numbers (or those of the term containing `term_date`)."""
    now = now or utcnow()
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id)
        term = term_on(session, tenant, term_date, now)
        totals = term_totals(session, term)
        return SubscriptionSummary(
            tenant_id=tenant.id, name=tenant.name, timezone=tenant.timezone, term_id=term.id,
            license_type=term.license_type, start_date=term.start_date, end_date=term.end_date,
            state=term_state(term.start_date, term.end_date, local_today(now, tenant.timezone)),
            session_minutes=term.session_minutes,
            technical_emails=list(tenant.technical_emails),
            billing_emails=list(tenant.billing_emails),
            total_purchased=totals.total_purchased, consumed=totals.consumed,
            available=totals.available, percent_used=totals.percent_used,
            thresholds=thresholds_of(tenant.alert_thresholds),
            notified_threshold=term.notified_threshold,
        )

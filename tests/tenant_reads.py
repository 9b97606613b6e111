"""Every read a page or an export makes of one tenant, and a fingerprint of what is stored.

Hostile-input tests use them: after any import that succeeds, all of these must work; after
one that is refused, the fingerprint must not have moved.
"""

from __future__ import annotations

import io
from datetime import datetime

from sqlalchemy import func, select

from licensing_core.auth.permissions import Principal
from licensing_core.db.engine import Database
from licensing_core.db.models import Base
from licensing_core.domain.kinds import LicenseType, Role
from licensing_core.exports.csv import export_consumption, export_conversations, export_purchases
from licensing_core.queries.alerts import alerts_list
from licensing_core.queries.audit import audit_entries
from licensing_core.queries.breakdowns import daily_breakdown, top_users
from licensing_core.queries.conversations import ConversationFilters, conversation_history
from licensing_core.queries.forecasts import risk_ranking, term_forecast
from licensing_core.queries.history import HistoryFilters, consumption_history, filter_options
from licensing_core.queries.idle_seats import idle_seats
from licensing_core.queries.overview import tenants_overview
from licensing_core.queries.purchases import purchase_history
from licensing_core.queries.requests import list_requests, requests_overview
from licensing_core.queries.series import daily_consumption
from licensing_core.queries.summary import subscription_summary
from licensing_core.queries.terms import terms_of


def stored_fingerprint(db: Database) -> dict[str, int]:
    """Rows per table: a refused import must leave every count as it was."""
    with db.transaction() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables}


def read_everything(db: Database, tenant_id: str, now: datetime) -> None:
    """Run every page query and export of the tenant, as the dashboard and CLI would."""
    subscription_summary(db, tenant_id, now=now)
    term_forecast(db, tenant_id, now=now)
    tenants_overview(db, now=now)
    risk_ranking(db, now=now)
    alerts_list(db, tenant_id)
    audit_entries(db, tenant_id)
    operator = Principal("operator", Role.SUPER_ADMIN, None, "operator@example.com")
    list_requests(db, principal=operator, tenant_id=tenant_id)
    requests_overview(db, principal=operator, now=now)
    for term in terms_of(db, tenant_id, now=now):
        options = filter_options(db, tenant_id, term.term_id)
        page = consumption_history(db, tenant_id, term.term_id)
        consumption_history(db, tenant_id, term.term_id, filters=HistoryFilters(text="a"),
                            sort_by=page.rows.columns[0] if len(page.rows.columns) else None,
                            descending=True)
        if "Session ID" in page.rows.columns and len(page.rows):
            conversation_history(db, tenant_id, filters=ConversationFilters(
                session_id=str(page.rows["Session ID"].iloc[0])))
        if options.channels:
            consumption_history(db, tenant_id, term.term_id,
                                filters=HistoryFilters(channels=(options.channels[0],)))
        purchase_history(db, tenant_id, term.term_id)
        daily_consumption(db, tenant_id, term.term_id, now=now)
        daily_breakdown(db, tenant_id, term.term_id, by="channel", now=now)
        top_users(db, tenant_id, term.term_id)
        if term.license_type == LicenseType.USER:
            idle_seats(db, tenant_id, term.term_id, days=30, now=now)
        export_consumption(db, tenant_id, io.StringIO(), term_id=term.term_id, now=now)
        export_purchases(db, tenant_id, io.StringIO(), term_id=term.term_id, now=now)
    conversations = conversation_history(db, tenant_id)
    export_conversations(db, tenant_id, io.StringIO())
    if len(conversations.rows):
        user_id = str(conversations.rows["User ID"].iloc[0])
        conversation_history(db, tenant_id, filters=ConversationFilters(user_id=user_id))

"""Cached read models for the pages: every loader checks the reader first, then reads.

The permission check runs on every call (outside the cache); the cached part is keyed by
the database URL and the tenant, so no cache entry can answer for another tenant (or
another database). Pages call `invalidate()` after a change so that they show it at once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from licensing_core.auth.permissions import Principal, require_super_admin, require_view
from licensing_core.queries.alerts import alerts_list
from licensing_core.queries.audit import audit_entries
from licensing_core.queries.common import HistoryPage
from licensing_core.queries.conversations import ConversationFilters, conversation_history
from licensing_core.queries.history import (
    FilterOptions,
    HistoryFilters,
    consumption_history,
    filter_options,
)
from licensing_core.queries.overview import tenants_overview
from licensing_core.queries.purchases import purchase_history
from licensing_core.queries.summary import SubscriptionSummary, subscription_summary
from licensing_core.queries.terms import TermInfo, terms_of
from licensing_core.services.tenants import list_tenant_ids
from licensing_core.ui.context import TenantContext
from licensing_core.ui.resources import database_for

# How stale a page may be about changes made elsewhere (command line, another person).
TTL_S = 30
# Bounds the memory of the history caches: one entry per filter, sort and page shown.
MAX_PAGES = 500


def invalidate() -> None:
    """Forget every cached read, after a change made through the dashboard."""
    st.cache_data.clear()


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _summary(url: str, tenant_id: str) -> SubscriptionSummary:
    return subscription_summary(database_for(url), tenant_id)


def summary(ctx: TenantContext) -> SubscriptionSummary:
    ctx.recheck()
    return _summary(ctx.db.url, ctx.tenant_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _terms(url: str, tenant_id: str) -> list[TermInfo]:
    return terms_of(database_for(url), tenant_id)


def terms(ctx: TenantContext) -> list[TermInfo]:
    ctx.recheck()
    return _terms(ctx.db.url, ctx.tenant_id)


@st.cache_data(ttl=TTL_S, show_spinner=False, max_entries=MAX_PAGES)
def _history(url: str, tenant_id: str, term_id: int, filters: HistoryFilters,
             sort_by: str | None, descending: bool, limit: int, offset: int) -> HistoryPage:
    return consumption_history(database_for(url), tenant_id, term_id, filters=filters,
                               sort_by=sort_by, descending=descending, limit=limit,
                               offset=offset)


def history(ctx: TenantContext, term_id: int, filters: HistoryFilters, *,
            sort_by: str | None, descending: bool, limit: int, offset: int) -> HistoryPage:
    ctx.recheck()
    return _history(ctx.db.url, ctx.tenant_id, term_id, filters, sort_by, descending, limit,
                    offset)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _options(url: str, tenant_id: str, term_id: int) -> FilterOptions:
    return filter_options(database_for(url), tenant_id, term_id)


def options(ctx: TenantContext, term_id: int) -> FilterOptions:
    ctx.recheck()
    return _options(ctx.db.url, ctx.tenant_id, term_id)


@st.cache_data(ttl=TTL_S, show_spinner=False, max_entries=MAX_PAGES)
def _conversations(url: str, tenant_id: str, filters: ConversationFilters, limit: int,
                   offset: int) -> HistoryPage:
    return conversation_history(database_for(url), tenant_id, filters=filters, limit=limit,
                                offset=offset)


def conversations(ctx: TenantContext, filters: ConversationFilters, *, limit: int,
                  offset: int) -> HistoryPage:
    ctx.recheck()
    return _conversations(ctx.db.url, ctx.tenant_id, filters, limit, offset)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _purchases(url: str, tenant_id: str, term_id: int) -> pd.DataFrame:
    return purchase_history(database_for(url), tenant_id, term_id)


def purchases(ctx: TenantContext, term_id: int) -> pd.DataFrame:
    ctx.recheck()
    return _purchases(ctx.db.url, ctx.tenant_id, term_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _alerts(url: str, tenant_id: str, limit: int, offset: int) -> pd.DataFrame:
    return alerts_list(database_for(url), tenant_id, limit=limit, offset=offset)


def alerts(ctx: TenantContext, *, limit: int, offset: int) -> pd.DataFrame:
    ctx.recheck()
    return _alerts(ctx.db.url, ctx.tenant_id, limit, offset)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _audit(url: str, tenant_id: str | None, limit: int, offset: int) -> HistoryPage:
    return audit_entries(database_for(url), tenant_id, limit=limit, offset=offset)


def audit(principal: Principal, url: str, tenant_id: str | None, *, limit: int,
          offset: int) -> HistoryPage:
    """Every tenant's entries (None) for a super admin only; one tenant's for its admins."""
    if tenant_id is None:
        require_super_admin(principal)
    else:
        require_view(principal, tenant_id)
    return _audit(url, tenant_id, limit, offset)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _overview(url: str) -> pd.DataFrame:
    return tenants_overview(database_for(url))


def overview(principal: Principal, url: str) -> pd.DataFrame:
    require_super_admin(principal)
    return _overview(url)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _tenant_ids(url: str) -> list[str]:
    return list_tenant_ids(database_for(url))


def tenant_ids(principal: Principal, url: str) -> list[str]:
    require_super_admin(principal)
    return _tenant_ids(url)

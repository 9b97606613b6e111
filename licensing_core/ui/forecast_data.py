"""Cached loaders of the forecast, risk, idle seats and breakdown read models.

As in ui.data: the permission check runs on every call, outside the cache; the cached part
is keyed by the database URL and the tenant.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from licensing_core.auth.permissions import Principal, require_super_admin
from licensing_core.queries.breakdowns import daily_breakdown, top_users
from licensing_core.queries.common import HistoryPage
from licensing_core.queries.forecasts import TermForecast, risk_ranking, term_forecast
from licensing_core.queries.idle_seats import idle_seats
from licensing_core.ui.context import TenantContext
from licensing_core.ui.data import MAX_PAGES, TTL_S
from licensing_core.ui.resources import database_for


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _forecast(url: str, tenant_id: str) -> TermForecast:
    return term_forecast(database_for(url), tenant_id)


def forecast(ctx: TenantContext) -> TermForecast:
    """The current term's forecast and pacing."""
    ctx.recheck()
    return _forecast(ctx.db.url, ctx.tenant_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _risk(url: str) -> pd.DataFrame:
    return risk_ranking(database_for(url))


def risk(principal: Principal, url: str) -> pd.DataFrame:
    """Every tenant ranked by how soon it runs out or its term ends (super admins)."""
    require_super_admin(principal)
    return _risk(url)


@st.cache_data(ttl=TTL_S, show_spinner=False, max_entries=MAX_PAGES)
def _idle(url: str, tenant_id: str, term_id: int, days: int, limit: int,
          offset: int) -> HistoryPage:
    return idle_seats(database_for(url), tenant_id, term_id, days=days, limit=limit,
                      offset=offset)


def idle(ctx: TenantContext, term_id: int, *, days: int, limit: int,
         offset: int) -> HistoryPage:
    ctx.recheck()
    return _idle(ctx.db.url, ctx.tenant_id, term_id, days, limit, offset)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _breakdown(url: str, tenant_id: str, term_id: int, by: str) -> pd.DataFrame:
    return daily_breakdown(database_for(url), tenant_id, term_id, by=by)


def breakdown(ctx: TenantContext, term_id: int, by: str) -> pd.DataFrame:
    ctx.recheck()
    return _breakdown(ctx.db.url, ctx.tenant_id, term_id, by)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _top_users(url: str, tenant_id: str, term_id: int) -> pd.DataFrame:
    return top_users(database_for(url), tenant_id, term_id)


def top(ctx: TenantContext, term_id: int) -> pd.DataFrame:
    ctx.recheck()
    return _top_users(ctx.db.url, ctx.tenant_id, term_id)

"""The Tenants overview's filters and columns, and its bars coloured by alert band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from licensing_core.auth.permissions import Principal, require_super_admin
from licensing_core.domain.status import band_level
from licensing_core.domain.thresholds import DEFAULT_THRESHOLDS
from licensing_core.queries.forecasts import runs_out_text
from licensing_core.queries.thresholds import thresholds_by_tenant
from licensing_core.ui import formatting, labels
from licensing_core.ui.charts import BAND_FILLS, BAR_COLOUR, OVERAGE_FILL
from licensing_core.ui.data import TTL_S
from licensing_core.ui.resources import database_for

COLUMNS = {"tenant_id": "Tenant", "name": "Name", "license_type": "License Type",
           "start_date": "Start Date", "end_date": "End Date", "state": "State",
           "total_purchased": "Total Purchase", "consumed": "Consumed",
           "available": "Available", "percent_used": "Percent Used", "days_left": "Days Left",
           "term_elapsed_percent": "Term Elapsed", "runs_out": "Runs Out"}
COLUMN_CONFIG = {
    "Percent Used": st.column_config.ProgressColumn(
        "Percent Used", min_value=0, max_value=100, format="%.1f%%", color=BAR_COLOUR,
        help="Consumed / Total Purchase; a full bar at 100% or more. Behind the bar, the "
             "colour of the gauge's band: green, then amber from the first alert threshold, "
             "red from the critical one."),
    "Total Purchase": formatting.count_column(),
    "Consumed": formatting.count_column(),
    "Available": formatting.count_column(help="Negative: overage, licenses used beyond the "
                                              "purchase"),
    "Days Left": formatting.count_column(),
    "Term Elapsed": st.column_config.ProgressColumn(
        "Term Elapsed", min_value=0, max_value=100, format="%.1f%%", color="gray",
        help="Percent of the term's days gone: compare with Percent Used"),
    "Runs Out": st.column_config.TextColumn(
        help="At the pace of the last 14 days, weekday by weekday (see the Risk page)"),
    "Start Date": formatting.date_column(),
    "End Date": formatting.date_column(),
}


def with_forecast(table: pd.DataFrame, risk: pd.DataFrame) -> pd.DataFrame:
    """The overview with each tenant's pacing and "runs out on … / lasts the term"."""
    words = risk.assign(runs_out=[
        labels.sentence(runs_out_text(r.run_out_date, r.lasts_term, r.already_over))
        for r in risk.itertuples(index=False)])[["tenant_id", "term_elapsed_percent",
                                                 "runs_out"]]
    return table.merge(words, on="tenant_id", how="left")


def tenant_mask(table: pd.DataFrame, text: str, types: list[str]) -> pd.Series:
    """Rows whose id or name contains `text` (any case) and whose license type is chosen."""
    keep = pd.Series(True, index=table.index)
    if text.strip():
        needle = text.strip().lower()
        keep &= (table["tenant_id"].str.lower().str.contains(needle, regex=False)
                 | table["name"].str.lower().str.contains(needle, regex=False))
    if types:
        keep &= table["license_type"].isin(types)
    return keep


def filtered(table: pd.DataFrame) -> pd.DataFrame:
    """The rows matching the filter widgets drawn here (text, license type, state)."""
    left, middle, right = st.columns(3)
    text = left.text_input("Search tenant", key="tenants_text", help="Id or name")
    types = middle.multiselect("License type", sorted(table["license_type"].unique()),
                               key="tenants_types", format_func=labels.license_type)
    states = right.multiselect("State", sorted(table["state"].unique()), key="tenants_states",
                               format_func=labels.term_state)
    keep = tenant_mask(table, text, types)
    if states:
        keep &= table["state"].isin(states)
    return table[keep].reset_index(drop=True)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _thresholds(url: str) -> dict[str, tuple[int, ...]]:
    return thresholds_by_tenant(database_for(url))


def thresholds(principal: Principal, url: str) -> dict[str, tuple[int, ...]]:
    """Every tenant's alert thresholds (super admins)."""
    require_super_admin(principal)
    return _thresholds(url)


def band_fill(percent: float, thresholds: Sequence[int]) -> str:
    """The gauge's fill behind this percent: its band's level (domain.status.band_level),
    the overage fill from 100%."""
    return OVERAGE_FILL if percent >= 100 else BAND_FILLS[band_level(percent, thresholds)]


def display(table: pd.DataFrame, bands: Mapping[str, Sequence[int]]) -> Styler:
    """The table as shown, each Percent Used cell in the colour of its tenant's band
    (`bands`: the thresholds by tenant).

    A progress bar has one colour per column in Streamlit, so the band colours the cell
    behind the bar, as the gauge's bands lie behind its bar.
    """
    shown = table.assign(license_type=table["license_type"].map(labels.license_type),
                         state=table["state"].map(labels.term_state)).rename(columns=COLUMNS)
    shown["Percent Used"] = shown["Percent Used"].round(1)
    if "Term Elapsed" in shown:
        shown["Term Elapsed"] = shown["Term Elapsed"].round(1)
    colours = ["background-color: " + band_fill(percent, bands.get(tenant, DEFAULT_THRESHOLDS))
               for tenant, percent in zip(table["tenant_id"], table["percent_used"],
                                          strict=True)]
    return shown.style.apply(lambda _column: colours, subset=["Percent Used"])

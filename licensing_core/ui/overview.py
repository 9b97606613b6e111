"""The Tenants overview's filters and columns."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from licensing_core.queries.forecasts import runs_out_text

COLUMNS = {"tenant_id": "Tenant", "name": "Name", "license_type": "License Type",
           "start_date": "Start Date", "end_date": "End Date", "state": "State",
           "total_purchased": "Total Purchase", "consumed": "Consumed",
           "available": "Available", "percent_used": "Percent Used", "days_left": "Days Left",
           "term_elapsed_percent": "Term Elapsed", "runs_out": "Runs Out"}
COLUMN_CONFIG = {
    "Percent Used": st.column_config.ProgressColumn(
        "Percent Used", min_value=0, max_value=100, format="%.1f%%",
        help="Consumed / Total Purchase; a full bar at 100% or more"),
    "Available": st.column_config.NumberColumn(help="Negative: overage, licenses used "
                                                    "beyond the purchase"),
    "Term Elapsed": st.column_config.ProgressColumn(
        "Term Elapsed", min_value=0, max_value=100, format="%.1f%%",
        help="Percent of the term's days gone: compare with Percent Used"),
    "Runs Out": st.column_config.TextColumn(
        help="At the pace of the last 14 days, weekday by weekday (see the Risk page)"),
    "Start Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
    "End Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
}


def with_forecast(table: pd.DataFrame, risk: pd.DataFrame) -> pd.DataFrame:
    """The overview with each tenant's pacing and "runs out on … / lasts the term"."""
    words = risk.assign(runs_out=[
        runs_out_text(r.run_out_date, r.lasts_term, r.already_over)
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
                               key="tenants_types")
    states = right.multiselect("State", sorted(table["state"].unique()), key="tenants_states")
    keep = tenant_mask(table, text, types)
    if states:
        keep &= table["state"].isin(states)
    return table[keep].reset_index(drop=True)


def display(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.rename(columns=COLUMNS)
    shown["Percent Used"] = shown["Percent Used"].round(1)
    if "Term Elapsed" in shown:
        shown["Term Elapsed"] = shown["Term Elapsed"].round(1)
    return shown

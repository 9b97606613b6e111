"""The Tenants overview's filters and columns."""

from __future__ import annotations

import pandas as pd
import streamlit as st

COLUMNS = {"tenant_id": "Tenant", "name": "Name", "license_type": "License Type",
           "start_date": "Start Date", "end_date": "End Date", "state": "State",
           "total_purchased": "Total Purchase", "consumed": "Consumed",
           "available": "Available", "percent_used": "Percent Used", "days_left": "Days Left"}
COLUMN_CONFIG = {
    "Percent Used": st.column_config.ProgressColumn(
        "Percent Used", min_value=0, max_value=100, format="%.1f%%",
        help="Consumed / Total Purchase; a full bar at 100% or more"),
    "Available": st.column_config.NumberColumn(help="Negative: overage, licenses used "
                                                    "beyond the purchase"),
    "Start Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
    "End Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
}


def filtered(table: pd.DataFrame) -> pd.DataFrame:
    """The rows matching the filter widgets drawn here (text, license type, state)."""
    left, middle, right = st.columns(3)
    text = left.text_input("Search tenant", key="tenants_text", help="Id or name")
    types = middle.multiselect("License type", sorted(table["license_type"].unique()),
                               key="tenants_types")
    states = right.multiselect("State", sorted(table["state"].unique()), key="tenants_states")
    keep = pd.Series(True, index=table.index)
    if text.strip():
        needle = text.strip().lower()
        keep &= (table["tenant_id"].str.lower().str.contains(needle, regex=False)
                 | table["name"].str.lower().str.contains(needle, regex=False))
    if types:
        keep &= table["license_type"].isin(types)
    if states:
        keep &= table["state"].isin(states)
    return table[keep].reset_index(drop=True)


def display(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.rename(columns=COLUMNS)
    shown["Percent Used"] = shown["Percent Used"].round(1)
    return shown
